// Piecewise constant learning rate: fixed values between step boundaries.
//
// Reference: keras.optimizers.schedules.PiecewiseConstantDecay (Keras 3). With boundaries
// b_0 < b_1 < ... < b_{n-1} and values v_0 ... v_n:
//   lr(t) = v_0      if t <= b_0
//         = v_i      if b_{i-1} < t <= b_i
//         = v_n      if t > b_{n-1}
// A step exactly on a boundary still gets the earlier value (<=, not <). The lecture's
// example is boundaries {5, 10} with values {0.1, 0.01, 0.001}.
#pragma once

#include <vector>

#include "core/schedules/schedule.h"

namespace gradscope::core {

class PiecewiseConstantSchedule final : public Schedule {
 public:
  // Throws Error unless values.size() == boundaries.size() + 1 and the boundaries are
  // strictly increasing whole steps.
  PiecewiseConstantSchedule(std::vector<double> boundaries, std::vector<double> values);

  ScheduleKind kind() const override { return ScheduleKind::PiecewiseConstant; }
  double learningRate(std::int64_t step) const override;
  std::unique_ptr<Schedule> clone() const override;

  const std::vector<double>& boundaries() const { return m_boundaries; }
  const std::vector<double>& values() const { return m_values; }

 private:
  std::vector<double> m_boundaries;
  std::vector<double> m_values;
};

}  // namespace gradscope::core
