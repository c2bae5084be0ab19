#include "core/regions/activation_patterns.h"

#include <algorithm>
#include <cstring>

#include "core/layers/activation_layer.h"
#include "core/model/random.h"

namespace gradscope::core {

bool isPiecewiseLinear(ActivationKind kind) {
  return kind == ActivationKind::Linear || hasKink(kind);
}

bool hasKink(ActivationKind kind) {
  return kind == ActivationKind::Relu || kind == ActivationKind::LeakyRelu;
}

PiecewiseLinearCheck checkPiecewiseLinear(const NetworkSpec& spec) {
  PiecewiseLinearCheck check;
  int lastDense = -1;
  for (std::size_t i = 0; i < spec.layers.size(); ++i) {
    if (spec.layers[i].kind == LayerKind::Dense) lastDense = int(i);
  }
  // Input width of each layer, for the units an Activation layer sees.
  Index width = spec.inputs;
  for (int i = 0; i < lastDense; ++i) {
    const LayerSpec& layer = spec.layers[std::size_t(i)];
    const bool activates = layer.kind == LayerKind::Dense || layer.kind == LayerKind::Activation;
    if (activates) {
      const ActivationKind kind = layer.activation.kind;
      if (!isPiecewiseLinear(kind)) {
        check.piecewiseLinear = false;
        check.reason = "layers[" + std::to_string(i) + "] (" + std::string(toString(layer.kind)) +
                       ") uses " + std::string(toString(kind)) + ", which is not piecewise linear";
        check.layers.clear();
        check.units = 0;
        return check;
      }
      const Index units = layer.kind == LayerKind::Dense ? layer.units : width;
      if (hasKink(kind)) {
        check.layers.push_back(i);
        check.units += int(units);
      }
    }
    if (layer.kind == LayerKind::Dense) width = layer.units;
  }
  return check;
}

bool ActivationPatterns::samePattern(Index a, Index b) const {
  return std::memcmp(pattern(a), pattern(b), std::size_t(words) * sizeof(std::uint64_t)) == 0;
}

template <typename T>
void appendActivationPatterns(const Network<T>& net, const PiecewiseLinearCheck& check,
                              ActivationPatterns& patterns) {
  if (patterns.points == 0) {
    patterns.units = check.units;
    patterns.words = std::max(1, (check.units + 63) / 64);
    patterns.bits.clear();
  }
  const Index n = net.output().cols();
  const std::size_t words = std::size_t(patterns.words);
  const std::size_t first = patterns.bits.size();
  patterns.bits.resize(first + std::size_t(n) * words, 0);
  std::uint64_t* bits = patterns.bits.data() + first;
  int unit = 0;
  for (const int i : check.layers) {
    // The activation's input: a Dense layer's own pre-activation, an Activation layer's input.
    const Matrix<T>* z = nullptr;
    if (const auto* dense = net.template layerAs<DenseLayer<T>>(i)) {
      z = &dense->preActivation();
    } else {
      z = i == 0 ? &net.input() : &net.layerOutput(i - 1);
    }
    // One point's units are a contiguous column: read them in order.
    const Index units = z->rows();
    for (Index p = 0; p < n; ++p) {
      const T* column = z->data() + p * units;
      std::uint64_t* pattern = bits + std::size_t(p) * words;
      // Up to 64 states gathered in a register, then or-ed into their word.
      int bit = unit;
      for (Index u = 0; u < units;) {
        const int shift = bit % 64;
        const Index take = std::min<Index>(units - u, 64 - shift);
        std::uint64_t states = 0;
        const T* z = column + u;
        Index k = 0;
        // Eight at a time with constant shifts (a variable shift is slow on x86).
        for (; k + 8 <= take; k += 8) {
          const std::uint64_t byte =
              std::uint64_t(z[k] > T(0)) | std::uint64_t(z[k + 1] > T(0)) << 1 |
              std::uint64_t(z[k + 2] > T(0)) << 2 | std::uint64_t(z[k + 3] > T(0)) << 3 |
              std::uint64_t(z[k + 4] > T(0)) << 4 | std::uint64_t(z[k + 5] > T(0)) << 5 |
              std::uint64_t(z[k + 6] > T(0)) << 6 | std::uint64_t(z[k + 7] > T(0)) << 7;
          states |= byte << k;
        }
        for (; k < take; ++k) states |= std::uint64_t(z[k] > T(0)) << k;
        pattern[bit / 64] |= states << shift;
        u += take;
        bit += int(take);
      }
    }
    unit += int(units);
  }
  patterns.points += n;
}

template <typename T>
ActivationPatterns activationPatterns(Network<T>& net, const Matrix<T>& inputs, Index chunk) {
  const PiecewiseLinearCheck check = checkPiecewiseLinear(net.spec());
  ActivationPatterns patterns;
  patterns.units = check.units;
  patterns.words = std::max(1, (check.units + 63) / 64);
  Rng unused(0);
  chunk = std::max<Index>(1, chunk);
  for (Index from = 0; from < inputs.cols(); from += chunk) {
    const Matrix<T> part = inputs.middleCols(from, std::min(chunk, inputs.cols() - from));
    net.forward(part, Mode::Inference, unused);
    appendActivationPatterns(net, check, patterns);
  }
  return patterns;
}

template void appendActivationPatterns(const Network<float>&, const PiecewiseLinearCheck&,
                                       ActivationPatterns&);
template void appendActivationPatterns(const Network<double>&, const PiecewiseLinearCheck&,
                                       ActivationPatterns&);
template ActivationPatterns activationPatterns(Network<float>&, const Matrix<float>&, Index);
template ActivationPatterns activationPatterns(Network<double>&, const Matrix<double>&, Index);

}  // namespace gradscope::core
