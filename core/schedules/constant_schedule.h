// The constant schedule: the optimiser's own learning rate at every step.
//
// Reference: a plain float learning_rate in Keras. Rule: lr(t) = eta.
#pragma once

#include "core/schedules/schedule.h"

namespace gradscope::core {

class ConstantSchedule final : public Schedule {
 public:
  explicit ConstantSchedule(double rate) : m_rate(rate) {}

  ScheduleKind kind() const override { return ScheduleKind::Constant; }
  double learningRate(std::int64_t /*step*/) const override { return m_rate; }
  std::unique_ptr<Schedule> clone() const override;

  double rate() const { return m_rate; }

 private:
  double m_rate;
};

}  // namespace gradscope::core
