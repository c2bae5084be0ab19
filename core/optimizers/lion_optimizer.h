// Lion ("EvoLved Sign Momentum"): the sign of an interpolated momentum, so every weight moves
// by exactly the learning rate.
//
// Reference: keras.optimizers.Lion (Keras 3); Chen et al. 2023, "Symbolic Discovery of
// Optimization Algorithms". Defaults: learning_rate 0.001, beta_1 0.9, beta_2 0.99 (no
// epsilon, no bias correction). Update rule (m starts at 0):
//   w <- w - lr * sign(beta_1 * m + (1 - beta_1) * g)    (sign(0) = 0)
//   m <- beta_2 * m + (1 - beta_2) * g                   (after the update, with the old m)
// Keras's documentation: a suitable rate is 3-10x smaller than AdamW's, and the weight decay
// 3-10x larger, for the same strength lr * weight_decay.
#pragma once

#include "core/optimizers/optimizer.h"

namespace gradscope::core {

template <typename T>
class LionOptimizer final : public Optimizer<T> {
 public:
  explicit LionOptimizer(
      const OptimizerSettings& settings = OptimizerSettings::defaultsFor(OptimizerKind::Lion));

  OptimizerKind kind() const override { return OptimizerKind::Lion; }
  std::string name() const override { return "Lion"; }
  void step(Eigen::Ref<Vector<T>> params, const Eigen::Ref<const Vector<T>>& grads,
            double learningRate) override;
  void reset() override;
  OptimizerState<T> state() const override;
  void setState(const OptimizerState<T>& state, Index parameterCount) override;

  const Vector<T>& momentum() const { return m_m; }

 private:
  using Optimizer<T>::m_settings;
  using Optimizer<T>::m_iterations;

  Index m_parameterCount = -1;
  Vector<T> m_m;  // slot "momentum"
};

extern template class LionOptimizer<float>;
extern template class LionOptimizer<double>;

}  // namespace gradscope::core
