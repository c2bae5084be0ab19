#include "app/worker/sharpness_schedule.h"

#include <algorithm>

namespace gradscope::app {

SharpnessSchedule::SharpnessSchedule(int every, double budget)
    : m_every(std::max(1, every)), m_budget(budget) {}

void SharpnessSchedule::setEvery(int every) { m_every = std::max(1, every); }

bool SharpnessSchedule::due(std::int64_t step, double seconds) {
  m_credit = std::min(m_credit + seconds * m_budget, kMaxCreditSeconds);
  return step % m_every == 0 && m_credit >= 0.0;
}

}  // namespace gradscope::app
