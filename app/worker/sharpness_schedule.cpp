#include "app/worker/sharpness_schedule.h"

#include <algorithm>

namespace gradscope::app {

SharpnessSchedule::SharpnessSchedule(int every, double budget)
    : m_every(std::max(1, every)), m_budget(budget) {}

void SharpnessSchedule::setEvery(int every) { m_every = std::max(1, every); }

bool SharpnessSchedule::due(std::int64_t step, double now) {
  if (m_last >= 0.0 && now > m_last) {
    m_credit = std::min(m_credit + (now - m_last) * m_budget, kMaxCreditSeconds);
  }
  m_last = now;
  return step % m_every == 0 && m_credit >= 0.0;
}

void SharpnessSchedule::spent(double start, double end) {
  m_credit -= end - start;
  m_last = end;
}

}  // namespace gradscope::app
