// Keeps one run's summary for the results table up to date, step by step, in constant time
// per step: steps and epochs to a target loss, best and final training and validation loss,
// time spent, divergence.
//
// "Steps to target" uses the training loss smoothed over ~10 steps (a debiased exponential
// moving average with weight 0.9, as the loss chart's smoothing), so one lucky mini-batch
// does not count as reaching the target. "Epochs to target" uses the epoch's mean training
// loss, as Keras's History reports it. The target may change at any time: the tracker keeps
// the record lows of the smoothed loss (each kept low at least 0.01% below the one before), so
// a new target is answered without replaying the run; the step found may then lie a few
// steps after the exact crossing, where the smoothed loss is within 0.01% of the target.
#pragma once

#include <cstdint>
#include <vector>

#include "app/runs/run_table.h"

namespace gradscope::app {

class RunTracker {
 public:
  static constexpr double kSmoothing = 0.9;
  static constexpr double kRecordGap = 1e-4;  // relative drop between kept record lows

  explicit RunTracker(double targetLoss = 0.1) : m_target(targetLoss) {}

  // A finite step; `step` is 0-based.
  void addStep(std::int64_t step, double loss, double seconds);
  void addEpoch(int epoch, double loss, double valLoss);
  void markDiverged(std::int64_t step, double seconds);
  void setFinished(bool finished) { m_summary.finished = finished; }
  // Back to a clean state for a run that starts over (reset); the target is kept.
  void restart();
  // Back to what it was after the run's first `steps` steps (and the epochs ended within
  // them): the run goes on from an earlier step, and its summary describes that past only.
  void rewindTo(std::int64_t steps);
  // A revived run (settings changed after it diverged) trains on.
  void clearDivergence();

  void setTargetLoss(double target);
  double targetLoss() const { return m_target; }
  const RunSummary& summary() const { return m_summary; }
  double smoothedLoss() const;

 private:
  struct Low {
    std::int64_t step;  // 1-based, as reported
    double loss;
  };
  double m_target;
  RunSummary m_summary;
  double m_ema = 0.0;
  double m_emaDecay = 1.0;  // kSmoothing^n after n values (the debiasing weight)
  std::int64_t m_emaCount = 0;
  std::vector<Low> m_lows;  // decreasing losses, increasing steps
  double m_lowest = 0.0;    // lowest smoothed loss so far (m_lows may skip some lows)
  std::vector<double> m_epochLosses;
  // Everything it was given, in order, with the steps trained by then (rewindTo replays it).
  struct Input {
    enum class Kind : std::uint8_t { Step, Epoch, Diverged, Revived } kind;
    std::int64_t at;      // steps trained when it was given
    std::int64_t number;  // the step or the epoch
    double first, second;
  };
  std::vector<Input> m_inputs;
};

}  // namespace gradscope::app
