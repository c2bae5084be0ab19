// Activation patterns of a piecewise-linear network (Hanin & Rolnick 2019, "Deep ReLU networks
// have surprisingly few activation patterns", NeurIPS).
//
// A hidden unit with a piecewise-linear activation (relu, leaky_relu) has two linear pieces,
// split at z = 0; its state at an input x is on (z > 0) or off. The activation pattern of x is
// the state of every such hidden unit, in layer order. On the set of inputs sharing a pattern
// every pre-activation is one affine function of x, so the pattern's constraints are linear
// inequalities: the set is a convex polytope, an activation region, on which the network's
// output (its logits) is affine. Counting distinct patterns therefore counts regions.
//
// Hidden units are those of the layers before the last Dense layer. The output layer's
// activation (sigmoid, softmax) is left out: it is applied to one affine function per region.
// Linear hidden activations add no piece; BatchNormalization in inference mode is affine and
// dropout is the identity, so neither changes the pieces. Any other hidden activation (sigmoid,
// tanh, elu, selu, softmax) is curved, and the network has no linear regions to count.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/model/network.h"
#include "core/model/network_spec.h"

namespace gradscope::core {

// Whether a network has linear regions, and which units make its patterns.
struct PiecewiseLinearCheck {
  bool piecewiseLinear = true;
  // When not: why, naming the layer, e.g. "layers[0] (dense) uses tanh, which is not
  // piecewise linear".
  std::string reason;
  // The layers whose units enter the pattern: Dense layers judged by their pre-activation,
  // Activation layers by their input.
  std::vector<int> layers;
  int units = 0;  // hidden units with two pieces (the pattern's length in bits)
};

PiecewiseLinearCheck checkPiecewiseLinear(const NetworkSpec& spec);
bool isPiecewiseLinear(ActivationKind kind);  // linear, relu, leaky_relu
bool hasKink(ActivationKind kind);            // relu, leaky_relu: two pieces split at 0

// The patterns of a batch of inputs, packed 64 unit states per word (bit u % 64 of word
// u / 64 is unit u, 1 = on).
struct ActivationPatterns {
  int units = 0;
  int words = 0;  // per point: (units + 63) / 64, at least 1
  Index points = 0;
  std::vector<std::uint64_t> bits;  // points * words, point-major

  const std::uint64_t* pattern(Index point) const {
    return bits.data() + std::size_t(point) * std::size_t(words);
  }
  bool unitOn(Index point, int unit) const {
    return (pattern(point)[unit / 64] >> (unit % 64)) & 1u;
  }
  bool samePattern(Index a, Index b) const;
};

// Appends the patterns of the columns of `net`'s last forward() to `patterns` (whose units
// must be check.units; an empty one is set up for them). `check` comes from the net's spec.
template <typename T>
void appendActivationPatterns(const Network<T>& net, const PiecewiseLinearCheck& check,
                              ActivationPatterns& patterns);

// Evaluates `net` in inference mode on `inputs` (features x points, the network's input
// coordinates) in chunks of `chunk` columns, so the layers' buffers stay small, and returns
// every point's pattern. The network's outputs afterwards are those of the last chunk.
template <typename T>
ActivationPatterns activationPatterns(Network<T>& net, const Matrix<T>& inputs, Index chunk = 4096);

}  // namespace gradscope::core
