#include "core/backprop/backprop_trace.h"

namespace gradscope::core {

const BackpropPathSum* BackpropTrace::pathSum(int input, int unit) const {
  for (const BackpropPathSum& sum : paths) {
    if (sum.input == input && sum.unit == unit) return &sum;
  }
  return nullptr;
}

std::string backpropUpdateRule(const std::string& optimizerKey, double momentum) {
  // Keras 3's rules, as the optimisers' own headers state them (η: the learning rate).
  if (optimizerKey == "sgd" && momentum == 0.0) return "w ← w − η·g";
  if (optimizerKey == "sgd" || optimizerKey == "momentum") return "v ← μ·v − η·g;  w ← w + v";
  if (optimizerKey == "nesterov") return "v ← μ·v − η·g;  w ← w + μ·v − η·g";
  if (optimizerKey == "adagrad") return "s ← s + g²;  w ← w − η·g / √(s + ε)";
  if (optimizerKey == "rmsprop") return "v ← ρ·v + (1 − ρ)·g²;  w ← w − η·g / √(v + ε)";
  if (optimizerKey == "adam" || optimizerKey == "adamw") {
    return "m ← β₁·m + (1 − β₁)·g;  v ← β₂·v + (1 − β₂)·g²;  "
           "w ← w − η·√(1 − β₂ᵗ)/(1 − β₁ᵗ) · m / (√v + ε)";
  }
  if (optimizerKey == "adamax") {
    return "m ← β₁·m + (1 − β₁)·g;  u ← max(β₂·u, |g|);  w ← w − η·m / ((1 − β₁ᵗ)(u + ε))";
  }
  if (optimizerKey == "nadam") return "Adam with Nesterov momentum (Dozat 2016)";
  if (optimizerKey == "lion") return "w ← w − η·sign(β₁·m + (1 − β₁)·g);  m ← β₂·m + (1 − β₂)·g";
  return optimizerKey;
}

}  // namespace gradscope::core
