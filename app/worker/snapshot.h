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

#include "app/runs/run_table.h"
#include "app/worker/model_insight.h"
#include "core/probes/probes.h"
#include "core/signal/signal_propagation.h"

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
  // Smallest cosine over the weight tensors between the gradient before and after clipping
  // (1: the direction was kept, as clipnorm does; clipvalue can turn it).
  ClipDirectionCosine,
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

// The number of linear regions of the network's function in the decision boundary's square
// (DecisionField::regionCount), at the step it was measured.
struct RegionCountSample {
  std::int64_t step = 0;
  int regions = 0;
  int resolution = 0;  // grid points per axis it was counted on
};

// The sharpness of the training loss after a step's update (core/sharpness/sharpness_meter.h),
// measured every few steps while the Sharpness chart is shown.
struct SharpnessSample {
  std::int64_t step = 0;   // the step whose update led to the measured weights
  double lambdaMax = 0.0;  // top eigenvalue of H (or of P^-1 H when preconditioned)
  double threshold = std::numeric_limits<double>::quiet_NaN();  // 2/lr etc.; NaN: none
  bool preconditioned = false;
  QString formula;  // of the threshold, e.g. "2/η", "(2+2β)/η"
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

// The model's view of a 2-D input plane, for the decision-boundary chart and the
// network view: outputs on a grid over the data's range (in the data's own coordinates),
// and for small networks each unit's activation on the same grid and every weight.
struct DecisionField {
  int resolution = 0;  // grid points per axis
  double xMin = 0, xMax = 0, yMin = 0, yMax = 0;
  // Per output unit: resolution x resolution values, row-major from (xMin, yMin).
  std::vector<std::vector<float>> outputs;
  // Network view (empty when a hidden layer has more than kNetworkViewUnits units):
  // unitOutputs[layer][unit] is that unit's activation on the grid (layer = Dense position).
  std::vector<std::vector<std::vector<float>>> unitOutputs;
  // kernels[layer] is inputs x units, column-major (Keras layout).
  std::vector<std::vector<float>> kernels;
  std::vector<int> layerWidths;  // inputs first, then each Dense layer's units
  static constexpr int kNetworkViewUnits = 8;

  // Linear regions (core/regions/activation_patterns.h), for networks whose hidden
  // activations are piecewise linear: the region id of every point of a regionResolution x
  // regionResolution grid over the same square (corners included, row-major from (xMin, yMin);
  // finer than the field's grid when the network is cheap enough, see region_grid.h). Ids stay
  // with their activation pattern from one field to the next. regionCount is the number of
  // distinct patterns on that grid, a lower bound on the regions meeting the square.
  int regionResolution = 0;  // 0: no regions (see regionsUnavailable)
  std::vector<std::int32_t> regionIds;
  int regionCount = 0;
  int patternUnits = 0;        // hidden units with two linear pieces
  QString regionsUnavailable;  // why not, e.g. "layers[0] (dense) uses tanh, which is ..."
  bool hasRegions() const { return regionResolution >= 2; }
};

// The learning rate (and momentum) the schedule plans from `firstStep` to the end of the
// planned epochs, every `stride` steps (the stride keeps long plans to a few thousand points).
struct LearningRatePlan {
  std::int64_t firstStep = 0;
  std::int64_t stride = 1;
  std::vector<double> rates;
  std::vector<double> momenta;  // empty unless the schedule plans momentum
};

// The points of a 2-D data set, in their own coordinates, sent when the data changes.
struct DataPoints {
  std::vector<float> x, y;   // inputs
  std::vector<float> value;  // class index, or target value for regression
  std::vector<bool> validation;
  bool classification = true;
  int classes = 2;
};

struct Snapshot {
  int run = 0;                 // the run's id (see RunTable)
  int layerCount = 0;          // Dense layers
  std::int64_t firstStep = 0;  // steps[0]; steps are consecutive
  std::vector<std::int64_t> steps;
  std::array<std::vector<double>, kStepMetricCount> stepValues;  // each steps.size()
  // Per layer metric: steps.size() * layerCount values, step-major (value of step i, layer l
  // at i * layerCount + l).
  std::array<std::vector<float>, kLayerMetricCount> layerValues;
  std::vector<HistogramSample> histograms;
  std::vector<core::BatchNormProbe> batchNorms;  // of the last step
  // Refreshed a few times a second for 2-D data sets (null otherwise / between refreshes).
  std::shared_ptr<const DecisionField> decisionField;
  std::shared_ptr<const DataPoints> dataPoints;  // set when the data changed
  // Refreshed about once a second for data that is not 2-D (null otherwise / in between).
  std::shared_ptr<const ModelInsight> modelInsight;
  // Signal propagation at the run's weights (see core/signal/signal_propagation.h): sent when
  // the network, its initial weights or the data change, for the selected run (null otherwise).
  std::shared_ptr<const core::SignalPropagation> signalPropagation;
  // The planned learning rate of the run (sent when the plan changes).
  std::shared_ptr<const LearningRatePlan> learningRatePlan;
  // While the Schedule panel holds a change back: the plan it would give if applied now
  // (the schedule in use up to the current step, the held one after). Null otherwise.
  std::shared_ptr<const LearningRatePlan> heldPlan;
  std::vector<EpochSample> epochs;
  std::vector<Event> events;
  std::vector<SharpnessSample> sharpness;  // in step order
  // Every run of the comparison (names, colours, settings, summaries); the same table is
  // attached to each run's snapshot of one publication.
  std::shared_ptr<const RunTable> runTable;

  RunState state = RunState::Idle;
  QString status;  // e.g. "paused: diverged at step 812 (layer 3, backward)"
  std::int64_t currentStep = 0;
  int currentEpoch = 0;
  double stepsPerSecond = 0.0;
  bool reset = false;  // the run restarted: the history of this run starts over
  // The run went back to this step and trains on from it: its history drops the steps from
  // this one on before taking these (-1: nothing dropped).
  std::int64_t discardFrom = -1;
  // The dropped steps live on as run `futureKeptAs` (the old future, kept as a branch when
  // Play trained on from an earlier step): the history copies the run there before cutting it
  // (-1: not kept).
  int futureKeptAs = -1;

  std::size_t stepCount() const { return steps.size(); }
  double layerValue(LayerMetric metric, std::size_t stepIndex, int layer) const {
    return layerValues[std::size_t(metric)]
                      [stepIndex * std::size_t(layerCount) + std::size_t(layer)];
  }
};

using SnapshotPtr = std::shared_ptr<const Snapshot>;

}  // namespace gradscope::app

Q_DECLARE_METATYPE(gradscope::app::SnapshotPtr)
