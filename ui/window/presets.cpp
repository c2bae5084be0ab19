#include "ui/window/presets.h"

#include <QObject>

#include <cmath>

#include "app/scenarios/default_experiment.h"
#include "core/model/settings_schema.h"

namespace gradscope::ui {

namespace {

using core::SettingValue;

void set(core::ExperimentConfig& config, const char* key, SettingValue value) {
  core::setSetting(config, key, value);
}

// 1cycle over the run, peaking at `maxRate` (a rate that suits Nadam on the built-in sets;
// the LR range test finds one for the data at hand).
void oneCycle(core::ExperimentConfig& config, double maxRate) {
  set(config, "schedule.type", std::string("one_cycle"));
  set(config, "schedule.max_rate", maxRate);
  set(config, "schedule.total_steps", plannedSteps(config));
}

void nadam(core::ExperimentConfig& config) {
  set(config, "optimizer.type", std::string("nadam"));
  set(config, "optimizer.learning_rate", 0.001);
}

}  // namespace

std::int64_t plannedSteps(const core::ExperimentConfig& config) {
  const double train = std::max(
      1.0, std::floor(double(config.data.samples) * (1.0 - config.split.validationFraction)));
  const double perEpoch =
      std::ceil(train / double(std::max<core::Index>(1, config.training.batchSize)));
  return std::max<std::int64_t>(1, std::int64_t(perEpoch) * config.training.epochs);
}

core::ExperimentConfig defaultPreset(const core::ExperimentConfig&) {
  return app::defaultExperiment();
}

core::ExperimentConfig denseDefault(const core::ExperimentConfig& current) {
  core::ExperimentConfig c = current;
  c.network.reset();
  set(c, "model.initializer", std::string("he_normal"));
  set(c, "model.activation", std::string("elu"));
  c.model.layerActivations.clear();
  set(c, "model.batch_norm", std::string(c.model.hiddenLayers > 5 ? "after_activation" : "none"));
  set(c, "model.dropout", 0.0);
  set(c, "model.alpha_dropout", false);
  if (c.split.validationFraction <= 0.0) set(c, "data.validation_split", 0.2);
  set(c, "early_stopping.enabled", true);
  set(c, "early_stopping.monitor", std::string("val_loss"));
  set(c, "early_stopping.patience", std::int64_t(10));
  set(c, "early_stopping.restore_best_weights", true);
  // 1cycle's rising half makes val_loss noisy: stop only once the rate comes down.
  set(c, "early_stopping.start_from_epoch", std::int64_t(c.training.epochs / 2));
  nadam(c);
  oneCycle(c, 0.01);
  return c;
}

core::ExperimentConfig selfNormalising(const core::ExperimentConfig& current) {
  core::ExperimentConfig c = current;
  c.network.reset();
  set(c, "model.initializer", std::string("lecun_normal"));
  set(c, "model.activation", std::string("selu"));
  c.model.layerActivations.clear();
  set(c, "model.batch_norm", std::string("none"));
  set(c, "model.alpha_dropout", true);
  set(c, "model.dropout", 0.0);
  set(c, "model.l2", 0.0);
  set(c, "data.standardize", true);
  nadam(c);
  oneCycle(c, 0.01);
  return c;
}

const std::vector<Preset>& presets() {
  static const std::vector<Preset> list{
      {QObject::tr("Default experiment"),
       QObject::tr("Two spirals, four tanh layers of 16 units, SGD with momentum 0.9: it "
                   "learns within seconds."),
       defaultPreset},
      {QObject::tr("Dense default"),
       QObject::tr("The lecture's default for dense networks: He initialisation, ELU, "
                   "BatchNorm if the network is deep (more than 5 hidden layers), early "
                   "stopping on val_loss (patience 10, best weights restored), Nadam and a "
                   "1cycle schedule."),
       denseDefault},
      {QObject::tr("Self-normalising"),
       QObject::tr("A self-normalising network: LeCun initialisation, SELU, no BatchNorm, "
                   "standardised inputs, alpha dropout (rate 0 here: raise it if the network "
                   "overfits), Nadam and 1cycle."),
       selfNormalising},
  };
  return list;
}

}  // namespace gradscope::ui
