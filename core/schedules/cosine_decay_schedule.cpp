#include "core/schedules/cosine_decay_schedule.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "core/schedules/schedule_checks.h"

namespace gradscope::core {

CosineDecaySchedule::CosineDecaySchedule(double initialLearningRate, double decaySteps,
                                         double alpha, std::optional<double> warmupTarget,
                                         double warmupSteps)
    : m_initial(initialLearningRate),
      m_decaySteps(decaySteps),
      m_alpha(alpha),
      m_warmupTarget(warmupTarget),
      m_warmupSteps(warmupSteps) {
  detail::requireRate(m_initial, "schedule.initial_learning_rate");
  detail::requirePositive(m_decaySteps, "schedule.decay_steps");
  detail::requireNonNegative(m_alpha, "schedule.alpha");
  if (m_alpha > 1.0) throw Error("schedule.alpha", "must lie in [0, 1]");
  detail::requireNonNegative(m_warmupSteps, "schedule.warmup_steps");
  if (m_warmupTarget) detail::requireRate(*m_warmupTarget, "schedule.warmup_target");
}

double CosineDecaySchedule::decayed(double x) const {
  const double cosine = 0.5 * (1.0 + std::cos(std::numbers::pi * (x / m_decaySteps)));
  // alpha is the fraction of the starting rate left at the end of the decay.
  return (1.0 - m_alpha) * cosine + m_alpha;
}

double CosineDecaySchedule::learningRate(std::int64_t step) const {
  const double t = static_cast<double>(step);
  if (!m_warmupTarget) return m_initial * decayed(std::min(t, m_decaySteps));
  const double target = *m_warmupTarget;
  const double clamped = std::min(t, m_decaySteps + m_warmupSteps);
  if (clamped < m_warmupSteps) {
    // Linear warm-up from eta0 to the target over warmup_steps (Keras's _warmup_function).
    return (target - m_initial) * (clamped / m_warmupSteps) + m_initial;
  }
  return target * decayed(clamped - m_warmupSteps);
}

std::unique_ptr<Schedule> CosineDecaySchedule::clone() const {
  return std::make_unique<CosineDecaySchedule>(*this);
}

}  // namespace gradscope::core
