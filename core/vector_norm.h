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

#include "types.h"

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

}  // namespace gradscope::core
