#include "core/schedules/lr_range_test.h"

#include <cmath>
#include <iomanip>
#include <limits>
#include <sstream>

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
LrRangeTest<T>::LrRangeTest(const Trainer<T>& trainer, const LrRangeTestSettings& settings)
    : m_settings(settings), m_probe(trainer) {
  validate(settings);
  m_result.fromInitialWeights = settings.start == LrRangeTestStart::InitialWeights;
  m_result.startStep = m_result.fromInitialWeights ? 0 : trainer.stepCount();
  // The weights a reset gives: the test is meant for an untrained network.
  if (m_result.fromInitialWeights) m_probe.reset();
  // A fresh optimiser: accumulated moments from the user's run would distort the first rates.
  m_probe.setOptimizerSettings(trainer.optimizer().settings());
  m_probe.optimizer().reset();
  m_probe.setEarlyStopping(std::nullopt);
  m_probe.setPlateau(std::nullopt);
  m_steps = settings.steps > 0 ? settings.steps : int(std::max<Index>(2, m_probe.stepsPerEpoch()));

  // Exponential growth as Keras's ExponentialDecay with a "decay" rate above 1.
  ScheduleSettings schedule;
  schedule.kind = ScheduleKind::ExponentialDecay;
  schedule.initialLearningRate = settings.minRate;
  schedule.decaySteps = std::max(1, m_steps - 1);
  schedule.decayRate = settings.maxRate / settings.minRate;
  schedule.staircase = false;
  m_probe.setSchedule(schedule);
  m_best = std::numeric_limits<double>::infinity();
}

template <typename T>
bool LrRangeTest<T>::advance(int steps) {
  for (int i = 0; i < steps && !m_done; ++i) {
    if (m_step >= m_steps) {
      m_done = true;
      break;
    }
    const StepRecord record = m_probe.step();
    const double loss = record.loss.total();
    if (!std::isfinite(loss) || !record.finite) {
      m_result.diverged = true;
      m_done = true;
      break;
    }
    m_average = m_settings.smoothing * m_average + (1.0 - m_settings.smoothing) * loss;
    const double smoothed = m_average / (1.0 - std::pow(m_settings.smoothing, m_step + 1));
    m_result.rates.push_back(record.learningRate);
    m_result.losses.push_back(loss);
    m_result.smoothedLosses.push_back(smoothed);
    m_best = std::min(m_best, smoothed);
    ++m_step;
    if (m_step > 1 && smoothed > m_settings.divergenceFactor * m_best) {
      m_result.diverged = true;
      m_done = true;
    }
  }
  if (m_step >= m_steps) m_done = true;
  return m_done;
}

template <typename T>
LrRangeTestResult LrRangeTest<T>::result() const {
  LrRangeTestResult r = m_result;
  concludeLrRangeTest(r);
  return r;
}

void concludeLrRangeTest(LrRangeTestResult& result) {
  result.minimumLossRate = result.steepestRate = result.suggestedMaxRate = 0.0;
  if (result.rates.empty()) {
    result.rule = "no suggestion: the loss was not finite at the smallest rate";
    return;
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
  const double suggestion = result.minimumLossRate / 10.0;
  auto rate = [](double r) {
    std::ostringstream out;
    out << std::setprecision(2) << r;
    return out.str();
  };
  if (argMin == 0) {
    result.rule = "no suggestion: the loss did not fall anywhere in the tested range (from " +
                  rate(result.rates.front()) + ")";
    return;
  }
  if (suggestion < result.rates.front()) {
    // Outside the range the test measured: nothing says that rate trains at all.
    result.rule = "no suggestion: the loss was lowest at " + rate(result.minimumLossRate) +
                  ", and a tenth of it (" + rate(suggestion) +
                  ") lies below the first rate tested (" + rate(result.rates.front()) +
                  "); run the test again with a lower minimum rate";
    return;
  }
  result.suggestedMaxRate = suggestion;
  result.rule = "one order of magnitude below the rate of minimum smoothed loss";
}

template <typename T>
LrRangeTestResult runLrRangeTest(const Trainer<T>& trainer, const LrRangeTestSettings& settings) {
  LrRangeTest<T> test(trainer, settings);
  while (!test.advance(64)) {
  }
  return test.result();
}

ScheduleSettings oneCycleFrom(const LrRangeTestResult& result, std::int64_t totalSteps) {
  ScheduleSettings s;
  s.kind = ScheduleKind::OneCycle;
  s.maxRate = result.suggestedMaxRate;
  s.startDivisor = 10.0;  // the lecture: minimum = maximum / 10
  s.totalSteps = totalSteps;
  return s;
}

template class LrRangeTest<float>;
template class LrRangeTest<double>;
template LrRangeTestResult runLrRangeTest<float>(const Trainer<float>&, const LrRangeTestSettings&);
template LrRangeTestResult runLrRangeTest<double>(const Trainer<double>&,
                                                  const LrRangeTestSettings&);

}  // namespace gradscope::core
