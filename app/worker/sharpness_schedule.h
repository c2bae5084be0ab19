// When the worker estimates the sharpness: every `every` steps while the Sharpness chart is
// shown, and never more than `budget` of the training time. Each step earns budget x its
// training time as credit; an estimate is taken at a step that is a multiple of `every` when
// the credit is not negative, and its time is then paid back by the steps that follow. So a
// network whose estimates are cheap gets one every `every` steps, and a large one (or a large
// data set) gets them less often, keeping training at least 1 / (1 + budget) as fast. The
// credit is capped, so a pause does not buy a burst of estimates.
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

  // After a step of `seconds`: true when an estimate is due now.
  bool due(std::int64_t step, double seconds);
  // An estimate took `seconds`.
  void spent(double seconds) { m_credit -= seconds; }

 private:
  int m_every;
  double m_budget;
  double m_credit = 0.0;
};

}  // namespace gradscope::app
