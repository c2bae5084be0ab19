#include "core/optimizers/adamw_optimizer.h"

#include "core/optimizers/optimizer_descriptor.h"

namespace gradscope::core {

template <typename T>
AdamWOptimizer<T>::AdamWOptimizer(const OptimizerSettings& settings) : m_adam(settings) {
  this->setSettings(settings);
}

template <typename T>
void AdamWOptimizer<T>::step(Eigen::Ref<Vector<T>> params, const Eigen::Ref<const Vector<T>>& grads,
                             double learningRate) {
  m_adam.setSettings(m_settings);  // read afresh every step, as every optimiser does
  m_adam.step(params, grads, learningRate);
  m_iterations = m_adam.iterations();
}

template <typename T>
void AdamWOptimizer<T>::reset() {
  m_adam.reset();
  m_iterations = 0;
}

template <typename T>
OptimizerState<T> AdamWOptimizer<T>::state() const {
  return m_adam.state();
}

template <typename T>
void AdamWOptimizer<T>::setState(const OptimizerState<T>& state, Index parameterCount) {
  m_adam.setState(state, parameterCount);
  m_iterations = m_adam.iterations();
}

template class AdamWOptimizer<float>;
template class AdamWOptimizer<double>;

const OptimizerDescriptor& adamwDescriptor() {
  static const OptimizerDescriptor descriptor = [] {
    OptimizerDescriptor d;
    d.kind = OptimizerKind::AdamW;
    d.key = "adamw";
    d.displayName = "AdamW";
    d.defaults.kind = OptimizerKind::AdamW;
    d.defaults.learningRate = 0.001;  // keras.optimizers.AdamW(learning_rate=0.001,
    d.defaults.weightDecay = 0.004;   //   weight_decay=0.004, beta_1=0.9, beta_2=0.999, ...)
    d.reads = {"beta_1", "beta_2", "epsilon", "amsgrad"};
    d.plannedMomentum = PlannedMomentumTarget::Beta1;
    d.landscapeRatesOf = OptimizerKind::Adam;
    d.makeFloat = &makeOptimizerOf<AdamWOptimizer, float>;
    d.makeDouble = &makeOptimizerOf<AdamWOptimizer, double>;
    d.pytorchDefaults = d.defaults;
    d.pytorchDefaults.epsilon = 1e-8;      // torch.optim.AdamW(eps=1e-8,
    d.pytorchDefaults.weightDecay = 0.01;  //   weight_decay=1e-2)
    return d;
  }();
  return descriptor;
}

}  // namespace gradscope::core
