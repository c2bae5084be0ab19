// AdamW: Adam with decoupled weight decay (Loshchilov & Hutter 2019, "Decoupled Weight Decay
// Regularization").
//
// Reference: keras.optimizers.AdamW (Keras 3), which is Adam whose weight_decay defaults to
// 0.004 (and must be set). Defaults: learning_rate 0.001, weight_decay 0.004, beta_1 0.9,
// beta_2 0.999, epsilon 1e-7, amsgrad False. The decay is the one every optimiser applies
// before its update (Optimizer::update, Keras's base optimiser):
//   w <- w - w * weight_decay * lr
// followed by Adam's update (adam_optimizer.h). Unlike an L2 penalty, whose gradient
// l2 * w passes through Adam's division by sqrt(v) (so weights with large gradients decay
// less), the decoupled decay shrinks every weight by the same fraction.
#pragma once

#include "core/optimizers/adam_optimizer.h"

namespace gradscope::core {

template <typename T>
class AdamWOptimizer final : public Optimizer<T> {
 public:
  explicit AdamWOptimizer(
      const OptimizerSettings& settings = OptimizerSettings::defaultsFor(OptimizerKind::AdamW));

  OptimizerKind kind() const override { return OptimizerKind::AdamW; }
  std::string name() const override { return m_settings.amsgrad ? "AdamW (AMSGrad)" : "AdamW"; }
  void step(Eigen::Ref<Vector<T>> params, const Eigen::Ref<const Vector<T>>& grads,
            double learningRate) override;
  void reset() override;
  OptimizerState<T> state() const override;
  void setState(const OptimizerState<T>& state, Index parameterCount) override;

 private:
  using Optimizer<T>::m_settings;
  using Optimizer<T>::m_iterations;

  AdamOptimizer<T> m_adam;  // the update after the decay: Adam's, slots and all
};

extern template class AdamWOptimizer<float>;
extern template class AdamWOptimizer<double>;

}  // namespace gradscope::core
