#include "core/loss_surface/filter_directions.h"

#include "core/model/types.h"

namespace gradscope::core {

void normalizeFilters(const ParameterLayout& layout, const Eigen::VectorXd& weights,
                      Eigen::VectorXd& direction) {
  if (direction.size() != weights.size()) {
    throw Error("loss_surface.direction", "has " + std::to_string(direction.size()) +
                                              " entries for " + std::to_string(weights.size()) +
                                              " weights");
  }
  for (const ParameterTensor& tensor : layout) {
    if (tensor.offset + tensor.size > weights.size()) {
      throw Error("loss_surface.layout", tensor.name + " lies outside the weights");
    }
    auto d = direction.segment(tensor.offset, tensor.size);
    if (tensor.role != TensorRole::Kernel) {
      d.setZero();
      continue;
    }
    // The kernel is stored column-major, inputs x units: column u holds the weights into unit u.
    for (Index u = 0; u < tensor.cols; ++u) {
      auto df = d.segment(u * tensor.rows, tensor.rows);
      const double target = weights.segment(tensor.offset + u * tensor.rows, tensor.rows).norm();
      const double norm = df.norm();
      if (norm > 0.0) {
        df *= target / norm;
      } else {
        df.setZero();
      }
    }
  }
  // Entries outside every tensor (there are none in a network's layout) are left as they are.
}

Eigen::VectorXd filterNormalizedDirection(const ParameterLayout& layout,
                                          const Eigen::VectorXd& weights, Rng& rng) {
  Eigen::VectorXd direction(weights.size());
  for (Index i = 0; i < direction.size(); ++i) direction(i) = rng.normal();
  normalizeFilters(layout, weights, direction);
  return direction;
}

}  // namespace gradscope::core
