// The learning-rate range test (Smith 2017, "Cyclical learning rates"; the lecture's first
// step of 1cycle): train a copy of the model while the rate grows exponentially from
// minRate to maxRate, record the smoothed loss at each rate, and stop once the loss
// diverges. The user's weights are never touched. By default the copy starts from the
// network's initial weights (those a reset draws from the seed), as the test is meant to be
// run before training; it may instead start from the current, trained weights, and the
// result says which.
//
//   lr(t) = minRate * (maxRate / minRate)^(t / (steps - 1))
//   smoothed(t) = EMA of the loss with factor beta, debiased by 1 - beta^(t+1)
//   stop when smoothed(t) > divergenceFactor * min smoothed, or the loss is not finite
//
// Suggested maximum rate: one order of magnitude below the rate at the smoothed loss's
// minimum (the "minimum / 10" rule) — the rate where the loss still falls fastest is usually
// there. The steepest-descent point (most negative d smoothed / d log lr) is reported too.
// No rate outside the tested range is ever suggested: when minimum / 10 falls below the
// first rate tested (or the loss never fell), the result has no suggestion and says why.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/model/trainer.h"
#include "core/schedules/schedule.h"

namespace gradscope::core {

// Where the copy of the network starts.
enum class LrRangeTestStart {
  InitialWeights,  // the weights a reset gives (the test as meant: before training)
  CurrentWeights,  // the run's weights as they are now
};

struct LrRangeTestSettings {
  LrRangeTestStart start = LrRangeTestStart::InitialWeights;
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
  double suggestedMaxRate = 0.0;       // minimumLossRate / 10; 0 when there is no suggestion
  bool diverged = false;               // stopped early on divergence
  std::string rule;                    // how the suggestion was made (or why none), in words
  bool fromInitialWeights = true;      // the copy started at the initial weights
  std::int64_t startStep = 0;          // the run's step the copy started from
  bool operator==(const LrRangeTestResult&) const = default;
};

// The test in pieces, so a worker can run it a few steps at a time between other commands.
class LrRangeTestJob {
 public:
  virtual ~LrRangeTestJob() = default;
  // Trains up to `steps` more steps of the test; true once it is over.
  virtual bool advance(int steps) = 0;
  virtual bool done() const = 0;
  // Steps trained so far and planned in all.
  virtual int stepsDone() const = 0;
  virtual int stepsPlanned() const = 0;
  // The result so far (final once done()).
  virtual LrRangeTestResult result() const = 0;
};

// A test on a copy of `trainer` (with a fresh optimiser state); throws Error on bad settings.
template <typename T>
class LrRangeTest final : public LrRangeTestJob {
 public:
  LrRangeTest(const Trainer<T>& trainer, const LrRangeTestSettings& settings);
  bool advance(int steps) override;
  bool done() const override { return m_done; }
  int stepsDone() const override { return m_step; }
  int stepsPlanned() const override { return m_steps; }
  LrRangeTestResult result() const override;

 private:
  LrRangeTestSettings m_settings;
  Trainer<T> m_probe;
  int m_steps = 0;
  int m_step = 0;
  bool m_done = false;
  double m_average = 0.0;
  double m_best = 0.0;
  LrRangeTestResult m_result;
};

// Runs the whole test at once (see LrRangeTest).
template <typename T>
LrRangeTestResult runLrRangeTest(const Trainer<T>& trainer, const LrRangeTestSettings& settings);

// Fills in the minimum, steepest and suggested rates and the rule of `result` from its curve.
void concludeLrRangeTest(LrRangeTestResult& result);

// A 1cycle schedule for `totalSteps` from the result: max = suggested, start = max / 10.
ScheduleSettings oneCycleFrom(const LrRangeTestResult& result, std::int64_t totalSteps);

}  // namespace gradscope::core
