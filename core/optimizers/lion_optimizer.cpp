#include "core/optimizers/lion_optimizer.h"

#include "core/optimizers/optimizer_descriptor.h"
#include "core/optimizers/optimizer_slots.h"

namespace gradscope::core {

template <typename T>
LionOptimizer<T>::LionOptimizer(const OptimizerSettings& settings) {
  this->setSettings(settings);
}

template <typename T>
void LionOptimizer<T>::step(Eigen::Ref<Vector<T>> params, const Eigen::Ref<const Vector<T>>& grads,
                            double learningRate) {
  detail::checkStepSizes(params.size(), grads.size(), m_parameterCount);
  m_parameterCount = params.size();
  detail::ensureSlot(m_m, m_parameterCount, T(0));
  const T lr = static_cast<T>(learningRate);
  const T b1 = static_cast<T>(m_settings.beta1);
  const T b2 = static_cast<T>(m_settings.beta2);
  // The update's direction uses the old momentum; the momentum itself decays with beta_2.
  params.array() -= lr * (m_m.array() * b1 + grads.array() * (T(1) - b1)).sign();
  m_m.array() = m_m.array() * b2 + grads.array() * (T(1) - b2);
  ++m_iterations;
}

template <typename T>
void LionOptimizer<T>::reset() {
  m_iterations = 0;
  m_parameterCount = -1;
  m_m.resize(0);
}

template <typename T>
OptimizerState<T> LionOptimizer<T>::state() const {
  OptimizerState<T> s;
  s.iterations = m_iterations;
  detail::saveSlot(s, detail::kMomentumSlot, m_m);
  return s;
}

template <typename T>
void LionOptimizer<T>::setState(const OptimizerState<T>& state, Index parameterCount) {
  detail::checkState(state, parameterCount, "Lion", {detail::kMomentumSlot},
                     {detail::kMomentumSlot});
  m_iterations = state.iterations;
  detail::loadSlot(state, detail::kMomentumSlot, m_m);
  m_parameterCount = state.vectors.empty() ? -1 : parameterCount;
}

template class LionOptimizer<float>;
template class LionOptimizer<double>;

const OptimizerDescriptor& lionDescriptor() {
  static const OptimizerDescriptor descriptor = [] {
    OptimizerDescriptor d;
    d.kind = OptimizerKind::Lion;
    d.key = "lion";
    d.displayName = "Lion";
    d.defaults.kind = OptimizerKind::Lion;
    d.defaults.learningRate = 0.001;  // keras.optimizers.Lion(learning_rate=0.001,
    d.defaults.beta2 = 0.99;          //   beta_1=0.9, beta_2=0.99)
    d.reads = {"beta_1", "beta_2"};
    d.plannedMomentum = PlannedMomentumTarget::Beta1;
    d.landscapeRatesOf = OptimizerKind::Adam;
    d.makeFloat = &makeOptimizerOf<LionOptimizer, float>;
    d.makeDouble = &makeOptimizerOf<LionOptimizer, double>;
    d.pytorchDefaults = d.defaults;
    // torch.optim has no Lion; the authors' PyTorch code uses the same betas and decay.
    return d;
  }();
  return descriptor;
}

}  // namespace gradscope::core
