// AdaGrad: per-parameter learning rates that shrink with the sum of squared gradients.
//
// Reference: keras.optimizers.Adagrad (Keras 3), Duchi, Hazan & Singer 2011. Defaults:
// learning_rate 0.001, initial_accumulator_value 0.1, epsilon 1e-7.
// Update rule (accumulator s starts at initial_accumulator_value, not 0):
//   s <- s + g^2
//   w <- w - lr * g / sqrt(s + eps)        (eps INSIDE the square root, as Keras 3)
// PyTorch starts s at 0 and divides by sqrt(s) + eps; legacy tf.keras (TF <= 2.10) also put
// eps outside the root.
#pragma once

#include "core/optimizers/optimizer.h"

namespace gradscope::core {

template <typename T>
class AdagradOptimizer final : public Optimizer<T> {
 public:
  explicit AdagradOptimizer(
      const OptimizerSettings& settings = OptimizerSettings::defaultsFor(OptimizerKind::Adagrad));

  OptimizerKind kind() const override { return OptimizerKind::Adagrad; }
  std::string name() const override { return "AdaGrad"; }
  void step(Eigen::Ref<Vector<T>> params, const Eigen::Ref<const Vector<T>>& grads,
            double learningRate) override;
  void reset() override;
  OptimizerState<T> state() const override;
  void setState(const OptimizerState<T>& state, Index parameterCount) override;

  const Vector<T>& accumulator() const { return m_accumulator; }

 private:
  using Optimizer<T>::m_settings;
  using Optimizer<T>::m_iterations;

  Index m_parameterCount = -1;
  Vector<T> m_accumulator;  // slot "accumulator"
};

extern template class AdagradOptimizer<float>;
extern template class AdagradOptimizer<double>;

}  // namespace gradscope::core
