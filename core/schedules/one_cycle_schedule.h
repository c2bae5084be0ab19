// The 1cycle policy: one rise and fall of the learning rate over the planned run, with an
// optional inverse cycle of the momentum.
//
// References: Smith 2018 ("A disciplined approach to neural network hyper-parameters");
// the Linear shape follows Geron's OneCycleScheduler (the lecture's definition), the Cosine
// shape PyTorch's OneCycleLR (three_phase=False) and fastai's fit_one_cycle.
//
// Linear, over N = totalSteps updates with start = max / startDivisor and last = lastRate
// (max / 1000 when 0), integer arithmetic:
//   L = N // 10 + 1,  h = (N - L) // 2                  (pctStart 0: the reference phases)
//   h = floor(pctStart * N)                              (pctStart > 0, must be < 0.5)
//   interp(i1, i2, r1, r2) = (r2 - r1) * (t - i1) / (i2 - i1) + r1
//   t < h:        interp(0, h, start, max)
//   h <= t < 2h:  interp(h, 2h, max, start)
//   2h <= t <= N: max(interp(2h, N, start, last), last)
//   t > N:        last
// Momentum (cycleMomentum): max_m -> min_m over [0, h], back to max_m over [h, 2h], then max_m.
//
// Cosine, with start = max / startDivisor, final = start / finalDivisor, p = pctStart (0.25
// when 0), e1 = p * N - 1, e2 = N - 1 and anneal(a, b, x) = b + (a - b) / 2 * (1 + cos(pi x)):
//   t <= e1:  anneal(start, max, t / e1)
//   t >  e1:  anneal(max, final, (min(t, e2) - e1) / (e2 - e1))
// Momentum: anneal(max_m, min_m, .) in the first phase, anneal(min_m, max_m, .) in the second.
#pragma once

#include "core/schedules/schedule.h"

namespace gradscope::core {

class OneCycleSchedule final : public Schedule {
 public:
  // Reads the OneCycle fields of `settings`; throws Error naming the first invalid one.
  explicit OneCycleSchedule(const ScheduleSettings& settings);

  ScheduleKind kind() const override { return ScheduleKind::OneCycle; }
  double learningRate(std::int64_t step) const override;
  std::optional<double> momentum(std::int64_t step) const override;
  std::unique_ptr<Schedule> clone() const override;

  OneCycleShape shape() const { return m_shape; }
  std::int64_t totalSteps() const { return m_total; }
  double maxRate() const { return m_maxRate; }
  double startRate() const { return m_startRate; }
  // The rate reached at the end: last_rate (Linear) or start / finalDivisor (Cosine).
  double finalRate() const { return m_finalRate; }
  // Linear: h, the end of the rise (the peak) and start of the fall; 2h starts the last phase.
  std::int64_t halfIteration() const { return m_half; }
  // Linear: N - 2h, the length of the final phase (the reference's last_iterations + any
  // remainder of the integer division).
  std::int64_t lastPhaseSteps() const { return m_total - 2 * m_half; }
  // Cosine: e1 = pctStart * N - 1, the step of the peak (may be fractional).
  double peakStep() const { return m_peakStep; }

 private:
  // Position in the cycle: phase 0 rising, 1 falling, 2 final; fraction in [0, 1].
  struct Position {
    int phase;
    double fraction;
  };
  Position position(std::int64_t step) const;

  OneCycleShape m_shape;
  std::int64_t m_total;
  double m_maxRate;
  double m_startRate;
  double m_finalRate;
  std::int64_t m_half = 0;
  double m_peakStep = 0.0;
  bool m_cycleMomentum;
  double m_maxMomentum;
  double m_minMomentum;
};

}  // namespace gradscope::core
