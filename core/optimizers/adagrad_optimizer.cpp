#include "core/optimizers/adagrad_optimizer.h"

#include "core/optimizers/optimizer_descriptor.h"
#include "core/optimizers/optimizer_slots.h"

namespace gradscope::core {

namespace {
constexpr std::string_view kAccumulatorSlot = "accumulator";
}

template <typename T>
AdagradOptimizer<T>::AdagradOptimizer(const OptimizerSettings& settings) {
  this->setSettings(settings);
}

template <typename T>
void AdagradOptimizer<T>::step(Eigen::Ref<Vector<T>> params,
                               const Eigen::Ref<const Vector<T>>& grads, double learningRate) {
  detail::checkStepSizes(params.size(), grads.size(), m_parameterCount);
  m_parameterCount = params.size();
  // Built at the first step from the value set then (Keras's Constant initializer).
  detail::ensureSlot(m_accumulator, params.size(),
                     static_cast<T>(m_settings.initialAccumulatorValue));
  const T lr = static_cast<T>(learningRate);
  const T eps = static_cast<T>(m_settings.epsilon);
  m_accumulator.array() += grads.array().square();
  if (m_settings.conventions == Conventions::PyTorch) {
    // torch.optim.Adagrad (lr_decay 0): epsilon is added to the square root.
    params.array() -= lr * (grads.array() / (m_accumulator.array().sqrt() + eps));
  } else {
    // Keras 3: epsilon is added to the accumulator under the square root.
    params.array() -= lr * grads.array() / (m_accumulator.array() + eps).sqrt();
  }
  ++m_iterations;
}

template <typename T>
void AdagradOptimizer<T>::reset() {
  m_iterations = 0;
  m_parameterCount = -1;
  m_accumulator.resize(0);
}

template <typename T>
OptimizerState<T> AdagradOptimizer<T>::state() const {
  OptimizerState<T> s;
  s.iterations = m_iterations;
  detail::saveSlot(s, kAccumulatorSlot, m_accumulator);
  return s;
}

template <typename T>
void AdagradOptimizer<T>::setState(const OptimizerState<T>& state, Index parameterCount) {
  detail::checkState(state, parameterCount, "AdaGrad", {kAccumulatorSlot}, {kAccumulatorSlot});
  m_iterations = state.iterations;
  detail::loadSlot(state, kAccumulatorSlot, m_accumulator);
  m_parameterCount = state.vectors.empty() ? -1 : parameterCount;
}

template class AdagradOptimizer<float>;
template class AdagradOptimizer<double>;

const OptimizerDescriptor& adagradDescriptor() {
  static const OptimizerDescriptor descriptor = [] {
    OptimizerDescriptor d;
    d.kind = OptimizerKind::Adagrad;
    d.key = "adagrad";
    d.displayName = "AdaGrad";
    d.defaults.kind = OptimizerKind::Adagrad;
    d.defaults.learningRate = 0.001;
    d.reads = {"initial_accumulator_value", "epsilon"};
    d.plannedMomentum = PlannedMomentumTarget::Momentum;
    d.landscapeRatesOf = OptimizerKind::Adagrad;
    d.lectureRating = {3, 1, 1, "stops too early"};
    d.makeFloat = &makeOptimizerOf<AdagradOptimizer, float>;
    d.makeDouble = &makeOptimizerOf<AdagradOptimizer, double>;
    d.pytorchDefaults = d.defaults;
    d.pytorchDefaults.initialAccumulatorValue = 0.0;  // torch.optim.Adagrad(eps=1e-10,
    d.pytorchDefaults.epsilon = 1e-10;                //   initial_accumulator_value=0)
    return d;
  }();
  return descriptor;
}

}  // namespace gradscope::core
