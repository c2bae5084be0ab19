#include "core/schedules/piecewise_constant_schedule.h"

#include <cmath>
#include <utility>

#include "core/model/types.h"

namespace gradscope::core {

PiecewiseConstantSchedule::PiecewiseConstantSchedule(std::vector<double> boundaries,
                                                     std::vector<double> values)
    : m_boundaries(std::move(boundaries)), m_values(std::move(values)) {
  if (m_values.size() != m_boundaries.size() + 1) {
    throw Error("schedule.values", "needs exactly one more value than there are boundaries");
  }
  for (std::size_t i = 0; i < m_boundaries.size(); ++i) {
    const double b = m_boundaries[i];
    // Keras casts the boundaries to the integer step type; we ask for whole steps instead.
    if (!std::isfinite(b) || b < 0.0 || b != std::floor(b)) {
      throw Error("schedule.boundaries", "must be whole, non-negative step numbers");
    }
    if (i > 0 && b <= m_boundaries[i - 1]) {
      throw Error("schedule.boundaries", "must be strictly increasing");
    }
  }
  for (double v : m_values) {
    if (!std::isfinite(v) || v < 0.0) {
      throw Error("schedule.values", "must be finite, non-negative learning rates");
    }
  }
}

double PiecewiseConstantSchedule::learningRate(std::int64_t step) const {
  const double t = static_cast<double>(step);
  for (std::size_t i = 0; i < m_boundaries.size(); ++i) {
    // Keras: values[i] while step <= boundaries[i]; a step on the boundary keeps the old value.
    if (t <= m_boundaries[i]) return m_values[i];
  }
  return m_values.back();
}

std::unique_ptr<Schedule> PiecewiseConstantSchedule::clone() const {
  return std::make_unique<PiecewiseConstantSchedule>(*this);
}

}  // namespace gradscope::core
