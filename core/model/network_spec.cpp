#include "core/model/network_spec.h"

#include <cmath>

namespace gradscope::core {

std::string_view toString(LayerKind kind) {
  switch (kind) {
    case LayerKind::Dense:
      return "dense";
    case LayerKind::Activation:
      return "activation";
    case LayerKind::BatchNormalization:
      return "batch_normalization";
    case LayerKind::Dropout:
      return "dropout";
    case LayerKind::AlphaDropout:
      return "alpha_dropout";
  }
  return "dense";
}

std::optional<LayerKind> layerKindFromString(std::string_view name) {
  for (auto kind : {LayerKind::Dense, LayerKind::Activation, LayerKind::BatchNormalization,
                    LayerKind::Dropout, LayerKind::AlphaDropout}) {
    if (toString(kind) == name) return kind;
  }
  return std::nullopt;
}

LayerSpec LayerSpec::dense(Index units, ActivationKind activation, InitializerKind init) {
  LayerSpec spec;
  spec.kind = LayerKind::Dense;
  spec.units = units;
  spec.activation.kind = activation;
  spec.kernelInitializer.kind = init;
  return spec;
}

LayerSpec LayerSpec::activationLayer(ActivationKind activation) {
  LayerSpec spec;
  spec.kind = LayerKind::Activation;
  spec.activation.kind = activation;
  return spec;
}

LayerSpec LayerSpec::batchNormalization() {
  LayerSpec spec;
  spec.kind = LayerKind::BatchNormalization;
  return spec;
}

LayerSpec LayerSpec::dropout(double rate) {
  LayerSpec spec;
  spec.kind = LayerKind::Dropout;
  spec.rate = rate;
  return spec;
}

LayerSpec LayerSpec::alphaDropout(double rate) {
  LayerSpec spec;
  spec.kind = LayerKind::AlphaDropout;
  spec.rate = rate;
  return spec;
}

void validate(const NetworkSpec& spec) {
  if (spec.inputs < 1 || spec.inputs > kMaxUnits) {
    throw Error("inputs", "must be in [1, " + std::to_string(kMaxUnits) + "]");
  }
  if (spec.layers.size() > std::size_t(kMaxLayers)) {
    throw Error("layers", "at most " + std::to_string(kMaxLayers) + " layers are supported, got " +
                              std::to_string(spec.layers.size()));
  }
  Index width = spec.inputs;
  double parameters = 0;
  for (std::size_t i = 0; i < spec.layers.size(); ++i) {
    const LayerSpec& layer = spec.layers[i];
    const std::string field = "layers[" + std::to_string(i) + "]";
    switch (layer.kind) {
      case LayerKind::Dense:
        if (layer.units < 1 || layer.units > kMaxUnits) {
          throw Error(field + ".units", "must be in [1, " + std::to_string(kMaxUnits) + "]");
        }
        if (!(layer.l2 >= 0.0 && layer.l2 <= 100.0)) {
          throw Error(field + ".l2", "must be in [0, 100]");
        }
        if (layer.activation.kind == ActivationKind::Softmax && i + 1 != spec.layers.size()) {
          throw Error(field + ".activation", "softmax is only allowed on the output layer");
        }
        validate(layer.activation, field + ".activation");
        validate(layer.kernelInitializer, field + ".kernel_initializer");
        validate(layer.biasInitializer, field + ".bias_initializer");
        parameters += double(width) * double(layer.units) + (layer.useBias ? layer.units : 0);
        width = layer.units;
        break;
      case LayerKind::Activation:
        validate(layer.activation, field + ".activation");
        if (layer.activation.kind == ActivationKind::Softmax && i + 1 != spec.layers.size()) {
          throw Error(field + ".activation", "softmax is only allowed on the output layer");
        }
        break;
      case LayerKind::BatchNormalization:
        if (!(layer.momentum >= 0.0 && layer.momentum < 1.0)) {
          throw Error(field + ".momentum", "must be in [0, 1)");
        }
        if (!(layer.epsilon > 0.0 && layer.epsilon <= 1.0)) {
          throw Error(field + ".epsilon", "must be in (0, 1]");
        }
        parameters += 2.0 * double(width);
        break;
      case LayerKind::Dropout:
      case LayerKind::AlphaDropout:
        if (!(layer.rate >= 0.0 && layer.rate < 1.0)) {
          throw Error(field + ".rate", "must be in [0, 1)");
        }
        break;
    }
    if (parameters > double(kMaxParameters)) {
      throw Error(field, "the network would have more than " + std::to_string(kMaxParameters) +
                             " parameters");
    }
  }
}

Index outputSize(const NetworkSpec& spec) {
  Index width = spec.inputs;
  for (const auto& layer : spec.layers) {
    if (layer.kind == LayerKind::Dense) width = layer.units;
  }
  return width;
}

}  // namespace gradscope::core
