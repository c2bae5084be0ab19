// Adam: momentum on the gradient plus RMSprop-style scaling, with bias correction.
//
// Reference: keras.optimizers.Adam (Keras 3), Kingma & Ba 2015 (the "epsilon hat" form of
// section 2, just before 2.1); AMSGrad from Reddi, Kale & Kumar 2018. Defaults:
// learning_rate 0.001, beta_1 0.9, beta_2 0.999, epsilon 1e-7, amsgrad False.
// Update rule at step t = iterations + 1 (m, v, v_max start at 0):
//   m <- m + (1 - beta_1) * (g - m)
//   v <- v + (1 - beta_2) * (g^2 - v)
//   amsgrad: v_max <- max(v_max, v) and v_max replaces v below
//   lr_t = lr * sqrt(1 - beta_2^t) / (1 - beta_1^t)     (bias correction folded into lr)
//   w <- w - lr_t * m / (sqrt(v) + eps)                  (eps added to the UNcorrected sqrt(v))
// PyTorch corrects v before adding eps: lr / (1 - beta_1^t) * m / (sqrt(v / (1 - beta_2^t)) + eps),
// the same rule with an effectively smaller epsilon.
#pragma once

#include "core/optimizers/optimizer.h"

namespace gradscope::core {

template <typename T>
class AdamOptimizer final : public Optimizer<T> {
 public:
  explicit AdamOptimizer(
      const OptimizerSettings& settings = OptimizerSettings::defaultsFor(OptimizerKind::Adam));

  OptimizerKind kind() const override { return OptimizerKind::Adam; }
  std::string name() const override { return m_settings.amsgrad ? "Adam (AMSGrad)" : "Adam"; }
  void step(Eigen::Ref<Vector<T>> params, const Eigen::Ref<const Vector<T>>& grads,
            double learningRate) override;
  void reset() override;
  OptimizerState<T> state() const override;
  void setState(const OptimizerState<T>& state, Index parameterCount) override;

  const Vector<T>& firstMoment() const { return m_m; }
  const Vector<T>& secondMoment() const { return m_v; }
  const Vector<T>& maxSecondMoment() const { return m_vHat; }

 private:
  using Optimizer<T>::m_settings;
  using Optimizer<T>::m_iterations;

  Index m_parameterCount = -1;
  Vector<T> m_m;     // slot "momentum"
  Vector<T> m_v;     // slot "velocity"
  Vector<T> m_vHat;  // slot "velocity_hat": AMSGrad only, allocated when first needed
};

extern template class AdamOptimizer<float>;
extern template class AdamOptimizer<double>;

}  // namespace gradscope::core
