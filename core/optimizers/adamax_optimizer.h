// AdaMax: Adam with the infinity norm in place of the second moment.
//
// Reference: keras.optimizers.Adamax (Keras 3), Kingma & Ba 2015 section 7.1. Defaults:
// learning_rate 0.001, beta_1 0.9, beta_2 0.999, epsilon 1e-7.
// Update rule at step t = iterations + 1 (m and u start at 0):
//   m <- m + (1 - beta_1) * (g - m)
//   u <- max(beta_2 * u, |g|)
//   w <- w - lr * m / ((1 - beta_1^t) * (u + eps))      (eps added to u, outside the max)
// PyTorch puts eps inside the max, u = max(beta_2 u, |g| + eps), and divides by u.
#pragma once

#include "core/optimizers/optimizer.h"

namespace gradscope::core {

template <typename T>
class AdamaxOptimizer final : public Optimizer<T> {
 public:
  explicit AdamaxOptimizer(
      const OptimizerSettings& settings = OptimizerSettings::defaultsFor(OptimizerKind::Adamax));

  OptimizerKind kind() const override { return OptimizerKind::Adamax; }
  std::string name() const override { return "AdaMax"; }
  void step(Eigen::Ref<Vector<T>> params, const Eigen::Ref<const Vector<T>>& grads,
            double learningRate) override;
  void reset() override;
  OptimizerState<T> state() const override;
  void setState(const OptimizerState<T>& state, Index parameterCount) override;

  const Vector<T>& firstMoment() const { return m_m; }
  const Vector<T>& infinityNorm() const { return m_u; }

 private:
  using Optimizer<T>::m_settings;
  using Optimizer<T>::m_iterations;

  Index m_parameterCount = -1;
  Vector<T> m_m;  // slot "momentum"
  Vector<T> m_u;  // slot "norm": exponentially weighted infinity norm
};

extern template class AdamaxOptimizer<float>;
extern template class AdamaxOptimizer<double>;

}  // namespace gradscope::core
