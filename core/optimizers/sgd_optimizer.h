// Stochastic gradient descent, plain, with momentum, or with Nesterov momentum: one class for
// the three kinds, as Keras's single SGD optimiser.
//
// Reference: keras.optimizers.SGD (Keras 3), learning_rate 0.01, momentum 0, nesterov False.
// Update rule for weights w, gradient g, learning rate lr, momentum mu, velocity v (v0 = 0):
//   mu == 0:            w <- w - lr * g
//   mu > 0:             v <- mu * v - lr * g;  w <- w + v
//   mu > 0, nesterov:   v <- mu * v - lr * g;  w <- w + mu * v - lr * g
// Keras keeps lr inside the velocity; PyTorch (conventions pytorch, torch.optim.SGD with
// dampening 0) keeps a buffer b without it:
//   mu > 0:             b <- mu * b + g (b1 = g1);  w <- w - lr * b
//   mu > 0, nesterov:   b <- mu * b + g;            w <- w - lr * (g + mu * b)
// With a constant lr, v = -lr b and both give the same weights up to rounding; once the rate
// changes Keras's velocity still carries the old rate and the two runs part.
//
// The velocity is allocated at the first step with mu > 0 and kept when mu later returns to
// 0 (Keras skips the momentum branch then, leaving the velocity untouched). The Nesterov kind
// always uses the Nesterov rule; the other kinds follow settings().nesterov.
#pragma once

#include "core/optimizers/optimizer.h"

namespace gradscope::core {

template <typename T>
class SgdOptimizer final : public Optimizer<T> {
 public:
  explicit SgdOptimizer(
      const OptimizerSettings& settings = OptimizerSettings::defaultsFor(OptimizerKind::Sgd));

  OptimizerKind kind() const override;
  std::string name() const override;
  void step(Eigen::Ref<Vector<T>> params, const Eigen::Ref<const Vector<T>>& grads,
            double learningRate) override;
  void reset() override;
  OptimizerState<T> state() const override;
  void setState(const OptimizerState<T>& state, Index parameterCount) override;

  // Empty until the first step with momentum.
  const Vector<T>& velocity() const { return m_velocity; }

 private:
  using Optimizer<T>::m_settings;
  using Optimizer<T>::m_iterations;

  Index m_parameterCount = -1;  // -1 until the state is built
  Vector<T> m_velocity;         // slot "momentum" (Keras's velocity, or torch's momentum buffer)
};

extern template class SgdOptimizer<float>;
extern template class SgdOptimizer<double>;

}  // namespace gradscope::core
