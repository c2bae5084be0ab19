#include "core/optimizers/adam_optimizer.h"

#include <cmath>

#include "core/optimizers/optimizer_descriptor.h"
#include "core/optimizers/optimizer_slots.h"

namespace gradscope::core {

namespace {
constexpr std::string_view kVelocityHatSlot = "velocity_hat";
}  // namespace

template <typename T>
AdamOptimizer<T>::AdamOptimizer(const OptimizerSettings& settings) {
  this->setSettings(settings);
}

template <typename T>
void AdamOptimizer<T>::step(Eigen::Ref<Vector<T>> params, const Eigen::Ref<const Vector<T>>& grads,
                            double learningRate) {
  detail::checkStepSizes(params.size(), grads.size(), m_parameterCount);
  const Index n = params.size();
  m_parameterCount = n;
  detail::ensureSlot(m_m, n, T(0));
  detail::ensureSlot(m_v, n, T(0));

  const double b1 = m_settings.beta1;
  const double b2 = m_settings.beta2;
  const double t = static_cast<double>(m_iterations + 1);  // Keras: local_step = iterations + 1
  // Bias correction folded into the step size: lr_t = lr sqrt(1 - b2^t) / (1 - b1^t).
  const T alpha =
      static_cast<T>(learningRate * std::sqrt(1.0 - std::pow(b2, t)) / (1.0 - std::pow(b1, t)));
  const T eps = static_cast<T>(m_settings.epsilon);

  if (m_settings.conventions == Conventions::PyTorch) {
    // torch.optim.Adam: epsilon is added to the bias-corrected root sqrt(v / (1 - b2^t)).
    m_m.array() = m_m.array() * static_cast<T>(b1) + grads.array() * static_cast<T>(1.0 - b1);
    m_v.array() =
        m_v.array() * static_cast<T>(b2) + grads.array().square() * static_cast<T>(1.0 - b2);
    const T stepSize = static_cast<T>(learningRate / (1.0 - std::pow(b1, t)));
    const T rootCorrection = static_cast<T>(std::sqrt(1.0 - std::pow(b2, t)));
    if (m_settings.amsgrad) {
      detail::ensureSlot(m_vHat, n, T(0));
      m_vHat.array() = m_vHat.array().max(m_v.array());
    }
    const Vector<T>& second = m_settings.amsgrad ? m_vHat : m_v;
    params.array() -= stepSize * (m_m.array() / (second.array().sqrt() / rootCorrection + eps));
    ++m_iterations;
    return;
  }
  m_m.array() += (grads.array() - m_m.array()) * static_cast<T>(1.0 - b1);
  m_v.array() += (grads.array().square() - m_v.array()) * static_cast<T>(1.0 - b2);
  if (m_settings.amsgrad) {
    detail::ensureSlot(m_vHat, n, T(0));
    m_vHat.array() = m_vHat.array().max(m_v.array());
    // "Epsilon hat": eps is added to sqrt of the uncorrected (here: maximal) second moment.
    params.array() -= alpha * m_m.array() / (m_vHat.array().sqrt() + eps);
  } else {
    // "Epsilon hat": eps is added to sqrt(v), not to the bias-corrected sqrt(v_hat).
    params.array() -= alpha * m_m.array() / (m_v.array().sqrt() + eps);
  }
  ++m_iterations;
}

template <typename T>
void AdamOptimizer<T>::reset() {
  m_iterations = 0;
  m_parameterCount = -1;
  m_m.resize(0);
  m_v.resize(0);
  m_vHat.resize(0);
}

template <typename T>
OptimizerState<T> AdamOptimizer<T>::state() const {
  OptimizerState<T> s;
  s.iterations = m_iterations;
  detail::saveSlot(s, detail::kMomentumSlot, m_m);
  detail::saveSlot(s, detail::kVelocitySlot, m_v);
  detail::saveSlot(s, kVelocityHatSlot, m_vHat);
  return s;
}

template <typename T>
void AdamOptimizer<T>::setState(const OptimizerState<T>& state, Index parameterCount) {
  detail::checkState(state, parameterCount, "Adam",
                     {detail::kMomentumSlot, detail::kVelocitySlot, kVelocityHatSlot},
                     {detail::kMomentumSlot, detail::kVelocitySlot});
  m_iterations = state.iterations;
  detail::loadSlot(state, detail::kMomentumSlot, m_m);
  detail::loadSlot(state, detail::kVelocitySlot, m_v);
  detail::loadSlot(state, kVelocityHatSlot, m_vHat);
  m_parameterCount = state.vectors.empty() ? -1 : parameterCount;
}

template class AdamOptimizer<float>;
template class AdamOptimizer<double>;

const OptimizerDescriptor& adamDescriptor() {
  static const OptimizerDescriptor descriptor = [] {
    OptimizerDescriptor d;
    d.kind = OptimizerKind::Adam;
    d.key = "adam";
    d.displayName = "Adam";
    d.defaults.kind = OptimizerKind::Adam;
    d.defaults.learningRate = 0.001;
    d.reads = {"beta_1", "beta_2", "epsilon", "amsgrad"};
    d.plannedMomentum = PlannedMomentumTarget::Beta1;
    d.landscapeRatesOf = OptimizerKind::Adam;
    d.lectureRating = {3, 2, 3, {}};
    d.makeFloat = &makeOptimizerOf<AdamOptimizer, float>;
    d.makeDouble = &makeOptimizerOf<AdamOptimizer, double>;
    d.pytorchDefaults = d.defaults;
    d.pytorchDefaults.epsilon = 1e-8;  // torch.optim.Adam(eps=1e-8)
    return d;
  }();
  return descriptor;
}

}  // namespace gradscope::core
