// Which framework's conventions the engine follows where Keras and PyTorch differ: the form
// of SGD's momentum, where the adaptive optimisers add epsilon, their defaults, the weight
// decay, clipnorm, BatchNorm's running statistics and the default initialiser. The table of
// differences is in docs/optimisation.md. Keras is the default; the convention is a
// parameter of the optimiser (OptimizerSettings::conventions) that the network and the
// clipper also read.
#pragma once

#include <optional>
#include <string_view>

namespace gradscope::core {

enum class Conventions { Keras, PyTorch };

// "keras", "pytorch".
std::string_view toString(Conventions conventions);
std::optional<Conventions> conventionsFromString(std::string_view name);

// The other framework's conventions (for "Compare conventions").
inline Conventions otherConventions(Conventions c) {
  return c == Conventions::Keras ? Conventions::PyTorch : Conventions::Keras;
}

// PyTorch's BatchNorm1d defaults written in Keras's form: torch's momentum 0.1 weighs the new
// batch, Keras's momentum weighs the old average, so 0.1 there is 0.9 here.
inline constexpr double kPytorchBatchNormMomentum = 0.9;
inline constexpr double kPytorchBatchNormEpsilon = 1e-5;
// torch.nn.utils.clip_grad_norm_ divides the threshold by the norm plus this.
inline constexpr double kPytorchClipNormEpsilon = 1e-6;

}  // namespace gradscope::core
