// Filter-normalised random directions in weight space (Li, Xu, Taylor, Studer & Goldstein
// 2018, "Visualizing the loss landscape of neural nets", section 4). A direction d drawn from
// a standard normal has no relation to the scale of the weights: a layer whose weights are
// small would be swept far past its own size, one whose weights are large barely moved, and
// two networks could not be compared. Filter normalisation rescales d filter by filter:
//   d_f <- d_f / ||d_f|| * ||theta_f||      for every filter f
// For a Dense layer a filter is the weights into one unit, one column of the kernel (inputs x
// units). Biases and BatchNorm's gamma and beta are set to 0 in the direction (the paper's
// "ignore biasbn" choice): the slice moves only the kernels, and BatchNorm's moving
// statistics stay those of the network.
#pragma once

#include <Eigen/Core>

#include "core/model/parameter_tensor.h"
#include "core/model/random.h"

namespace gradscope::core {

// A random direction the size of `weights`, filter-normalised against them. A filter whose
// weights are all zero stays zero in the direction.
Eigen::VectorXd filterNormalizedDirection(const ParameterLayout& layout,
                                          const Eigen::VectorXd& weights, Rng& rng);

// Rescales `direction` filter by filter to the norms of `weights`' filters and zeroes the
// biases and BatchNorm parameters (the normalisation alone, for a given direction).
void normalizeFilters(const ParameterLayout& layout, const Eigen::VectorXd& weights,
                      Eigen::VectorXd& direction);

}  // namespace gradscope::core
