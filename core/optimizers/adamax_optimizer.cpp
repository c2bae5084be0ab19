#include "core/optimizers/adamax_optimizer.h"

#include <cmath>

#include "core/optimizers/optimizer_descriptor.h"
#include "core/optimizers/optimizer_slots.h"

namespace gradscope::core {

namespace {
constexpr std::string_view kNormSlot = "norm";
}  // namespace

template <typename T>
AdamaxOptimizer<T>::AdamaxOptimizer(const OptimizerSettings& settings) {
  this->setSettings(settings);
}

template <typename T>
void AdamaxOptimizer<T>::step(Eigen::Ref<Vector<T>> params,
                              const Eigen::Ref<const Vector<T>>& grads, double learningRate) {
  detail::checkStepSizes(params.size(), grads.size(), m_parameterCount);
  const Index n = params.size();
  m_parameterCount = n;
  detail::ensureSlot(m_m, n, T(0));
  detail::ensureSlot(m_u, n, T(0));

  const double b1 = m_settings.beta1;
  const double t = static_cast<double>(m_iterations + 1);
  // Only the first moment needs bias correction: lr / (1 - b1^t).
  const T lrCorrected = static_cast<T>(learningRate / (1.0 - std::pow(b1, t)));
  const T b2 = static_cast<T>(m_settings.beta2);
  const T eps = static_cast<T>(m_settings.epsilon);

  if (m_settings.conventions == Conventions::PyTorch) {
    // torch.optim.Adamax: epsilon is added to |g| inside the max.
    m_m.array() = m_m.array() * static_cast<T>(b1) + grads.array() * static_cast<T>(1.0 - b1);
    m_u.array() = (m_u.array() * b2).max(grads.array().abs() + eps);
    params.array() -= lrCorrected * (m_m.array() / m_u.array());
    ++m_iterations;
    return;
  }
  m_m.array() += (grads.array() - m_m.array()) * static_cast<T>(1.0 - b1);
  m_u.array() = (b2 * m_u.array()).max(grads.array().abs());
  // Keras: eps is added to u after the max (PyTorch adds it to |g| inside the max).
  params.array() -= lrCorrected * m_m.array() / (m_u.array() + eps);
  ++m_iterations;
}

template <typename T>
void AdamaxOptimizer<T>::reset() {
  m_iterations = 0;
  m_parameterCount = -1;
  m_m.resize(0);
  m_u.resize(0);
}

template <typename T>
OptimizerState<T> AdamaxOptimizer<T>::state() const {
  OptimizerState<T> s;
  s.iterations = m_iterations;
  detail::saveSlot(s, detail::kMomentumSlot, m_m);
  detail::saveSlot(s, kNormSlot, m_u);
  return s;
}

template <typename T>
void AdamaxOptimizer<T>::setState(const OptimizerState<T>& state, Index parameterCount) {
  detail::checkState(state, parameterCount, "AdaMax", {detail::kMomentumSlot, kNormSlot},
                     {detail::kMomentumSlot, kNormSlot});
  m_iterations = state.iterations;
  detail::loadSlot(state, detail::kMomentumSlot, m_m);
  detail::loadSlot(state, kNormSlot, m_u);
  m_parameterCount = state.vectors.empty() ? -1 : parameterCount;
}

template class AdamaxOptimizer<float>;
template class AdamaxOptimizer<double>;

const OptimizerDescriptor& adamaxDescriptor() {
  static const OptimizerDescriptor descriptor = [] {
    OptimizerDescriptor d;
    d.kind = OptimizerKind::Adamax;
    d.key = "adamax";
    d.displayName = "AdaMax";
    d.defaults.kind = OptimizerKind::Adamax;
    d.defaults.learningRate = 0.001;
    d.reads = {"beta_1", "beta_2", "epsilon"};
    d.plannedMomentum = PlannedMomentumTarget::Beta1;
    d.landscapeRatesOf = OptimizerKind::Adamax;
    d.lectureRating = {3, 2, 3, {}};
    d.makeFloat = &makeOptimizerOf<AdamaxOptimizer, float>;
    d.makeDouble = &makeOptimizerOf<AdamaxOptimizer, double>;
    d.pytorchDefaults = d.defaults;
    d.pytorchDefaults.epsilon = 1e-8;  // torch.optim.Adamax(eps=1e-8)
    return d;
  }();
  return descriptor;
}

}  // namespace gradscope::core
