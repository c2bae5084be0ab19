// Hessian-vector products of the training loss with respect to every trainable parameter of a
// network, for the sharpness chart (Cohen et al. 2021, "Gradient descent on neural networks
// typically occurs at the edge of stability").
//
// Method: central finite differences of the engine's own gradients, in float64,
//   H v ~ (g(w + h v) - g(w - h v)) / (2 h),   h = kRelativeStep * max(1, |w|) / |v|.
// Why not an exact second-order (R-op) pass: it would need a second derivative of every layer,
// activation and loss (Dense, BatchNorm, dropout, the fused cross-entropies), i.e. a second
// network to keep in step with the first. Finite differences reuse forward() and backward()
// exactly as training runs them, so every layer the engine has is covered. In float64 the
// central difference is accurate to about 1e-7 relative (truncation ~ h^2 |g'''|, rounding
// ~ 1e-16 |g| / h; the step balances the two at eps^(1/3) relative to the weights), far below
// what a chart or the edge-of-stability band (+-10%) can show; for a quadratic loss it is exact
// to rounding. The price is two gradient evaluations per product instead of about one and a
// half.
//
// The product is taken on a float64 copy of the network (the same spec, the same parameters
// cast to double, the same buffers) so float32 runs get float64 curvature and the run's own
// network and its stored activations are never disturbed. Training mode, as the training
// loss: BatchNorm uses batch statistics; dropout draws its mask from a fixed seed, the same
// mask for every evaluation, so that the function differentiated is deterministic. The loss
// includes the L2 penalty.
#pragma once

#include <memory>

#include "core/model/loss.h"
#include "core/model/network.h"

namespace gradscope::core {

class HessianVectorProduct {
 public:
  // Step of the central difference relative to the weight norm (eps^(1/3) ~ 5e-6, rounded up).
  static constexpr double kRelativeStep = 1e-5;

  HessianVectorProduct();
  ~HessianVectorProduct();

  // The point: `network`'s parameters and buffers in float64 (the copy is rebuilt when the
  // network's structure or activations changed).
  template <typename T>
  void setPoint(Network<T>& network, LossKind loss);
  // The batch the loss is taken on (features x samples, targets as the loss expects them).
  void setBatch(const Eigen::MatrixXd& inputs, const Eigen::MatrixXd& targets);

  Index size() const { return m_point.size(); }
  const Eigen::VectorXd& point() const { return m_point; }
  // The loss (data + L2) and its gradient at the point.
  double lossAt(const Eigen::VectorXd& weights);
  Eigen::VectorXd gradientAt(const Eigen::VectorXd& weights);
  // H v at the point (v need not be normalised; v = 0 gives 0).
  Eigen::VectorXd apply(const Eigen::VectorXd& v);
  // Gradient evaluations so far (two per product), for cost accounting.
  long evaluations() const { return m_evaluations; }

 private:
  std::unique_ptr<Network<double>> m_network;
  std::unique_ptr<Loss<double>> m_loss;
  LossKind m_lossKind = LossKind::MeanSquaredError;
  Eigen::VectorXd m_point;
  Eigen::MatrixXd m_inputs;
  Eigen::MatrixXd m_targets;
  long m_evaluations = 0;
};

}  // namespace gradscope::core
