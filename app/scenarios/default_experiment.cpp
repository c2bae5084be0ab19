#include "app/scenarios/default_experiment.h"

namespace gradscope::app {

core::ExperimentConfig defaultExperiment() {
  core::ExperimentConfig config;
  config.data.kind = core::DatasetKind::Spirals;
  config.data.samples = 600;
  config.data.noise = 0.05;
  config.model.hiddenLayers = 4;
  config.model.width = 16;
  config.model.hiddenActivation = core::ActivationSpec{core::ActivationKind::Tanh};
  config.optimizer = core::OptimizerSettings::defaultsFor(core::OptimizerKind::Momentum);
  config.optimizer.momentum = 0.9;
  config.optimizer.learningRate = 0.05;
  config.training.epochs = 500;
  return config;
}

}  // namespace gradscope::app
