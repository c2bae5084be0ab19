// Performance scheduling: reduce the learning rate when a monitored metric stops improving.
//
// Reference: keras.callbacks.ReduceLROnPlateau (Keras 3), defaults monitor val_loss, factor
// 0.1, patience 10, mode auto, min_delta 1e-4, cooldown 0, min_lr 0. At the end of every
// epoch, with value x, best b (+inf for min, -inf for max at the start), wait w, cooldown
// counter k:
//   if k > 0:                      k <- k - 1; w <- 0
//   improved = x < b - min_delta   (min mode)   or   x > b + min_delta   (max mode)
//   if improved:                   b <- x; w <- 0
//   else if k == 0:                w <- w + 1
//                                  if w >= patience and lr > min_lr:
//                                      lr <- max(lr * factor, min_lr); k <- cooldown; w <- 0
// Auto mode maximises accuracies and minimises losses (Keras: "acc" in the monitor's name).
// min_delta is used with its sign, as Keras does (EarlyStopping takes its absolute value).
// A missing value (no validation this epoch) changes nothing.
//
// This is a stateful callback, not a Schedule: it reacts to the metric, not to the step.
// The trainer applies it to the optimiser's constant learning rate.
#pragma once

#include <cstdint>
#include <optional>

#include "core/callbacks/training_callback.h"
#include "core/model/types.h"

namespace gradscope::core {

struct PlateauSettings {
  Monitor monitor = Monitor::ValLoss;
  double factor = 0.1;  // new_lr = lr * factor, in [0, 1)
  int patience = 10;    // epochs without improvement before a reduction
  MonitorMode mode = MonitorMode::Auto;
  double minDelta = 1e-4;
  int cooldown = 0;    // epochs to wait after a reduction before counting again
  double minLr = 0.0;  // lower bound on the learning rate
  bool operator==(const PlateauSettings&) const = default;
};

// Throws Error naming the first invalid field.
void validate(const PlateauSettings& settings);

struct PlateauUpdate {
  double learningRate = 0.0;  // the rate to use from the next epoch on
  bool reduced = false;
};

// Everything a session needs to resume the reducer exactly.
struct PlateauState {
  double best = 0.0;
  std::int64_t wait = 0;
  std::int64_t cooldownCounter = 0;
  std::int64_t reductions = 0;  // how many times the rate was cut
  std::int64_t lastReductionEpoch = -1;
  bool operator==(const PlateauState&) const = default;
};

class PlateauReducer {
 public:
  explicit PlateauReducer(const PlateauSettings& settings = {});

  const PlateauSettings& settings() const { return m_settings; }
  // Keeps the state, except that a change of direction (monitor or mode) resets it.
  void setSettings(const PlateauSettings& settings);

  // Keras's on_train_begin: best = +-inf, wait = 0, cooldown = 0.
  void reset();

  // End of epoch `epoch` with the monitored `value` and the learning rate in use.
  PlateauUpdate update(std::int64_t epoch, std::optional<double> value, double currentLr);
  PlateauUpdate update(const EpochReport& report, double currentLr) {
    return update(report.epoch, monitoredValue(report, m_settings.monitor), currentLr);
  }

  bool maximising() const { return monitorMaximises(m_settings.monitor, m_settings.mode); }
  bool inCooldown() const { return m_state.cooldownCounter > 0; }
  double best() const { return m_state.best; }
  std::int64_t wait() const { return m_state.wait; }
  std::int64_t cooldownCounter() const { return m_state.cooldownCounter; }

  const PlateauState& state() const { return m_state; }
  void setState(const PlateauState& state);

 private:
  PlateauSettings m_settings;
  PlateauState m_state;
};

}  // namespace gradscope::core
