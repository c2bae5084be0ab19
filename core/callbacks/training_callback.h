// The generic training hook: the trainer calls onStepEnd after every update and onEpochEnd
// after every epoch; the worker, the probes and the GUI's recorders implement it. Reports are
// plain values, so a callback may keep them.
//
// Also here: the four monitorable epoch metrics and the min/max/auto mode that early stopping
// and the plateau reducer share, with Keras's names.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace gradscope::core {

struct StepReport {
  std::int64_t step = 0;   // 0-based index of the update just applied (its schedule step)
  std::int64_t epoch = 0;  // 0-based epoch it belongs to
  double loss = 0.0;       // mini-batch loss before the update (what Keras logs)
  double learningRate = 0.0;
};

struct EpochReport {
  std::int64_t epoch = 0;  // 0-based, as Keras's on_epoch_end(epoch); shown as epoch + 1
  std::optional<double> loss;
  std::optional<double> accuracy;
  std::optional<double> valLoss;
  std::optional<double> valAccuracy;
  double learningRate = 0.0;  // at the end of the epoch (Keras logs "learning_rate")
};

class TrainingCallback {
 public:
  virtual ~TrainingCallback() = default;
  virtual void onStepEnd(const StepReport& /*report*/) {}
  virtual void onEpochEnd(const EpochReport& /*report*/) {}
};

// The epoch metrics a callback can monitor, named as Keras's logs.
enum class Monitor { Loss, ValLoss, Accuracy, ValAccuracy };

// Min: lower is better; Max: higher is better; Auto: Keras infers it from the name (losses
// are minimised, accuracies maximised).
enum class MonitorMode { Auto, Min, Max };

inline std::string_view toString(Monitor monitor) {
  switch (monitor) {
    case Monitor::Loss:
      return "loss";
    case Monitor::ValLoss:
      return "val_loss";
    case Monitor::Accuracy:
      return "accuracy";
    case Monitor::ValAccuracy:
      return "val_accuracy";
  }
  return "unknown";
}

inline std::optional<Monitor> monitorFromString(std::string_view name) {
  for (Monitor m : {Monitor::Loss, Monitor::ValLoss, Monitor::Accuracy, Monitor::ValAccuracy}) {
    if (toString(m) == name) return m;
  }
  return std::nullopt;
}

inline std::string_view toString(MonitorMode mode) {
  switch (mode) {
    case MonitorMode::Auto:
      return "auto";
    case MonitorMode::Min:
      return "min";
    case MonitorMode::Max:
      return "max";
  }
  return "unknown";
}

inline std::optional<MonitorMode> monitorModeFromString(std::string_view name) {
  for (MonitorMode m : {MonitorMode::Auto, MonitorMode::Min, MonitorMode::Max}) {
    if (toString(m) == name) return m;
  }
  return std::nullopt;
}

// True when higher values of `monitor` are better under `mode`.
inline bool monitorMaximises(Monitor monitor, MonitorMode mode) {
  if (mode != MonitorMode::Auto) return mode == MonitorMode::Max;
  return monitor == Monitor::Accuracy || monitor == Monitor::ValAccuracy;
}

// The value of `monitor` in `report`, if it was computed this epoch.
inline std::optional<double> monitoredValue(const EpochReport& report, Monitor monitor) {
  switch (monitor) {
    case Monitor::Loss:
      return report.loss;
    case Monitor::ValLoss:
      return report.valLoss;
    case Monitor::Accuracy:
      return report.accuracy;
    case Monitor::ValAccuracy:
      return report.valAccuracy;
  }
  return std::nullopt;
}

}  // namespace gradscope::core
