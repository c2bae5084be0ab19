// When the worker estimates the sharpness: every `every` steps while the Sharpness chart is
// shown, and never more than `budget` of the run's wall-clock time. The time between the end
// of one step (or estimate) and the end of the next step earns budget x that time as credit;
// an estimate is taken at a step that is a multiple of `every` when the credit is not
// negative, and its time is paid back by the steps that follow. So training at full speed
// stays at least 1 / (1 + budget) as fast, a network whose estimates are cheap gets one every
// `every` steps, a large one (or a large data set) gets them less often, and a run in slow
// motion spends its idle time on them. The credit is capped, so a pause does not buy a burst.
#pragma once

#include <cstdint>

namespace gradscope::app {

class SharpnessSchedule {
 public:
  static constexpr int kDefaultEvery = 10;
  static constexpr double kDefaultBudget = 0.08;
  static constexpr double kMaxCreditSeconds = 0.05;

  explicit SharpnessSchedule(int every = kDefaultEvery, double budget = kDefaultBudget);

  void setEvery(int every);
  int every() const { return m_every; }
  double budget() const { return m_budget; }

  // After step `step`, which ended at `now` (seconds on a monotonic clock): true when an
  // estimate is due now.
  bool due(std::int64_t step, double now);
  // An estimate ran from `start` to `end` (the same clock).
  void spent(double start, double end);

 private:
  int m_every;
  double m_budget;
  double m_credit = 0.0;
  double m_last = -1.0;  // the end of the last step or estimate (negative: none yet)
};

}  // namespace gradscope::app
