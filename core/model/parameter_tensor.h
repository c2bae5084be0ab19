// A named slice of the network's flat parameter vector: one Keras "variable" such as
// layers[2].kernel. Per-tensor clipping (clipnorm), per-layer probes and the Keras-layout
// import/export all work on these segments.
#pragma once

#include <string>
#include <vector>

#include "core/model/types.h"

namespace gradscope::core {

enum class TensorRole { Kernel, Bias, Gamma, Beta };

struct ParameterTensor {
  std::string name;  // Keras variable name, e.g. "layers[0].kernel"
  int layer = 0;     // index of the owning layer in the network
  TensorRole role = TensorRole::Kernel;
  Index offset = 0;  // first element in the flat vector
  Index size = 0;
  Index rows = 0;  // Kernel: inputs x units (Keras layout, stored column-major); others: size x 1
  Index cols = 1;
};

using ParameterLayout = std::vector<ParameterTensor>;

}  // namespace gradscope::core
