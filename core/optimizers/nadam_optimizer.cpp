#include "core/optimizers/nadam_optimizer.h"

#include <cmath>

#include "core/optimizers/optimizer_descriptor.h"
#include "core/optimizers/optimizer_slots.h"

namespace gradscope::core {

namespace {
constexpr double kMomentumCacheDecay = 0.96;  // Dozat's schedule constant, fixed in Keras
// torch.optim.NAdam's momentum_decay: its schedule is 0.96^(0.004 t) (Dozat's 0.96^(t/250)),
// Keras's 0.96^t.
constexpr double kPytorchMomentumDecay = 4e-3;
}  // namespace

template <typename T>
NadamOptimizer<T>::NadamOptimizer(const OptimizerSettings& settings) {
  this->setSettings(settings);
}

template <typename T>
void NadamOptimizer<T>::step(Eigen::Ref<Vector<T>> params, const Eigen::Ref<const Vector<T>>& grads,
                             double learningRate) {
  detail::checkStepSizes(params.size(), grads.size(), m_parameterCount);
  const Index n = params.size();
  if (m_parameterCount < 0) m_uProduct = 1.0;  // built at the first step, as Keras's variable
  m_parameterCount = n;
  detail::ensureSlot(m_m, n, T(0));
  detail::ensureSlot(m_v, n, T(0));

  const double b1 = m_settings.beta1;
  const double b2 = m_settings.beta2;
  const double t = static_cast<double>(m_iterations + 1);
  // Momentum cache: mu_t and mu_{t+1} follow beta_1 (1 - 0.5 * 0.96^t).
  const bool pytorch = m_settings.conventions == Conventions::PyTorch;
  const double decay = pytorch ? kPytorchMomentumDecay : 1.0;
  const double muT = b1 * (1.0 - 0.5 * std::pow(kMomentumCacheDecay, t * decay));
  const double muNext = b1 * (1.0 - 0.5 * std::pow(kMomentumCacheDecay, (t + 1.0) * decay));
  // Keras updates the global product once per step, before any variable.
  m_uProduct *= muT;
  const double uProductNext = m_uProduct * muNext;

  // m_hat = c1 m + c2 g: the Nesterov look-ahead on the new m and on the raw gradient.
  const T c1 = static_cast<T>(muNext / (1.0 - uProductNext));
  const T c2 = static_cast<T>((1.0 - muT) / (1.0 - m_uProduct));
  // v_hat = v / (1 - b2^t): ordinary bias correction of the second moment.
  const T c3 = static_cast<T>(1.0 / (1.0 - std::pow(b2, t)));
  const T lr = static_cast<T>(learningRate);
  const T eps = static_cast<T>(m_settings.epsilon);

  if (pytorch) {
    // torch.optim.NAdam (2.0 and later, whose mu_product_next is mu_product * mu_next):
    // the gradient's and the momentum's terms are applied one after the other.
    m_m.array() = m_m.array() * static_cast<T>(b1) + grads.array() * static_cast<T>(1.0 - b1);
    m_v.array() =
        m_v.array() * static_cast<T>(b2) + grads.array().square() * static_cast<T>(1.0 - b2);
    const T biasCorrection2 = static_cast<T>(1.0 - std::pow(b2, t));
    const auto denominator = (m_v.array() / biasCorrection2).sqrt() + eps;
    const T gradientStep = static_cast<T>(learningRate * (1.0 - muT) / (1.0 - m_uProduct));
    const T momentumStep = static_cast<T>(learningRate * muNext / (1.0 - uProductNext));
    params.array() -= gradientStep * (grads.array() / denominator);
    params.array() -= momentumStep * (m_m.array() / denominator);
    ++m_iterations;
    return;
  }
  m_m.array() += (grads.array() - m_m.array()) * static_cast<T>(1.0 - b1);
  m_v.array() += (grads.array().square() - m_v.array()) * static_cast<T>(1.0 - b2);
  // eps is added to the bias-corrected root sqrt(v_hat).
  params.array() -=
      lr * (c1 * m_m.array() + c2 * grads.array()) / ((m_v.array() * c3).sqrt() + eps);
  ++m_iterations;
}

template <typename T>
void NadamOptimizer<T>::reset() {
  m_iterations = 0;
  m_parameterCount = -1;
  m_m.resize(0);
  m_v.resize(0);
  m_uProduct = 1.0;
}

template <typename T>
OptimizerState<T> NadamOptimizer<T>::state() const {
  OptimizerState<T> s;
  s.iterations = m_iterations;
  detail::saveSlot(s, detail::kMomentumSlot, m_m);
  detail::saveSlot(s, detail::kVelocitySlot, m_v);
  if (!s.vectors.empty()) s.scalars.push_back(m_uProduct);
  return s;
}

template <typename T>
void NadamOptimizer<T>::setState(const OptimizerState<T>& state, Index parameterCount) {
  detail::checkState(state, parameterCount, "Nadam", {detail::kMomentumSlot, detail::kVelocitySlot},
                     {detail::kMomentumSlot, detail::kVelocitySlot}, 1);
  m_iterations = state.iterations;
  detail::loadSlot(state, detail::kMomentumSlot, m_m);
  detail::loadSlot(state, detail::kVelocitySlot, m_v);
  m_uProduct = state.vectors.empty() ? 1.0 : state.scalars[0];
  m_parameterCount = state.vectors.empty() ? -1 : parameterCount;
}

template class NadamOptimizer<float>;
template class NadamOptimizer<double>;

const OptimizerDescriptor& nadamDescriptor() {
  static const OptimizerDescriptor descriptor = [] {
    OptimizerDescriptor d;
    d.kind = OptimizerKind::Nadam;
    d.key = "nadam";
    d.displayName = "Nadam";
    d.defaults.kind = OptimizerKind::Nadam;
    d.defaults.learningRate = 0.001;
    d.reads = {"beta_1", "beta_2", "epsilon"};
    d.plannedMomentum = PlannedMomentumTarget::Beta1;
    d.landscapeRatesOf = OptimizerKind::Nadam;
    d.lectureRating = {3, 2, 3, {}};
    d.makeFloat = &makeOptimizerOf<NadamOptimizer, float>;
    d.makeDouble = &makeOptimizerOf<NadamOptimizer, double>;
    d.pytorchDefaults = d.defaults;
    d.pytorchDefaults.epsilon = 1e-8;  // torch.optim.NAdam(eps=1e-8)
    return d;
  }();
  return descriptor;
}

}  // namespace gradscope::core
