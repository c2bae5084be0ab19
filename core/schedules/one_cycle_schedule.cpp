#include "core/schedules/one_cycle_schedule.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "core/schedules/schedule_checks.h"

namespace gradscope::core {

namespace {

constexpr double kDefaultLastRateDivisor = 1000.0;  // lecture: last rate = max / 1000
constexpr double kDefaultCosinePctStart = 0.25;

double interpolate(double t, double i1, double i2, double r1, double r2) {
  // Geron's _interpolate, in the same order of operations as the reference.
  return (r2 - r1) * (t - i1) / (i2 - i1) + r1;
}

double anneal(double from, double to, double fraction) {
  // PyTorch's _annealing_cos: cosine from `from` (fraction 0) to `to` (fraction 1).
  return to + (from - to) / 2.0 * (std::cos(std::numbers::pi * fraction) + 1.0);
}

}  // namespace

OneCycleSchedule::OneCycleSchedule(const ScheduleSettings& s)
    : m_shape(s.shape),
      m_total(s.totalSteps),
      m_maxRate(s.maxRate),
      m_cycleMomentum(s.cycleMomentum),
      m_maxMomentum(s.maxMomentum),
      m_minMomentum(s.minMomentum) {
  if (m_total < 1) throw Error("schedule.total_steps", "must be at least 1");
  detail::requirePositive(m_maxRate, "schedule.max_rate");
  detail::requirePositive(s.startDivisor, "schedule.start_divisor");
  detail::requireRate(s.lastRate, "schedule.last_rate");
  detail::requirePositive(s.finalDivisor, "schedule.final_divisor");
  detail::requireNonNegative(s.pctStart, "schedule.pct_start");
  detail::requireNonNegative(s.minMomentum, "schedule.min_momentum");
  detail::requireNonNegative(s.maxMomentum, "schedule.max_momentum");
  if (s.maxMomentum >= 1.0) throw Error("schedule.max_momentum", "must be < 1");
  if (s.minMomentum > s.maxMomentum) {
    throw Error("schedule.min_momentum", "must not exceed max_momentum");
  }

  m_startRate = m_maxRate / s.startDivisor;
  if (m_shape == OneCycleShape::Linear) {
    m_finalRate = s.lastRate > 0.0 ? s.lastRate : m_maxRate / kDefaultLastRateDivisor;
    if (s.pctStart > 0.0) {
      if (s.pctStart >= 0.5) {
        throw Error("schedule.pct_start", "must be < 0.5 for the linear 1cycle (rise + fall)");
      }
      m_half = static_cast<std::int64_t>(std::floor(s.pctStart * static_cast<double>(m_total)));
    } else {
      // The reference's integer arithmetic: last_iterations = N // 10 + 1,
      // half = (N - last_iterations) // 2.
      const std::int64_t lastIterations = m_total / 10 + 1;
      m_half = (m_total - lastIterations) / 2;
    }
  } else {
    const double pct = s.pctStart > 0.0 ? s.pctStart : kDefaultCosinePctStart;
    if (pct >= 1.0) throw Error("schedule.pct_start", "must be < 1");
    m_finalRate = m_startRate / s.finalDivisor;
    // PyTorch's end_step of the first phase: float(pct_start * total_steps) - 1.
    m_peakStep = pct * static_cast<double>(m_total) - 1.0;
  }
}

OneCycleSchedule::Position OneCycleSchedule::position(std::int64_t step) const {
  const double t = static_cast<double>(step);
  if (m_shape == OneCycleShape::Linear) {
    const double h = static_cast<double>(m_half);
    if (step < m_half) return {0, t / h};
    if (step < 2 * m_half) return {1, (t - h) / h};
    return {2, std::min(1.0, (t - 2.0 * h) / static_cast<double>(m_total - 2 * m_half))};
  }
  const double lastStep = static_cast<double>(m_total - 1);
  // PyTorch: phase 1 while step <= end_step, starting at step 0.
  if (t <= m_peakStep) return {0, m_peakStep > 0.0 ? t / m_peakStep : 1.0};
  const double span = lastStep - m_peakStep;
  // Steps beyond the plan stay at the end (PyTorch raises there).
  return {1, span > 0.0 ? (std::min(t, lastStep) - m_peakStep) / span : 1.0};
}

double OneCycleSchedule::learningRate(std::int64_t step) const {
  if (step < 0) step = 0;
  if (m_shape == OneCycleShape::Linear) {
    const double t = static_cast<double>(step);
    const double h = static_cast<double>(m_half);
    if (step < m_half) return interpolate(t, 0.0, h, m_startRate, m_maxRate);
    if (step < 2 * m_half) return interpolate(t, h, 2.0 * h, m_maxRate, m_startRate);
    if (step > m_total) return m_finalRate;
    // The reference floors the last phase at last_rate.
    return std::max(interpolate(t, 2.0 * h, static_cast<double>(m_total), m_startRate, m_finalRate),
                    m_finalRate);
  }
  const Position p = position(step);
  return p.phase == 0 ? anneal(m_startRate, m_maxRate, p.fraction)
                      : anneal(m_maxRate, m_finalRate, p.fraction);
}

std::optional<double> OneCycleSchedule::momentum(std::int64_t step) const {
  if (!m_cycleMomentum) return std::nullopt;
  if (step < 0) step = 0;
  const Position p = position(step);
  if (m_shape == OneCycleShape::Linear) {
    // Inverse to the rate: down while the rate rises, up while it falls, then held at max.
    if (p.phase == 0) return m_maxMomentum + (m_minMomentum - m_maxMomentum) * p.fraction;
    if (p.phase == 1) return m_minMomentum + (m_maxMomentum - m_minMomentum) * p.fraction;
    return m_maxMomentum;
  }
  return p.phase == 0 ? anneal(m_maxMomentum, m_minMomentum, p.fraction)
                      : anneal(m_minMomentum, m_maxMomentum, p.fraction);
}

std::unique_ptr<Schedule> OneCycleSchedule::clone() const {
  return std::make_unique<OneCycleSchedule>(*this);
}

}  // namespace gradscope::core
