#include "core/schedules/constant_schedule.h"

namespace gradscope::core {

std::unique_ptr<Schedule> ConstantSchedule::clone() const {
  return std::make_unique<ConstantSchedule>(*this);
}

}  // namespace gradscope::core
