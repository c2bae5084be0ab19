// The runs of a comparison as plain values: what each run is (its name, colour and settings)
// and what it has achieved so far (its summary for the results table). The worker publishes
// a RunTable with every snapshot; the Runs panel, the loss overlay and session files read it.
//
// A run is known by its id, which stays the same while other runs are added or removed, so
// the metric history (keyed by run) and the commands that name a run never mix two runs up.
// setRuns() numbers its runs 0, 1, 2, ... in order, so right after it an id is the run's
// index; ids are not reused until the next setRuns().
#pragma once

#include <QList>
#include <QMetaType>
#include <QString>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <vector>

#include "core/model/experiment_config.h"

namespace gradscope::app {

// At most this many runs train side by side (one colour each): room for the optimiser race,
// which trains every registered optimiser.
inline constexpr int kMaxRuns = std::max(8, core::kOptimizerKindCount);

// One configuration of a comparison. An empty name means "named by what differs": the
// worker names the run from the settings in which it differs from the other runs.
struct NamedConfig {
  QString name;
  core::ExperimentConfig config;
  bool operator==(const NamedConfig&) const = default;
};

// What a run has achieved, for the results table. Loss figures are NaN until measured.
struct RunSummary {
  static constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  std::int64_t steps = 0;  // steps trained
  int epochs = 0;          // epochs completed
  // The first step (counted from 1) at which the smoothed training loss (a debiased moving
  // average over ~10 steps) was at or below the target; -1 while it has not been.
  std::int64_t stepsToTarget = -1;
  // The first epoch (counted from 1) whose mean training loss was at or below the target.
  int epochsToTarget = -1;
  double initialLoss = kNaN;  // the loss of the first step (before any update)
  double bestLoss = kNaN;     // lowest epoch-mean training loss
  double finalLoss = kNaN;    // the last epoch's mean training loss
  double bestValLoss = kNaN;  // lowest validation loss (NaN without a validation set)
  double finalValLoss = kNaN;
  double seconds = 0.0;  // time spent in this run's steps
  bool diverged = false;
  std::int64_t divergedAtStep = -1;
  bool finished = false;  // its planned epochs are done, or early stopping ended it
};

struct RunEntry {
  int id = 0;
  QString name;
  bool namedExplicitly = false;
  int colour = 0;  // index into the theme's run colours, unique within the table
  core::ExperimentConfig config;
  RunSummary summary;
  // Why it stopped, in words ("early stopping: ... restored the weights of epoch 23"); empty
  // while it trains.
  QString stopStatus;
  QString stopSummary;  // the same in a few words (the Status cell; stopStatus its tooltip)
  // A fork: the id of the run it branched off and the step (-1 when it is not a fork).
  int forkParent = -1;
  std::int64_t forkStep = -1;
};

struct RunTable {
  std::vector<RunEntry> runs;  // in display order
  int selected = 0;            // id of the run the settings panels edit and the charts show
  // Counts setRuns() calls: a new generation renumbers the runs from 0.
  int generation = 0;
  double targetLoss = 0.1;
  // The labels of the settings in which the runs differ, e.g. "Hidden activation" (empty for
  // a single run or identical runs).
  QString differingSettings;
  // True when the runs differ in their optimiser: the lecture's ratings apply.
  bool comparesOptimizers = false;

  const RunEntry* find(int id) const {
    for (const RunEntry& e : runs) {
      if (e.id == id) return &e;
    }
    return nullptr;
  }
  int indexOf(int id) const {
    for (std::size_t i = 0; i < runs.size(); ++i) {
      if (runs[i].id == id) return int(i);
    }
    return -1;
  }
  // The configurations with their explicit names (empty where named by difference), as
  // setRuns() takes them: what a session file stores to open the comparison again.
  QList<NamedConfig> namedConfigs() const {
    QList<NamedConfig> out;
    for (const RunEntry& e : runs) {
      out.push_back(NamedConfig{e.namedExplicitly ? e.name : QString(), e.config});
    }
    return out;
  }
};

}  // namespace gradscope::app

Q_DECLARE_METATYPE(gradscope::app::NamedConfig)
