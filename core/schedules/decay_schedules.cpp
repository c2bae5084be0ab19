#include "core/schedules/decay_schedules.h"

#include <cmath>

#include "core/schedules/schedule_checks.h"

namespace gradscope::core {

PowerSchedule::PowerSchedule(double initialLearningRate, double decaySteps, double power)
    : m_initial(initialLearningRate), m_decaySteps(decaySteps), m_power(power) {
  detail::requireRate(m_initial, "schedule.initial_learning_rate");
  detail::requirePositive(m_decaySteps, "schedule.decay_steps");
  detail::requireNonNegative(m_power, "schedule.power");
}

double PowerSchedule::learningRate(std::int64_t step) const {
  return m_initial / std::pow(1.0 + static_cast<double>(step) / m_decaySteps, m_power);
}

std::unique_ptr<Schedule> PowerSchedule::clone() const {
  return std::make_unique<PowerSchedule>(*this);
}

ExponentialSchedule::ExponentialSchedule(double initialLearningRate, double decaySteps)
    : m_initial(initialLearningRate), m_decaySteps(decaySteps) {
  detail::requireRate(m_initial, "schedule.initial_learning_rate");
  detail::requirePositive(m_decaySteps, "schedule.decay_steps");
}

double ExponentialSchedule::learningRate(std::int64_t step) const {
  return m_initial * std::pow(0.1, static_cast<double>(step) / m_decaySteps);
}

std::unique_ptr<Schedule> ExponentialSchedule::clone() const {
  return std::make_unique<ExponentialSchedule>(*this);
}

ExponentialDecaySchedule::ExponentialDecaySchedule(double initialLearningRate, double decaySteps,
                                                   double decayRate, bool staircase)
    : m_initial(initialLearningRate),
      m_decaySteps(decaySteps),
      m_decayRate(decayRate),
      m_staircase(staircase) {
  detail::requireRate(m_initial, "schedule.initial_learning_rate");
  detail::requirePositive(m_decaySteps, "schedule.decay_steps");
  detail::requirePositive(m_decayRate, "schedule.decay_rate");
}

double ExponentialDecaySchedule::learningRate(std::int64_t step) const {
  double p = static_cast<double>(step) / m_decaySteps;
  if (m_staircase) p = std::floor(p);  // staircase: integer division of the step
  return m_initial * std::pow(m_decayRate, p);
}

std::unique_ptr<Schedule> ExponentialDecaySchedule::clone() const {
  return std::make_unique<ExponentialDecaySchedule>(*this);
}

InverseTimeDecaySchedule::InverseTimeDecaySchedule(double initialLearningRate, double decaySteps,
                                                   double decayRate, bool staircase)
    : m_initial(initialLearningRate),
      m_decaySteps(decaySteps),
      m_decayRate(decayRate),
      m_staircase(staircase) {
  detail::requireRate(m_initial, "schedule.initial_learning_rate");
  detail::requirePositive(m_decaySteps, "schedule.decay_steps");
  detail::requireNonNegative(m_decayRate, "schedule.decay_rate");
}

double InverseTimeDecaySchedule::learningRate(std::int64_t step) const {
  double p = static_cast<double>(step) / m_decaySteps;
  if (m_staircase) p = std::floor(p);
  return m_initial / (1.0 + m_decayRate * p);
}

std::unique_ptr<Schedule> InverseTimeDecaySchedule::clone() const {
  return std::make_unique<InverseTimeDecaySchedule>(*this);
}

}  // namespace gradscope::core
