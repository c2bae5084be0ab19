// The learning-rate range test (Smith 2017, "Cyclical learning rates"; the lecture's first
// step of 1cycle): train a copy of the model while the rate grows exponentially from
// minRate to maxRate, record the smoothed loss at each rate, and stop once the loss
// diverges. The user's weights are never touched.
//
//   lr(t) = minRate * (maxRate / minRate)^(t / (steps - 1))
//   smoothed(t) = EMA of the loss with factor beta, debiased by 1 - beta^(t+1)
//   stop when smoothed(t) > divergenceFactor * min smoothed, or the loss is not finite
//
// Suggested maximum rate: one order of magnitude below the rate at the smoothed loss's
// minimum (the "minimum / 10" rule) — the rate where the loss still falls fastest is usually
// there. The steepest-descent point (most negative d smoothed / d log lr) is reported too.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/model/trainer.h"
#include "core/schedules/schedule.h"

namespace gradscope::core {

struct LrRangeTestSettings {
  double minRate = 1e-7;
  double maxRate = 10.0;
  int steps = 300;  // 0: one epoch of the trainer's data
  double smoothing = 0.98;
  double divergenceFactor = 4.0;
  bool operator==(const LrRangeTestSettings&) const = default;
};

void validate(const LrRangeTestSettings& settings);

struct LrRangeTestResult {
  std::vector<double> rates;
  std::vector<double> losses;          // raw mini-batch losses
  std::vector<double> smoothedLosses;  // debiased EMA
  double minimumLossRate = 0.0;        // rate at the smoothed minimum
  double steepestRate = 0.0;           // rate of steepest descent of the smoothed loss
  double suggestedMaxRate = 0.0;       // minimumLossRate / 10
  bool diverged = false;               // stopped early on divergence
  std::string rule;                    // how the suggestion was made, in words
  bool operator==(const LrRangeTestResult&) const = default;
};

// Runs the test on a copy of `trainer` (with a fresh optimiser state).
template <typename T>
LrRangeTestResult runLrRangeTest(const Trainer<T>& trainer, const LrRangeTestSettings& settings);

// A 1cycle schedule for `totalSteps` from the result: max = suggested, start = max / 10.
ScheduleSettings oneCycleFrom(const LrRangeTestResult& result, std::int64_t totalSteps);

}  // namespace gradscope::core
