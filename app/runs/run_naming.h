// Names for the runs of a comparison from what differs between them: the settings (from the
// settings schema) whose values are not the same in every run. One differing setting gives
// names such as "sigmoid" and "relu" under the title "Hidden activation"; several give
// "adam · 0.001" under "Optimiser · Learning rate". A setting counts only for the runs it
// applies to (momentum is not compared between Adam runs), so names stay short.
#pragma once

#include <QString>
#include <QStringList>

#include <vector>

#include "core/model/experiment_config.h"

namespace gradscope::app {

struct RunNames {
  QStringList names;  // one per configuration, unique ("run 2" when nothing tells them apart)
  QString title;      // the labels of the differing settings, e.g. "Hidden activation"
  QStringList keys;   // their schema keys, e.g. "model.activation"
};

RunNames nameRunsByDifference(const std::vector<core::ExperimentConfig>& configs);

// The schema keys whose values differ between `a` and `b` (settings that apply to neither
// are skipped).
QStringList differingSettings(const core::ExperimentConfig& a, const core::ExperimentConfig& b);

// The name of a fork: what differs from its parent and where it branched off, e.g.
// "relu from step 2,000", "adam · 0.001 from step 150"; "copy from step 80" when nothing does.
QString forkName(const core::ExperimentConfig& parent, const core::ExperimentConfig& fork,
                 std::int64_t step);

}  // namespace gradscope::app
