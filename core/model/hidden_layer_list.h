// The one-line text form of a network's hidden layers (the `model.layers` setting), as a
// lecturer types it:
//
//   "300 relu, 100 relu"                   two Dense layers of 300 and 100 ReLU units
//   "100x20 selu"                          a hundred layers of 20 SELU units (layers x units)
//   "bn, 300 relu bn, 100 relu bn"         BatchNorm on the inputs and after each layer
//   "64 elu bn_before dropout 0.2, 32 tanh"
//
// Items are separated by commas. An item is [COUNTx]UNITS, then an activation name (the
// hidden activations of the schema; the default activation when left out), then options:
// "bn" (BatchNorm after the activation), "bn_before" (BatchNorm between the Dense layer and its
// activation) and "dropout RATE". A first item "bn" alone puts BatchNorm on the inputs. An
// empty text is the equal stack of model.hidden_layers x model.width.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/model/experiment_config.h"

namespace gradscope::core {

struct HiddenLayerList {
  std::vector<HiddenLayer> layers;
  bool inputBatchNorm = false;
  bool operator==(const HiddenLayerList&) const = default;
};

// Throws Error naming the layer (1-based) and the field, e.g. "model.layers[2].units: 'x' is
// not a whole number" or "model.layers[3].activation: unknown activation 'swish'".
HiddenLayerList parseHiddenLayers(std::string_view text, const ActivationSpec& defaultActivation,
                                  const std::string& field = "model.layers");
// The text form; runs of equal layers are written "COUNTxUNITS". parseHiddenLayers() of the
// result gives the same list back.
std::string formatHiddenLayers(const std::vector<HiddenLayer>& layers, bool inputBatchNorm);

}  // namespace gradscope::core
