// RMSprop: divide the gradient by a running root-mean-square of recent gradients.
//
// Reference: keras.optimizers.RMSprop (Keras 3), Hinton 2012 (lecture 6e). Defaults:
// learning_rate 0.001, rho 0.9, momentum 0, epsilon 1e-7, centered False.
// Update rule (v, a, b start at 0):
//   v <- rho * v + (1 - rho) * g^2
//   centered:  a <- rho * a + (1 - rho) * g;   d = v - a^2 + eps
//   otherwise: d = v + eps                       (eps INSIDE the square root, as Keras 3)
//   step = lr * g / sqrt(d)
//   momentum > 0:  b <- momentum * b + step;  w <- w - b
//   otherwise:     w <- w - step
// PyTorch divides by sqrt(v) + eps instead (and so did legacy tf.keras without momentum).
//
// The momentum buffer b and the average gradient a are allocated at the first step that
// needs them, so switching momentum or centered on mid-run starts them at 0.
#pragma once

#include "core/optimizers/optimizer.h"

namespace gradscope::core {

template <typename T>
class RmsPropOptimizer final : public Optimizer<T> {
 public:
  explicit RmsPropOptimizer(
      const OptimizerSettings& settings = OptimizerSettings::defaultsFor(OptimizerKind::RmsProp));

  OptimizerKind kind() const override { return OptimizerKind::RmsProp; }
  std::string name() const override { return "RMSprop"; }
  void step(Eigen::Ref<Vector<T>> params, const Eigen::Ref<const Vector<T>>& grads,
            double learningRate) override;
  void reset() override;
  OptimizerState<T> state() const override;
  void setState(const OptimizerState<T>& state, Index parameterCount) override;

  const Vector<T>& velocity() const { return m_velocity; }
  const Vector<T>& momentumBuffer() const { return m_momentum; }
  const Vector<T>& averageGradient() const { return m_averageGradient; }

 private:
  using Optimizer<T>::m_settings;
  using Optimizer<T>::m_iterations;

  Index m_parameterCount = -1;
  Vector<T> m_velocity;         // slot "velocity": running mean of g^2
  Vector<T> m_momentum;         // slot "momentum": only with momentum > 0
  Vector<T> m_averageGradient;  // slot "average_gradient": only when centered
};

extern template class RmsPropOptimizer<float>;
extern template class RmsPropOptimizer<double>;

}  // namespace gradscope::core
