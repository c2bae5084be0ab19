// The lecture's "configurations in practice" table as presets: each turns the current
// experiment (its data, depth and width are kept) into the recommended configuration, through
// the settings schema's keys, so a preset is exactly what the panels could set by hand.
#pragma once

#include <QString>

#include <functional>
#include <vector>

#include "core/model/experiment_config.h"

namespace gradscope::ui {

struct Preset {
  QString name;
  QString description;  // one or two sentences, shown as the tooltip
  std::function<core::ExperimentConfig(const core::ExperimentConfig&)> make;
};

// "Default experiment", "Dense default", "Self-normalising".
const std::vector<Preset>& presets();

// The experiment of the first launch (two spirals, 4 x 16 tanh, SGD with momentum).
core::ExperimentConfig defaultPreset(const core::ExperimentConfig& current);
// He normal, ELU, BatchNorm after the activation when deeper than 5 hidden layers, early
// stopping (val_loss, patience 10, best weights restored) over the second half of the run,
// Nadam, 1cycle over the planned epochs.
core::ExperimentConfig denseDefault(const core::ExperimentConfig& current);
// LeCun normal, SELU, no BatchNorm, alpha dropout (rate 0: raise it only if it overfits),
// standardised inputs, Nadam, 1cycle over the planned epochs.
core::ExperimentConfig selfNormalising(const core::ExperimentConfig& current);

// Training steps of the planned epochs (for a 1cycle that spans them).
std::int64_t plannedSteps(const core::ExperimentConfig& config);

}  // namespace gradscope::ui
