// The decay schedules: the lecture's power and exponential scheduling and Keras's
// ExponentialDecay and InverseTimeDecay. A tiny family of one-line formulas, so one file.
//
// t is the 0-based update count (Keras's optimizer.iterations).
//   Power (lecture):        lr(t) = eta0 / (1 + t / s)^c
//                           (c = 1 is InverseTimeDecay(eta0, s, 1))
//   Exponential (lecture):  lr(t) = eta0 * 0.1^(t / s)
//                           (the same as ExponentialDecay(eta0, s, 0.1))
//   ExponentialDecay:       p = t / decay_steps (floor(p) when staircase)
//                           lr(t) = initial_learning_rate * decay_rate^p
//   InverseTimeDecay:       p = t / decay_steps (floor(p) when staircase)
//                           lr(t) = initial_learning_rate / (1 + decay_rate * p)
// References: keras.optimizers.schedules.ExponentialDecay and InverseTimeDecay (Keras 3).
#pragma once

#include "core/schedules/schedule.h"

namespace gradscope::core {

class PowerSchedule final : public Schedule {
 public:
  // Throws Error unless eta0 >= 0, s > 0 and c >= 0.
  PowerSchedule(double initialLearningRate, double decaySteps, double power);
  ScheduleKind kind() const override { return ScheduleKind::Power; }
  double learningRate(std::int64_t step) const override;
  std::unique_ptr<Schedule> clone() const override;

 private:
  double m_initial;
  double m_decaySteps;
  double m_power;
};

class ExponentialSchedule final : public Schedule {
 public:
  // Throws Error unless eta0 >= 0 and s > 0.
  ExponentialSchedule(double initialLearningRate, double decaySteps);
  ScheduleKind kind() const override { return ScheduleKind::Exponential; }
  double learningRate(std::int64_t step) const override;
  std::unique_ptr<Schedule> clone() const override;

 private:
  double m_initial;
  double m_decaySteps;
};

class ExponentialDecaySchedule final : public Schedule {
 public:
  // Throws Error unless initial >= 0, decaySteps > 0 (as Keras) and decayRate > 0.
  ExponentialDecaySchedule(double initialLearningRate, double decaySteps, double decayRate,
                           bool staircase);
  ScheduleKind kind() const override { return ScheduleKind::ExponentialDecay; }
  double learningRate(std::int64_t step) const override;
  std::unique_ptr<Schedule> clone() const override;

 private:
  double m_initial;
  double m_decaySteps;
  double m_decayRate;
  bool m_staircase;
};

class InverseTimeDecaySchedule final : public Schedule {
 public:
  // Throws Error unless initial >= 0, decaySteps > 0 (as Keras) and decayRate >= 0.
  InverseTimeDecaySchedule(double initialLearningRate, double decaySteps, double decayRate,
                           bool staircase);
  ScheduleKind kind() const override { return ScheduleKind::InverseTimeDecay; }
  double learningRate(std::int64_t step) const override;
  std::unique_ptr<Schedule> clone() const override;

 private:
  double m_initial;
  double m_decaySteps;
  double m_decayRate;
  bool m_staircase;
};

}  // namespace gradscope::core
