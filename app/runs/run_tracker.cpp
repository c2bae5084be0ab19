#include "app/runs/run_tracker.h"

#include <algorithm>
#include <cmath>

namespace gradscope::app {

double RunTracker::smoothedLoss() const {
  if (m_emaCount == 0) return RunSummary::kNaN;
  // Debiased: the average starts at 0, so divide by the weight it has gathered.
  return m_ema / (1.0 - m_emaDecay);
}

void RunTracker::addStep(std::int64_t step, double loss, double seconds) {
  m_inputs.push_back(Input{Input::Kind::Step, step + 1, step, loss, seconds});
  RunSummary& s = m_summary;
  s.steps = step + 1;
  s.seconds += seconds;
  if (!std::isfinite(loss)) return;
  if (m_emaCount == 0) s.initialLoss = loss;
  m_ema = kSmoothing * m_ema + (1.0 - kSmoothing) * loss;
  m_emaDecay *= kSmoothing;
  ++m_emaCount;
  const double smoothed = smoothedLoss();
  if (s.stepsToTarget < 0 && smoothed <= m_target) s.stepsToTarget = step + 1;
  if (m_lows.empty() || smoothed < m_lowest) {
    m_lowest = smoothed;
    if (m_lows.empty() || smoothed < m_lows.back().loss * (1.0 - kRecordGap)) {
      m_lows.push_back(Low{step + 1, smoothed});
    }
  }
}

void RunTracker::addEpoch(int epoch, double loss, double valLoss) {
  m_inputs.push_back(Input{Input::Kind::Epoch, m_summary.steps, epoch, loss, valLoss});
  RunSummary& s = m_summary;
  s.epochs = epoch + 1;
  m_epochLosses.push_back(loss);
  if (std::isfinite(loss)) {
    s.finalLoss = loss;
    if (!(s.bestLoss <= loss)) s.bestLoss = loss;  // also replaces NaN
    if (s.epochsToTarget < 0 && loss <= m_target) s.epochsToTarget = epoch + 1;
  }
  if (std::isfinite(valLoss)) {
    s.finalValLoss = valLoss;
    if (!(s.bestValLoss <= valLoss)) s.bestValLoss = valLoss;
  }
}

void RunTracker::markDiverged(std::int64_t step, double seconds) {
  m_inputs.push_back(Input{Input::Kind::Diverged, step + 1, step, 0.0, seconds});
  // The step counts (the run's step counter moved past it) though it was not applied.
  m_summary.steps = step + 1;
  m_summary.seconds += seconds;
  m_summary.diverged = true;
  m_summary.divergedAtStep = step;
}

void RunTracker::clearDivergence() {
  m_inputs.push_back(Input{Input::Kind::Revived, m_summary.steps, 0, 0.0, 0.0});
  m_summary.diverged = false;
  m_summary.divergedAtStep = -1;
}

void RunTracker::restart() { *this = RunTracker(m_target); }

void RunTracker::rewindTo(std::int64_t steps) {
  const std::vector<Input> inputs = std::move(m_inputs);
  const bool finished = m_summary.finished;
  restart();
  for (const Input& in : inputs) {
    if (in.at > steps) break;  // taken in the order the run made them
    switch (in.kind) {
      case Input::Kind::Step:
        addStep(in.number, in.first, in.second);
        break;
      case Input::Kind::Epoch:
        addEpoch(int(in.number), in.first, in.second);
        break;
      case Input::Kind::Diverged:
        markDiverged(in.number, in.second);
        break;
      case Input::Kind::Revived:
        clearDivergence();
        break;
    }
  }
  m_summary.finished = finished;
}

void RunTracker::setTargetLoss(double target) {
  if (target == m_target) return;
  m_target = target;
  RunSummary& s = m_summary;
  // The first kept record low at or below the target.
  const auto low =
      std::find_if(m_lows.begin(), m_lows.end(), [&](const Low& l) { return l.loss <= target; });
  s.stepsToTarget = low == m_lows.end() ? -1 : low->step;
  s.epochsToTarget = -1;
  for (std::size_t e = 0; e < m_epochLosses.size(); ++e) {
    if (m_epochLosses[e] <= target) {
      s.epochsToTarget = int(e) + 1;
      break;
    }
  }
}

}  // namespace gradscope::app
