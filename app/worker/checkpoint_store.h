// Checkpoints of one run, so that any earlier step can be reached again exactly: the complete
// training state (core/model/trainer_state.h: weights, BatchNorm statistics, optimiser slots,
// callbacks, random streams, data order, counters) every `interval` steps, kept within a
// memory budget, together with every change made to the run (a new configuration, new
// weights) at the step it was made.
//
// Reaching step t restores the nearest checkpoint at or before t and replays the steps from
// there, making each recorded change again at its step. The trainer is deterministic, so the
// state reached is bit for bit the state the run had at t.
//
// Thinning: when a new checkpoint would pass the budget, the checkpoint whose removal costs
// least goes, the cost being the gap its removal leaves divided by its age (steps before the
// newest). Gaps thus grow in proportion to age: dense near the present, sparse far back, and
// the replay to any step stays bounded (about age * ln(steps / interval) / count steps). The
// first checkpoint (the run's origin), the newest and those taken at new weights are never
// removed: every step stays reachable.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/model/experiment_config.h"
#include "core/model/trainer_state.h"

namespace gradscope::app {

class TrainingRun;

class CheckpointStore {
 public:
  static constexpr std::int64_t kDefaultInterval = 100;
  static constexpr std::size_t kDefaultBudgetBytes = std::size_t(256) << 20;

  explicit CheckpointStore(std::size_t budgetBytes = kDefaultBudgetBytes,
                           std::int64_t interval = kDefaultInterval);

  // Forgets everything and takes the run's present state as the origin: steps before it are
  // no longer reachable (a reset, new runs, an opened session).
  void restart(const TrainingRun& run);
  // After each step of the run: a checkpoint when one is due (every `interval` steps).
  void afterStep(const TrainingRun& run);
  // The run's configuration was changed (TrainingRun::apply) at its present step.
  void recordConfig(const TrainingRun& run);
  // The run drew new weights (TrainingRun::reinitialize, and in a comparison the first run's
  // where the layers match) at its present step: kept as a checkpoint that is never thinned,
  // so that no replay has to draw them again.
  void recordReinitialize(const TrainingRun& run);

  // Brings `run` to `step`, which must lie between the origin and the newest step reached
  // (throws core::Error("step", ...) otherwise, the run unchanged). The run is left with the
  // configuration it had at that step. Replayed steps go through the run's probes.
  void reach(TrainingRun& run, std::int64_t step) const;
  // The run goes on from `step` (after reach()): what was recorded after it is a future that
  // no longer happens, and is dropped.
  void discardAfter(std::int64_t step);

  void setBudget(std::size_t bytes);
  std::size_t budget() const { return m_budget; }
  std::int64_t interval() const { return m_interval; }
  std::size_t bytes() const { return m_bytes; }
  std::size_t count() const { return m_checkpoints.size(); }
  bool empty() const { return m_checkpoints.empty(); }
  std::int64_t firstStep() const;
  std::int64_t lastStep() const { return m_lastStep; }
  std::vector<std::int64_t> steps() const;
  // The most steps a reach() has to replay (the widest gap, or from the newest checkpoint
  // to the newest step).
  std::int64_t longestReplay() const;

  // The memory a state takes in the store (its arrays and bookkeeping).
  static std::size_t sizeOf(const core::TrainerState& state);

 private:
  struct Change {
    std::int64_t step = 0;
    bool reinitialize = false;
    core::ExperimentConfig config;  // the run's configuration after the change
  };
  struct Checkpoint {
    core::TrainerState state;
    core::ExperimentConfig config;
    std::size_t changes = 0;  // how many recorded changes the state already includes
    std::size_t bytes = 0;
    bool pinned = false;  // never thinned
    std::int64_t step() const { return state.step; }
  };

  void add(const TrainingRun& run, bool pinned = false);
  void thin();

  std::size_t m_budget;
  std::int64_t m_interval;
  std::size_t m_bytes = 0;
  std::int64_t m_lastStep = 0;
  std::vector<Checkpoint> m_checkpoints;  // by step
  std::vector<Change> m_changes;          // by step, in the order made
};

}  // namespace gradscope::app
