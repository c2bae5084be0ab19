// Nadam: Adam with Nesterov momentum, using Dozat's momentum-cache schedule.
//
// Reference: keras.optimizers.Nadam (Keras 3), Dozat 2016. Defaults: learning_rate 0.001,
// beta_1 0.9, beta_2 0.999, epsilon 1e-7.
// Update rule at step t = iterations + 1 (m, v start at 0; the product P starts at 1):
//   mu_t     = beta_1 * (1 - 0.5 * 0.96^t)
//   mu_{t+1} = beta_1 * (1 - 0.5 * 0.96^(t+1))
//   P <- P * mu_t                          (one global product, updated once per step first)
//   m <- m + (1 - beta_1) * (g - m)
//   v <- v + (1 - beta_2) * (g^2 - v)
//   m_hat = mu_{t+1} * m / (1 - P * mu_{t+1}) + (1 - mu_t) * g / (1 - P)
//   v_hat = v / (1 - beta_2^t)
//   w <- w - lr * m_hat / (sqrt(v_hat) + eps)   (eps added to the corrected root, unlike Adam)
// PyTorch's NAdam uses 0.96^(t * momentum_decay) with momentum_decay 0.004 by default;
// NAdam(momentum_decay=1.0) gives exactly this rule.
//
// The product P is kept in double precision for both scalar types and saved as the one
// scalar of the state.
#pragma once

#include "core/optimizers/optimizer.h"

namespace gradscope::core {

template <typename T>
class NadamOptimizer final : public Optimizer<T> {
 public:
  explicit NadamOptimizer(
      const OptimizerSettings& settings = OptimizerSettings::defaultsFor(OptimizerKind::Nadam));

  OptimizerKind kind() const override { return OptimizerKind::Nadam; }
  std::string name() const override { return "Nadam"; }
  void step(Eigen::Ref<Vector<T>> params, const Eigen::Ref<const Vector<T>>& grads,
            double learningRate) override;
  void reset() override;
  OptimizerState<T> state() const override;
  void setState(const OptimizerState<T>& state, Index parameterCount) override;

  const Vector<T>& firstMoment() const { return m_m; }
  const Vector<T>& secondMoment() const { return m_v; }
  // Keras's u_product: the product of mu_1 ... mu_t (1 before the first step).
  double momentumProduct() const { return m_uProduct; }

 private:
  using Optimizer<T>::m_settings;
  using Optimizer<T>::m_iterations;

  Index m_parameterCount = -1;
  Vector<T> m_m;            // slot "momentum"
  Vector<T> m_v;            // slot "velocity"
  double m_uProduct = 1.0;  // scalars[0]
};

extern template class NadamOptimizer<float>;
extern template class NadamOptimizer<double>;

}  // namespace gradscope::core
