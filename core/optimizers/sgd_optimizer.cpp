#include "core/optimizers/sgd_optimizer.h"

#include "core/optimizers/optimizer_descriptor.h"
#include "core/optimizers/optimizer_slots.h"

namespace gradscope::core {

namespace {}

template <typename T>
SgdOptimizer<T>::SgdOptimizer(const OptimizerSettings& settings) {
  this->setSettings(settings);
}

template <typename T>
OptimizerKind SgdOptimizer<T>::kind() const {
  switch (m_settings.kind) {
    case OptimizerKind::Momentum:
    case OptimizerKind::Nesterov:
      return m_settings.kind;
    default:
      return OptimizerKind::Sgd;
  }
}

template <typename T>
std::string SgdOptimizer<T>::name() const {
  switch (kind()) {
    case OptimizerKind::Momentum:
      return "SGD with momentum";
    case OptimizerKind::Nesterov:
      return "SGD with Nesterov momentum";
    default:
      return "SGD";
  }
}

template <typename T>
void SgdOptimizer<T>::step(Eigen::Ref<Vector<T>> params, const Eigen::Ref<const Vector<T>>& grads,
                           double learningRate) {
  detail::checkStepSizes(params.size(), grads.size(), m_parameterCount);
  m_parameterCount = params.size();
  const T lr = static_cast<T>(learningRate);
  const double mu = m_settings.momentum;
  const bool nesterov = m_settings.nesterov || m_settings.kind == OptimizerKind::Nesterov;
  if (mu != 0.0 && m_settings.conventions == Conventions::PyTorch) {
    const T m = static_cast<T>(mu);
    // torch.optim.SGD: the buffer starts as the first gradient, then b = mu b + g; the rate
    // multiplies only the step, so a new rate applies at once to all of the momentum.
    if (m_velocity.size() != params.size()) {
      m_velocity = grads;
    } else {
      m_velocity.array() = m_velocity.array() * m + grads.array();
    }
    if (nesterov) {
      params.array() -= lr * (grads.array() + m * m_velocity.array());
    } else {
      params.array() -= lr * m_velocity.array();
    }
  } else if (mu != 0.0) {
    detail::ensureSlot(m_velocity, params.size(), T(0));
    const T m = static_cast<T>(mu);
    // Keras form: the learning rate enters the velocity, v = mu v - lr g.
    m_velocity.array() = m * m_velocity.array() - lr * grads.array();
    if (nesterov) {
      // Nesterov look-ahead: w += mu v_new - lr g (uses the updated velocity).
      params.array() += m * m_velocity.array() - lr * grads.array();
    } else {
      params += m_velocity;
    }
  } else {
    params.noalias() -= lr * grads;
  }
  ++m_iterations;
}

template <typename T>
void SgdOptimizer<T>::reset() {
  m_iterations = 0;
  m_parameterCount = -1;
  m_velocity.resize(0);
}

template <typename T>
OptimizerState<T> SgdOptimizer<T>::state() const {
  OptimizerState<T> s;
  s.iterations = m_iterations;
  detail::saveSlot(s, detail::kMomentumSlot, m_velocity);
  return s;
}

template <typename T>
void SgdOptimizer<T>::setState(const OptimizerState<T>& state, Index parameterCount) {
  detail::checkState(state, parameterCount, "SGD", {detail::kMomentumSlot}, {});
  m_iterations = state.iterations;
  detail::loadSlot(state, detail::kMomentumSlot, m_velocity);
  m_parameterCount = state.vectors.empty() ? -1 : parameterCount;
}

template class SgdOptimizer<float>;
template class SgdOptimizer<double>;

const OptimizerDescriptor& sgdDescriptor() {
  static const OptimizerDescriptor descriptor = [] {
    OptimizerDescriptor d;
    d.kind = OptimizerKind::Sgd;
    d.key = "sgd";
    d.displayName = "SGD";
    d.defaults.kind = OptimizerKind::Sgd;
    d.defaults.learningRate = 0.01;
    d.defaults.momentum = 0.0;  // keras.optimizers.SGD(learning_rate=0.01, momentum=0.0)
    d.reads = {};
    d.plannedMomentum = PlannedMomentumTarget::Momentum;
    d.landscapeRatesOf = OptimizerKind::Sgd;
    d.lectureRating = {1, 3, 3, {}};
    d.makeFloat = &makeOptimizerOf<SgdOptimizer, float>;
    d.makeDouble = &makeOptimizerOf<SgdOptimizer, double>;
    d.pytorchDefaults = d.defaults;
    // torch.optim.SGD: the same numbers; the momentum form differs (sgd_optimizer.h).
    return d;
  }();
  return descriptor;
}

const OptimizerDescriptor& momentumDescriptor() {
  static const OptimizerDescriptor descriptor = [] {
    OptimizerDescriptor d;
    d.kind = OptimizerKind::Momentum;
    d.key = "momentum";
    d.displayName = "Momentum";
    d.defaults.kind = OptimizerKind::Momentum;
    d.defaults.learningRate = 0.01;
    d.defaults.momentum = 0.9;  // the usual choice: Keras's default 0 would be plain SGD
    d.reads = {"momentum"};
    d.plannedMomentum = PlannedMomentumTarget::Momentum;
    d.landscapeRatesOf = OptimizerKind::Momentum;
    d.racesWithMomentum = true;
    d.lectureRating = {2, 3, 3, {}};
    d.makeFloat = &makeOptimizerOf<SgdOptimizer, float>;
    d.makeDouble = &makeOptimizerOf<SgdOptimizer, double>;
    d.pytorchDefaults = d.defaults;
    // torch.optim.SGD: the same numbers; the momentum form differs (sgd_optimizer.h).
    return d;
  }();
  return descriptor;
}

const OptimizerDescriptor& nesterovDescriptor() {
  static const OptimizerDescriptor descriptor = [] {
    OptimizerDescriptor d;
    d.kind = OptimizerKind::Nesterov;
    d.key = "nesterov";
    d.displayName = "Nesterov";
    d.defaults.kind = OptimizerKind::Nesterov;
    d.defaults.learningRate = 0.01;
    d.defaults.momentum = 0.9;
    d.defaults.nesterov = true;
    d.reads = {"momentum"};
    d.plannedMomentum = PlannedMomentumTarget::Momentum;
    d.landscapeRatesOf = OptimizerKind::Nesterov;
    d.racesWithMomentum = true;
    d.lectureRating = {2, 3, 3, {}};
    d.makeFloat = &makeOptimizerOf<SgdOptimizer, float>;
    d.makeDouble = &makeOptimizerOf<SgdOptimizer, double>;
    d.pytorchDefaults = d.defaults;
    // torch.optim.SGD: the same numbers; the momentum form differs (sgd_optimizer.h).
    return d;
  }();
  return descriptor;
}

}  // namespace gradscope::core
