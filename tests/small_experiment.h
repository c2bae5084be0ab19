// The experiment the dashboard tests start from: the default one with a smaller data set
// (256 samples), planned for enough epochs (1000) that no test runs out of steps.
#pragma once

#include "app/scenarios/default_experiment.h"

namespace gradscope {

inline core::ExperimentConfig smallExperiment() {
  core::ExperimentConfig c = app::defaultExperiment();
  c.data.samples = 256;
  c.training.epochs = 1000;
  return c;
}

}  // namespace gradscope
