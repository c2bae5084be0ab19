#include "app/runs/lockstep.h"

#include "app/sessions/session_size.h"

namespace gradscope::app {

int shareInitialWeights(const TrainingRun& source, TrainingRun& target) {
  if (&source == &target) return 0;
  // Another seed is a setting under study: its weights (and batch order) are its own.
  if (source.config().training.seed != target.config().training.seed) return 0;
  return target.adoptWeights(source.denseWeights());
}

void shareInitialWeights(const std::vector<TrainingRun*>& runs) {
  if (runs.size() < 2) return;
  const std::vector<DenseWeights> first = runs.front()->denseWeights();
  for (std::size_t i = 1; i < runs.size(); ++i) {
    if (runs[i]->config().training.seed == runs.front()->config().training.seed) {
      runs[i]->adoptWeights(first);
    }
  }
}

std::vector<std::unique_ptr<TrainingRun>> createLockstepRuns(
    const std::vector<core::ExperimentConfig>& configs) {
  // Refused as a whole before any run is built when their states could not be saved together.
  checkComparisonFitsSession(configs);
  std::vector<std::unique_ptr<TrainingRun>> runs;
  std::vector<TrainingRun*> pointers;
  for (const core::ExperimentConfig& config : configs) {
    runs.push_back(TrainingRun::create(config));
    pointers.push_back(runs.back().get());
  }
  shareInitialWeights(pointers);
  return runs;
}

}  // namespace gradscope::app
