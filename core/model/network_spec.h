// The description of a sequential network as plain values: what the GUI edits, sessions
// save and the reference tests build. A Network is built from one.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "core/layers/activation.h"
#include "core/layers/initializer.h"
#include "core/model/types.h"

namespace gradscope::core {

// Documented limits: beyond them a setting is refused with a message naming it. They keep
// a mistyped value (10^9 layers, a 10^7-unit layer) from allocating absurd amounts.
inline constexpr int kMaxLayers = 1000;               // layers of every kind in one network
inline constexpr Index kMaxUnits = 16384;             // units of one layer, and input features
inline constexpr Index kMaxParameters = 200'000'000;  // 800 MB of float32 weights

enum class LayerKind { Dense, Activation, BatchNormalization, Dropout, AlphaDropout };

std::string_view toString(LayerKind kind);
std::optional<LayerKind> layerKindFromString(std::string_view name);

struct LayerSpec {
  LayerKind kind = LayerKind::Dense;

  // Dense: z = x K + b (Keras layout K: inputs x units), then the activation.
  Index units = 0;
  ActivationSpec activation;  // also the Activation layer's function
  bool useBias = true;
  double l2 = 0.0;  // kernel_regularizer l2: adds l2 * sum(K^2) to the loss
  InitializerSpec kernelInitializer;
  InitializerSpec biasInitializer{InitializerKind::Zeros};

  // BatchNormalization (Keras defaults). trainable = false runs it in inference mode.
  double momentum = 0.99;
  double epsilon = 1e-3;
  // PyTorch's running_var: the unbiased n/(n-1) batch variance (Keras: the biased one).
  bool unbiasedMovingVariance = false;
  bool center = true;  // learn beta
  bool scale = true;   // learn gamma
  bool trainable = true;

  // Dropout / AlphaDropout.
  double rate = 0.0;

  bool operator==(const LayerSpec&) const = default;

  static LayerSpec dense(Index units, ActivationKind activation,
                         InitializerKind init = InitializerKind::GlorotUniform);
  static LayerSpec activationLayer(ActivationKind activation);
  static LayerSpec batchNormalization();
  static LayerSpec dropout(double rate);
  static LayerSpec alphaDropout(double rate);
};

struct NetworkSpec {
  Index inputs = 2;
  std::vector<LayerSpec> layers;
  bool operator==(const NetworkSpec&) const = default;
};

// Throws Error naming the first bad field, e.g. "layers[3].units: must be in [1, 16384]".
void validate(const NetworkSpec& spec);

// Output width of the network (the last Dense's units, or inputs when there is none).
Index outputSize(const NetworkSpec& spec);

}  // namespace gradscope::core
