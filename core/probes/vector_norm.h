// The L2 norm of a float or double array, fast and safe against underflow.
//
// A float32 gradient of 1e-30 squares to 1e-60, far below float's range, so a naive float
// sum of squares reports a zero norm exactly where the vanishing-gradient demo needs a true
// one. Accumulating in double is safe but converting every element costs more than the rest
// of a small layer's step. So: one vectorised pass in the array's own precision when the sum
// of squares lies comfortably inside the normal range (almost always), and a scaled two-pass
// form (divide by the largest magnitude first) only for vanished or exploded values.
#pragma once

#include <cmath>
#include <vector>

#include "core/model/parameter_tensor.h"
#include "core/model/types.h"

namespace gradscope::core {

template <typename T>
double l2Norm(const T* data, Index n) {
  if (n <= 0) return 0.0;
  const Eigen::Map<const Vector<T>> values(data, n);
  const T direct = values.squaredNorm();
  if (direct > T(1e-30) && direct < T(1e30)) return std::sqrt(double(direct));
  const T largest = values.cwiseAbs().maxCoeff();
  if (!(largest > T(0))) return largest == T(0) ? 0.0 : double(largest);  // zero or NaN
  if (!std::isfinite(double(largest))) return double(largest);
  return double(largest) * std::sqrt(double((values / largest).squaredNorm()));
}

// The L2 norm of each tensor of `layout` within `values` (in layout order), into `norms`. The
// trainer computes the gradient's once per step; the clipper and the probes both read them
// rather than each passing over the whole gradient again.
template <typename T>
void tensorNorms(const Vector<T>& values, const ParameterLayout& layout,
                 std::vector<double>& norms) {
  norms.resize(layout.size());
  for (std::size_t i = 0; i < layout.size(); ++i) {
    const ParameterTensor& tensor = layout[i];
    const bool inside =
        tensor.offset >= 0 && tensor.size >= 0 && tensor.offset + tensor.size <= values.size();
    norms[i] = inside ? l2Norm(values.data() + tensor.offset, tensor.size) : 0.0;
  }
}

}  // namespace gradscope::core
