#include "core/model/experiment_config.h"

#include "core/model/settings_schema.h"

namespace gradscope::core {

std::string_view toString(BatchNormPlacement placement) {
  switch (placement) {
    case BatchNormPlacement::None:
      return "none";
    case BatchNormPlacement::BeforeActivation:
      return "before_activation";
    case BatchNormPlacement::AfterActivation:
      return "after_activation";
  }
  return "none";
}

std::optional<BatchNormPlacement> batchNormPlacementFromString(std::string_view name) {
  for (auto p : {BatchNormPlacement::None, BatchNormPlacement::BeforeActivation,
                 BatchNormPlacement::AfterActivation}) {
    if (toString(p) == name) return p;
  }
  return std::nullopt;
}

std::string_view toString(Precision precision) {
  return precision == Precision::Float64 ? "float64" : "float32";
}

std::optional<Precision> precisionFromString(std::string_view name) {
  if (name == "float32") return Precision::Float32;
  if (name == "float64") return Precision::Float64;
  return std::nullopt;
}

ActivationSpec ModelConfig::activationOf(int hiddenLayer) const {
  if (!layers.empty()) {
    return hiddenLayer >= 0 && std::size_t(hiddenLayer) < layers.size()
               ? layers[std::size_t(hiddenLayer)].activation
               : hiddenActivation;
  }
  if (hiddenLayer >= 0 && std::size_t(hiddenLayer) < layerActivations.size() &&
      layerActivations[std::size_t(hiddenLayer)]) {
    return *layerActivations[std::size_t(hiddenLayer)];
  }
  return hiddenActivation;
}

bool redrawsWeights(const ModelConfig& before, const ModelConfig& after) {
  if (before.inputBatchNorm != after.inputBatchNorm) return true;
  const std::vector<HiddenLayer> a = before.hiddenLayerList(), b = after.hiddenLayerList();
  if (a.size() != b.size()) return true;
  for (std::size_t i = 0; i < a.size(); ++i) {
    // Before or after the activation, BatchNorm's parameters keep their shape.
    const bool normA = a[i].batchNorm != BatchNormPlacement::None;
    const bool normB = b[i].batchNorm != BatchNormPlacement::None;
    if (a[i].units != b[i].units || normA != normB) return true;
  }
  return false;
}

std::vector<HiddenLayer> ModelConfig::hiddenLayerList() const {
  if (!layers.empty()) return layers;
  std::vector<HiddenLayer> list;
  for (int i = 0; i < hiddenLayers; ++i) {
    list.push_back(HiddenLayer{width, activationOf(i), batchNorm, dropoutRate});
  }
  return list;
}

LossKind lossFor(TaskKind task) {
  switch (task) {
    case TaskKind::Regression:
      return LossKind::MeanSquaredError;
    case TaskKind::Binary:
      return LossKind::BinaryCrossentropy;
    case TaskKind::MultiClass:
      return LossKind::CategoricalCrossentropy;
  }
  return LossKind::MeanSquaredError;
}

ActivationKind outputActivationFor(TaskKind task) {
  switch (task) {
    case TaskKind::Regression:
      return ActivationKind::Linear;
    case TaskKind::Binary:
      return ActivationKind::Sigmoid;
    case TaskKind::MultiClass:
      return ActivationKind::Softmax;
  }
  return ActivationKind::Linear;
}

void validate(const ModelConfig& model) {
  // The schema's ranges: one set of limits for the panels, the files and the engine.
  checkSettingRange("model.hidden_layers", double(model.hiddenLayers));
  checkSettingRange("model.width", double(model.width));
  if (model.hiddenActivation.kind == ActivationKind::Softmax) {
    throw Error("model.activation", "softmax is only used by the output layer");
  }
  checkSettingRange("model.dropout", model.dropoutRate);
  checkSettingRange("model.l2", model.l2);
  if (int(model.layers.size()) > kMaxLayers / 4) {
    throw Error("model.layers", "at most " + std::to_string(kMaxLayers / 4) + " hidden layers");
  }
  for (std::size_t i = 0; i < model.layers.size(); ++i) {
    const HiddenLayer& layer = model.layers[i];
    const std::string at = "model.layers[" + std::to_string(i + 1) + "].";
    if (layer.units < 1 || layer.units > kMaxUnits) {
      throw Error(at + "units", "must be in [1, " + std::to_string(kMaxUnits) + "]");
    }
    if (layer.activation.kind == ActivationKind::Softmax) {
      throw Error(at + "activation", "softmax is only used by the output layer");
    }
    validate(layer.activation, at + "activation");
    if (!(layer.dropoutRate >= 0.0 && layer.dropoutRate < 1.0)) {
      throw Error(at + "dropout", "must be in [0, 1)");
    }
  }
  validate(model.hiddenActivation, "model.activation");
  validate(model.initializer, "model.initializer");
}

NetworkSpec buildNetworkSpec(const ModelConfig& model, Index inputs, Index outputs, TaskKind task,
                             Conventions conventions) {
  validate(model);
  NetworkSpec spec;
  spec.inputs = inputs;
  auto dense = [&](Index units, ActivationSpec activation) {
    LayerSpec layer = LayerSpec::dense(units, activation.kind);
    layer.activation = activation;
    layer.kernelInitializer = model.initializer;
    // torch.nn.Linear draws its bias too; every Keras initialiser leaves the bias at zero.
    if (model.initializer.kind == InitializerKind::PytorchDefault) {
      layer.biasInitializer = InitializerSpec{InitializerKind::PytorchDefault};
    }
    layer.l2 = model.l2;
    return layer;
  };
  if (model.inputBatchNorm) spec.layers.push_back(LayerSpec::batchNormalization());
  for (const HiddenLayer& hidden : model.hiddenLayerList()) {
    const ActivationSpec activation = hidden.activation;
    if (hidden.batchNorm == BatchNormPlacement::BeforeActivation) {
      // Dense -> BatchNorm -> activation: BN normalises the pre-activations.
      spec.layers.push_back(dense(hidden.units, ActivationSpec{ActivationKind::Linear}));
      spec.layers.push_back(LayerSpec::batchNormalization());
      LayerSpec act = LayerSpec::activationLayer(activation.kind);
      act.activation = activation;
      spec.layers.push_back(act);
    } else {
      spec.layers.push_back(dense(hidden.units, activation));
      if (hidden.batchNorm == BatchNormPlacement::AfterActivation) {
        spec.layers.push_back(LayerSpec::batchNormalization());
      }
    }
    if (hidden.dropoutRate > 0.0) {
      spec.layers.push_back(model.alphaDropout ? LayerSpec::alphaDropout(hidden.dropoutRate)
                                               : LayerSpec::dropout(hidden.dropoutRate));
    }
  }
  spec.layers.push_back(dense(outputs, ActivationSpec{outputActivationFor(task)}));
  if (conventions == Conventions::PyTorch) {
    for (LayerSpec& layer : spec.layers) {
      if (layer.kind != LayerKind::BatchNormalization) continue;
      layer.momentum = kPytorchBatchNormMomentum;  // torch.nn.BatchNorm1d(momentum=0.1,
      layer.epsilon = kPytorchBatchNormEpsilon;    //   eps=1e-5)
      layer.unbiasedMovingVariance = true;
    }
  }
  validate(spec);
  return spec;
}

std::vector<int> denseLayerIndices(const NetworkSpec& spec) {
  std::vector<int> result;
  for (std::size_t i = 0; i < spec.layers.size(); ++i) {
    if (spec.layers[i].kind == LayerKind::Dense) result.push_back(int(i));
  }
  return result;
}

void switchConventions(ExperimentConfig& config, Conventions conventions) {
  const Conventions from = config.optimizer.conventions;
  if (from == conventions) return;
  const OptimizerSettings before = OptimizerSettings::defaultsFor(config.optimizer.kind, from);
  const OptimizerSettings after =
      OptimizerSettings::defaultsFor(config.optimizer.kind, conventions);
  for (const OptimizerParameter& p : optimizerParameters()) {
    if (!p.real || p.key == "learning_rate") continue;
    if (config.optimizer.*p.real == before.*p.real) config.optimizer.*p.real = after.*p.real;
  }
  config.optimizer.conventions = conventions;
  InitializerKind& init = config.model.initializer.kind;
  const InitializerKind defaultBefore = from == Conventions::PyTorch
                                            ? InitializerKind::PytorchDefault
                                            : InitializerKind::GlorotUniform;
  if (init == defaultBefore) {
    init = conventions == Conventions::PyTorch ? InitializerKind::PytorchDefault
                                               : InitializerKind::GlorotUniform;
  }
}

void validate(const ExperimentConfig& config) {
  config.data.validate();
  checkSettingRange("data.validation_split", config.split.validationFraction);
  if (config.split.subset < 0 || config.split.subset > kMaxDatasetSamples)
    throw Error("data.subset", "must be in [0, " + std::to_string(kMaxDatasetSamples) + "]");
  if (config.network) {
    validate(*config.network);
  } else {
    validate(config.model);
  }
  validate(config.optimizer);
  // A 1cycle of length 0 spans the planned run: the trainer fills in the length.
  ScheduleSettings schedule = config.schedule;
  if (schedule.kind == ScheduleKind::OneCycle && schedule.totalSteps <= 0) schedule.totalSteps = 1;
  validate(schedule);
  validate(config.training);
}

}  // namespace gradscope::core
