// Early stopping: stop training when a monitored metric has stopped improving, and tell the
// caller when to snapshot and when to restore the best weights. Pure logic: it never sees the
// weights.
//
// Reference: keras.callbacks.EarlyStopping (Keras 3), defaults monitor val_loss, min_delta 0,
// patience 0, mode auto, baseline None, restore_best_weights False, start_from_epoch 0.
// At the end of epoch e (0-based) with value x; best b (None at the start), wait w, and
// d = |min_delta|:
//   if x is missing or e < start_from_epoch:  nothing happens
//   if restoring and no weights were kept yet: keep these weights, best_epoch <- e
//   w <- w + 1
//   improved(x, r) = r is None  or  x + d < r (min mode)  or  x - d > r (max mode)
//   if improved(x, b):  b <- x; best_epoch <- e; keep the weights if restoring;
//                       w <- 0 only if there is no baseline or improved(x, baseline);
//                       (no stop check on an improving epoch)
//   else if w >= patience and e > 0:  stop, stopped_epoch <- e
// At the end of training Keras restores the kept weights whenever restore_best_weights is
// set, whether or not it stopped early (restoreAtTrainEnd()).
// Example (Keras's documentation): monitor loss, patience 3, a loss that never improves after
// the first epoch: epoch 0 sets the best, epochs 1, 2, 3 raise w to 3, training stops after
// 4 epochs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/callbacks/training_callback.h"
#include "core/model/types.h"

namespace gradscope::core {

struct EarlyStoppingSettings {
  Monitor monitor = Monitor::ValLoss;
  double minDelta = 0.0;  // its absolute value is used
  int patience = 0;
  MonitorMode mode = MonitorMode::Auto;
  std::optional<double> baseline;  // wait is only reset by epochs that also beat it
  bool restoreBestWeights = false;
  int startFromEpoch = 0;  // epochs before this one are not monitored (warm-up)
  bool operator==(const EarlyStoppingSettings&) const = default;
};

// Throws Error naming the first invalid field.
void validate(const EarlyStoppingSettings& settings);

struct EarlyStoppingDecision {
  bool monitored = false;        // the epoch counted (a value, and past start_from_epoch)
  bool improved = false;         // the value is the new best
  bool snapshotWeights = false;  // restoring: copy the current weights, they are the best
  bool stop = false;             // stop training after this epoch
  bool restoreBest = false;      // stop && restoring: put the snapshot back now
};

// Everything a session needs to resume early stopping exactly.
struct EarlyStoppingState {
  std::optional<double> best;  // none before the first monitored epoch
  std::int64_t wait = 0;
  std::int64_t bestEpoch = 0;
  std::int64_t stoppedEpoch = 0;  // Keras: 0 until it stops
  bool stopped = false;
  bool hasBestWeights = false;  // a snapshot was requested
  bool operator==(const EarlyStoppingState&) const = default;
};

class EarlyStopping {
 public:
  explicit EarlyStopping(const EarlyStoppingSettings& settings = {});

  const EarlyStoppingSettings& settings() const { return m_settings; }
  // Keeps the state (best, wait, snapshot); a change of direction resets it.
  void setSettings(const EarlyStoppingSettings& settings);

  // Keras's on_train_begin: forget everything.
  void reset();

  EarlyStoppingDecision onEpochEnd(std::int64_t epoch, std::optional<double> value);
  EarlyStoppingDecision onEpochEnd(const EpochReport& report) {
    return onEpochEnd(report.epoch, monitoredValue(report, m_settings.monitor));
  }

  // Keras's on_train_end: restore the best weights if restoring and a snapshot exists.
  bool restoreAtTrainEnd() const { return m_settings.restoreBestWeights && m_state.hasBestWeights; }

  bool maximising() const { return monitorMaximises(m_settings.monitor, m_settings.mode); }
  bool stopped() const { return m_state.stopped; }
  std::int64_t stoppedEpoch() const { return m_state.stoppedEpoch; }
  std::int64_t bestEpoch() const { return m_state.bestEpoch; }
  std::optional<double> best() const { return m_state.best; }
  std::int64_t wait() const { return m_state.wait; }

  // Why training stopped, e.g. "no improvement of val_loss by more than 0 for 3 epochs; best
  // 0.123 at epoch 7" (epochs counted from 1, as Keras prints them). Empty until it stops.
  std::string reason() const;
  // The same in a few words for a table cell: "stopped early at epoch 44, weights of epoch
  // 24" (or "..., best at epoch 24" when the weights were not put back). Empty until it stops.
  std::string summary() const;

  const EarlyStoppingState& state() const { return m_state; }
  void setState(const EarlyStoppingState& state);

 private:
  bool isImprovement(double value, std::optional<double> reference) const;

  EarlyStoppingSettings m_settings;
  EarlyStoppingState m_state;
};

}  // namespace gradscope::core
