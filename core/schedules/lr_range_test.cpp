#include "core/schedules/lr_range_test.h"

#include <cmath>

namespace gradscope::core {

void validate(const LrRangeTestSettings& s) {
  if (!(s.minRate > 0.0 && s.minRate < s.maxRate)) {
    throw Error("lr_range_test.min_rate", "must be positive and below max_rate");
  }
  if (!(s.maxRate <= 1e3)) throw Error("lr_range_test.max_rate", "must be at most 1000");
  if (s.steps < 0 || s.steps > 100000) throw Error("lr_range_test.steps", "must be in [0, 100000]");
  if (!(s.smoothing >= 0.0 && s.smoothing < 1.0)) {
    throw Error("lr_range_test.smoothing", "must be in [0, 1)");
  }
  if (!(s.divergenceFactor > 1.0)) {
    throw Error("lr_range_test.divergence_factor", "must be above 1");
  }
}

template <typename T>
LrRangeTestResult runLrRangeTest(const Trainer<T>& trainer, const LrRangeTestSettings& settings) {
  validate(settings);
  Trainer<T> probe(trainer);
  // A fresh optimiser: accumulated moments from the user's run would distort the first rates.
  probe.setOptimizerSettings(trainer.optimizer().settings());
  probe.optimizer().reset();
  probe.setEarlyStopping(std::nullopt);
  probe.setPlateau(std::nullopt);
  const int steps =
      settings.steps > 0 ? settings.steps : int(std::max<Index>(2, probe.stepsPerEpoch()));

  // Exponential growth as Keras's ExponentialDecay with a "decay" rate above 1.
  ScheduleSettings schedule;
  schedule.kind = ScheduleKind::ExponentialDecay;
  schedule.initialLearningRate = settings.minRate;
  schedule.decaySteps = std::max(1, steps - 1);
  schedule.decayRate = settings.maxRate / settings.minRate;
  schedule.staircase = false;
  probe.setSchedule(schedule);

  LrRangeTestResult result;
  double average = 0.0;
  double best = std::numeric_limits<double>::infinity();
  for (int t = 0; t < steps; ++t) {
    const StepRecord record = probe.step();
    const double loss = record.loss.total();
    if (!std::isfinite(loss) || !record.finite) {
      result.diverged = true;
      break;
    }
    average = settings.smoothing * average + (1.0 - settings.smoothing) * loss;
    const double smoothed = average / (1.0 - std::pow(settings.smoothing, t + 1));
    result.rates.push_back(record.learningRate);
    result.losses.push_back(loss);
    result.smoothedLosses.push_back(smoothed);
    best = std::min(best, smoothed);
    if (t > 0 && smoothed > settings.divergenceFactor * best) {
      result.diverged = true;
      break;
    }
  }
  if (result.rates.empty()) {
    result.rule = "the loss was not finite at the smallest rate";
    return result;
  }
  std::size_t argMin = 0;
  for (std::size_t i = 1; i < result.smoothedLosses.size(); ++i) {
    if (result.smoothedLosses[i] < result.smoothedLosses[argMin]) argMin = i;
  }
  result.minimumLossRate = result.rates[argMin];
  // Steepest descent of the smoothed loss per decade, before the minimum.
  double steepest = 0.0;
  result.steepestRate = result.rates[0];
  for (std::size_t i = 1; i <= argMin; ++i) {
    const double slope = (result.smoothedLosses[i] - result.smoothedLosses[i - 1]) /
                         (std::log10(result.rates[i]) - std::log10(result.rates[i - 1]));
    if (slope < steepest) {
      steepest = slope;
      result.steepestRate = result.rates[i];
    }
  }
  result.suggestedMaxRate = result.minimumLossRate / 10.0;
  result.rule = "one order of magnitude below the rate of minimum smoothed loss";
  return result;
}

ScheduleSettings oneCycleFrom(const LrRangeTestResult& result, std::int64_t totalSteps) {
  ScheduleSettings s;
  s.kind = ScheduleKind::OneCycle;
  s.maxRate = result.suggestedMaxRate;
  s.startDivisor = 10.0;  // the lecture: minimum = maximum / 10
  s.totalSteps = totalSteps;
  return s;
}

template LrRangeTestResult runLrRangeTest<float>(const Trainer<float>&, const LrRangeTestSettings&);
template LrRangeTestResult runLrRangeTest<double>(const Trainer<double>&,
                                                  const LrRangeTestSettings&);

}  // namespace gradscope::core
