#include "core/optimizers/rmsprop_optimizer.h"

#include "core/optimizers/optimizer_descriptor.h"
#include "core/optimizers/optimizer_slots.h"

namespace gradscope::core {

namespace {
constexpr std::string_view kAverageGradientSlot = "average_gradient";
}  // namespace

template <typename T>
RmsPropOptimizer<T>::RmsPropOptimizer(const OptimizerSettings& settings) {
  this->setSettings(settings);
}

template <typename T>
void RmsPropOptimizer<T>::step(Eigen::Ref<Vector<T>> params,
                               const Eigen::Ref<const Vector<T>>& grads, double learningRate) {
  detail::checkStepSizes(params.size(), grads.size(), m_parameterCount);
  const Index n = params.size();
  m_parameterCount = n;
  detail::ensureSlot(m_velocity, n, T(0));
  const bool useMomentum = m_settings.momentum > 0.0;
  if (useMomentum) detail::ensureSlot(m_momentum, n, T(0));
  if (m_settings.centered) detail::ensureSlot(m_averageGradient, n, T(0));

  const T lr = static_cast<T>(learningRate);
  const T rho = static_cast<T>(m_settings.rho);
  const T oneMinusRho = static_cast<T>(1.0 - m_settings.rho);
  const T eps = static_cast<T>(m_settings.epsilon);
  const T mu = static_cast<T>(m_settings.momentum);

  m_velocity.array() = rho * m_velocity.array() + oneMinusRho * grads.array().square();
  if (m_settings.conventions == Conventions::PyTorch) {
    // torch.optim.RMSprop (rho is its alpha): epsilon is added to the square root, and the
    // momentum buffer leaves the rate out: b = mu b + g / avg, w -= lr b.
    if (m_settings.centered) {
      m_averageGradient.array() = rho * m_averageGradient.array() + oneMinusRho * grads.array();
    }
    const Eigen::Array<T, Eigen::Dynamic, 1> average =
        m_settings.centered
            ? ((m_velocity.array() - m_averageGradient.array().square()).sqrt() + eps).eval()
            : (m_velocity.array().sqrt() + eps).eval();
    if (useMomentum) {
      m_momentum.array() = mu * m_momentum.array() + grads.array() / average;
      params.array() -= lr * m_momentum.array();
    } else {
      params.array() -= lr * (grads.array() / average);
    }
  } else if (m_settings.centered) {
    m_averageGradient.array() = rho * m_averageGradient.array() + oneMinusRho * grads.array();
    // Centered: estimated variance v - a^2, epsilon inside the square root.
    const auto increment =
        lr * grads.array() / (m_velocity.array() - m_averageGradient.array().square() + eps).sqrt();
    if (useMomentum) {
      m_momentum.array() = mu * m_momentum.array() + increment;
      params -= m_momentum;
    } else {
      params.array() -= increment;
    }
  } else {
    // Keras 3: epsilon inside the square root, lr * g / sqrt(v + eps).
    const auto increment = lr * grads.array() / (m_velocity.array() + eps).sqrt();
    if (useMomentum) {
      m_momentum.array() = mu * m_momentum.array() + increment;
      params -= m_momentum;
    } else {
      params.array() -= increment;
    }
  }
  ++m_iterations;
}

template <typename T>
void RmsPropOptimizer<T>::reset() {
  m_iterations = 0;
  m_parameterCount = -1;
  m_velocity.resize(0);
  m_momentum.resize(0);
  m_averageGradient.resize(0);
}

template <typename T>
OptimizerState<T> RmsPropOptimizer<T>::state() const {
  OptimizerState<T> s;
  s.iterations = m_iterations;
  detail::saveSlot(s, detail::kVelocitySlot, m_velocity);
  detail::saveSlot(s, detail::kMomentumSlot, m_momentum);
  detail::saveSlot(s, kAverageGradientSlot, m_averageGradient);
  return s;
}

template <typename T>
void RmsPropOptimizer<T>::setState(const OptimizerState<T>& state, Index parameterCount) {
  detail::checkState(state, parameterCount, "RMSprop",
                     {detail::kVelocitySlot, detail::kMomentumSlot, kAverageGradientSlot},
                     {detail::kVelocitySlot});
  m_iterations = state.iterations;
  detail::loadSlot(state, detail::kVelocitySlot, m_velocity);
  detail::loadSlot(state, detail::kMomentumSlot, m_momentum);
  detail::loadSlot(state, kAverageGradientSlot, m_averageGradient);
  m_parameterCount = state.vectors.empty() ? -1 : parameterCount;
}

template class RmsPropOptimizer<float>;
template class RmsPropOptimizer<double>;

const OptimizerDescriptor& rmspropDescriptor() {
  static const OptimizerDescriptor descriptor = [] {
    OptimizerDescriptor d;
    d.kind = OptimizerKind::RmsProp;
    d.key = "rmsprop";
    d.displayName = "RMSprop";
    d.defaults.kind = OptimizerKind::RmsProp;
    d.defaults.learningRate = 0.001;
    d.reads = {"momentum", "rho", "centered", "epsilon"};
    d.plannedMomentum = PlannedMomentumTarget::Momentum;
    d.landscapeRatesOf = OptimizerKind::RmsProp;
    d.lectureRating = {3, 2, 3, {}};
    d.makeFloat = &makeOptimizerOf<RmsPropOptimizer, float>;
    d.makeDouble = &makeOptimizerOf<RmsPropOptimizer, double>;
    d.pytorchDefaults = d.defaults;
    d.pytorchDefaults.rho = 0.99;      // torch.optim.RMSprop(alpha=0.99,
    d.pytorchDefaults.epsilon = 1e-8;  //   eps=1e-8)
    return d;
  }();
  return descriptor;
}

}  // namespace gradscope::core
