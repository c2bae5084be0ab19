// What the training worker publishes to the GUI: an immutable batch of everything measured
// since the previous snapshot (every step's loss, per-layer probe values, histograms at their
// stride, epoch results and events), plus the run's current state. Snapshots are shared as
// std::shared_ptr<const Snapshot> through queued signals, so the worker never waits for the
// GUI and the GUI never touches the model.
#pragma once

#include <QMetaType>
#include <QString>

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "core/probes.h"

namespace gradscope::app {

// Scalars measured once per step.
enum class StepMetric {
  Loss,  // data + L2, before the update
  DataLoss,
  Accuracy,  // NaN for regression
  LearningRate,
  Momentum,            // NaN unless a schedule plans it
  GradientNormBefore,  // global, before clipping
  GradientNormAfter,   // global, after clipping
  Clipped,             // 1 when clipping changed the gradient, else 0
  Count
};
inline constexpr int kStepMetricCount = int(StepMetric::Count);

// Scalars measured per Dense layer per step (NaN where not measured at that step).
enum class LayerMetric {
  GradientNorm,
  ActivationMean,
  ActivationStd,
  PreActivationMean,
  PreActivationStd,
  Saturated,
  Inactive,
  DeadUnits,
  DeadUnitsEpoch,
  WeightNorm,
  UpdateRatio,
  OptimizerState,
  Count
};
inline constexpr int kLayerMetricCount = int(LayerMetric::Count);

const char* metricName(StepMetric metric);   // e.g. "loss", "learning_rate"
const char* metricName(LayerMetric metric);  // e.g. "gradient_norm", "saturated"

struct HistogramSample {
  std::int64_t step = 0;
  int layer = 0;  // Dense-layer position (0 = first hidden layer)
  core::LayerHistograms histograms;
};

struct EpochSample {
  int epoch = 0;
  std::int64_t lastStep = 0;
  double loss = 0.0;
  double accuracy = std::numeric_limits<double>::quiet_NaN();
  double valLoss = std::numeric_limits<double>::quiet_NaN();
  double valAccuracy = std::numeric_limits<double>::quiet_NaN();
  double learningRate = 0.0;
  bool learningRateReduced = false;
  bool improved = false;
};

enum class EventKind {
  SettingChanged,
  LearningRateReduced,
  ClippingBurst,
  EarlyStop,
  Diverged,
  Finished,
  Reset
};

// A mark on the time axis: what happened and at which step.
struct Event {
  std::int64_t step = 0;
  EventKind kind = EventKind::SettingChanged;
  QString text;
};

enum class RunState { Idle, Running, Paused, Finished, Diverged };

struct Snapshot {
  int run = 0;
  int layerCount = 0;          // Dense layers
  std::int64_t firstStep = 0;  // steps[0]; steps are consecutive
  std::vector<std::int64_t> steps;
  std::array<std::vector<double>, kStepMetricCount> stepValues;  // each steps.size()
  // Per layer metric: steps.size() * layerCount values, step-major (value of step i, layer l
  // at i * layerCount + l).
  std::array<std::vector<float>, kLayerMetricCount> layerValues;
  std::vector<HistogramSample> histograms;
  std::vector<core::BatchNormProbe> batchNorms;  // of the last step
  std::vector<EpochSample> epochs;
  std::vector<Event> events;

  RunState state = RunState::Idle;
  QString status;  // e.g. "paused: diverged at step 812 (layer 3, backward)"
  std::int64_t currentStep = 0;
  int currentEpoch = 0;
  double stepsPerSecond = 0.0;
  bool reset = false;  // the run restarted: the history of this run starts over

  std::size_t stepCount() const { return steps.size(); }
  double layerValue(LayerMetric metric, std::size_t stepIndex, int layer) const {
    return layerValues[std::size_t(metric)]
                      [stepIndex * std::size_t(layerCount) + std::size_t(layer)];
  }
};

using SnapshotPtr = std::shared_ptr<const Snapshot>;

}  // namespace gradscope::app

Q_DECLARE_METATYPE(gradscope::app::SnapshotPtr)
