// One run of an experiment, whatever its precision: data, trainer and probes behind one
// interface, so the worker (and later comparison runs) never deal with the scalar type.
//
// apply() takes a whole new configuration and makes the smallest change that realises it
// between two steps: a hyper-parameter is set in place (optimiser state kept), an activation
// is swapped without touching the weights, and a structural change (BatchNorm on/off,
// dropout, L2, depth, width, data) builds a new network that continues the run, carrying
// over every weight whose shape still fits.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/backprop/backprop_trace.h"
#include "core/loss_surface/weight_history.h"
#include "core/loss_surface/weight_space_loss.h"
#include "core/model/experiment_config.h"
#include "core/model/trainer.h"
#include "core/model/trainer_state.h"
#include "core/probes/probes.h"
#include "core/schedules/lr_range_test.h"
#include "core/sharpness/sharpness_meter.h"

#include "app/worker/snapshot.h"

namespace gradscope::app {

// One Dense layer's weights and how they were drawn: what a comparison run needs to start
// from another run's initial weights.
struct DenseWeights {
  bool output = false;  // the network's output layer
  core::InitializerSpec kernelInitializer;
  core::InitializerSpec biasInitializer;
  Eigen::MatrixXd kernel;  // inputs x units
  Eigen::MatrixXd bias;    // units x 1; empty without a bias
};

class TrainingRun {
 public:
  // Builds data, network and trainer; throws core::Error naming a bad field.
  static std::unique_ptr<TrainingRun> create(const core::ExperimentConfig& config);
  // With given data (embedded in a session, or imported) instead of the configuration's
  // generator; the configuration's split and standardisation still apply. The data stays the
  // run's until a change of the data settings replaces it with generated data.
  static std::unique_ptr<TrainingRun> create(const core::ExperimentConfig& config,
                                             const core::Dataset& data);
  virtual ~TrainingRun() = default;

  const core::ExperimentConfig& config() const { return m_config; }

  // Applies `config` and describes each change made, e.g. "activation: tanh -> relu" or
  // "optimiser: sgd -> adam (fresh state)". Changes that only act at a reset (initialiser,
  // seed) say so. Throws core::Error and changes nothing when `config` is invalid.
  virtual std::vector<std::string> apply(const core::ExperimentConfig& config) = 0;

  virtual const core::StepProbe& step() = 0;
  // New weights from the seed with the current initialiser; the run restarts at step 0.
  virtual void reset() = 0;
  // New weights with the current initialiser now, drawn from the run's own random stream;
  // the step count, schedule position and history go on (the optimiser starts fresh).
  virtual void reinitialize() = 0;

  virtual std::int64_t stepCount() const = 0;
  virtual int epoch() const = 0;
  virtual core::Index stepsPerEpoch() const = 0;
  virtual std::int64_t plannedSteps() const = 0;
  virtual double currentLearningRate() const = 0;
  virtual core::StopReason stopReason() const = 0;
  virtual std::string stopMessage() const = 0;
  virtual std::string stopSummary() const = 0;  // Trainer::stopSummary
  virtual const std::optional<core::EpochRecord>& lastEpoch() const = 0;
  virtual int denseLayerCount() const = 0;
  virtual core::LrRangeTestResult lrRangeTest(const core::LrRangeTestSettings& s) const = 0;
  // The same test, to be run a few steps at a time (the worker's chunks); it owns its copy
  // of the network, so the run may train or change meanwhile.
  virtual std::unique_ptr<core::LrRangeTestJob> startLrRangeTest(
      const core::LrRangeTestSettings& s) const = 0;
  virtual void setProbeSettings(const core::ProbeSettings& settings) = 0;
  // The backprop trace of the next step, made on a copy of the trainer (the run is not
  // touched); throws core::Error("network", ...) when backpropRefusal() refuses the network.
  virtual core::BackpropTrace traceNextStep() const = 0;
  // Why the Backprop view cannot trace this run's network, or nothing.
  virtual std::optional<std::string> backpropRefusal() const = 0;
  // All parameters in double (for tests and sessions).
  virtual Eigen::VectorXd parameters() const = 0;
  // Sessions: the exact state of the run (see core/trainer_state.h). restoreState() checks
  // it against this run first and throws core::Error, changing nothing, when it does not fit.
  virtual core::TrainerState captureState() const = 0;
  virtual void restoreState(const core::TrainerState& state) = 0;
  // The data the run was created with, when it was given rather than generated.
  virtual const std::optional<core::Dataset>& givenData() const = 0;
  // The file given data was read from (sessions save it with the data's SHA-256).
  struct DataFile {
    std::string path;
    std::string sha256;  // hex
    std::string targetColumn;
  };
  const std::optional<DataFile>& dataFile() const { return m_dataFile; }
  void setDataFile(std::optional<DataFile> file) { m_dataFile = std::move(file); }
  // One weight tensor by its Keras name (e.g. "layers[2].kernel", inputs x units), in double;
  // empty when there is none (the scenarios compare the units of a layer).
  virtual Eigen::MatrixXd tensor(const std::string& name) const = 0;

  // --- the loss surface (core/loss_surface): a copy of the network and of up to `maxSamples`
  // training samples, to compute L(theta) on another thread while the run trains on; and the
  // weights recorded along the run (from step 0, or from the last reset, rebuild or restore).
  virtual std::unique_ptr<core::WeightSpaceLoss> weightSpaceLoss(core::Index maxSamples) const = 0;
  virtual const core::WeightHistory& weightHistory() const = 0;

  // --- comparison runs (see app/lockstep.h)
  // Every Dense layer's weights, input side first, the output layer last.
  virtual std::vector<DenseWeights> denseWeights() const = 0;
  // Takes the weights of each Dense layer in `source` whose kernel shape and initialisers
  // match this run's layer at the same position (hidden layers by position, the output
  // layer as the output layer); returns how many layers were taken.
  virtual int adoptWeights(const std::vector<DenseWeights>& source) = 0;
  // The order in which the current epoch visits the training samples.
  virtual std::vector<std::int64_t> sampleOrder() const = 0;
  // A hash of the training and validation data (inputs and targets, as standardised), so
  // that runs meant to see the same data can be checked to do so.
  virtual std::uint64_t dataFingerprint() const = 0;

  // For 2-D data: the model's outputs over the data's plane (null for other data).
  virtual std::shared_ptr<const DecisionField> decisionField(int resolution) = 0;
  virtual std::shared_ptr<const DataPoints> dataPoints() const = 0;
  // For other data: predictions, confusion matrix, images, projection or curve (null for
  // 2-D data; see model_insight.h).
  virtual std::shared_ptr<const ModelInsight> modelInsight() = 0;
  // The measured and predicted signal propagation at the current weights on the first samples
  // of the training data (null when it cannot be measured, e.g. fewer than 2 samples).
  virtual std::shared_ptr<const core::SignalPropagation> signalPropagation() = 0;
  // The schedule's plan from its origin to the end of the planned epochs. With `held`: the
  // plan if that schedule were set now (held back in the Schedule panel until Apply), the
  // schedule in use up to the current step and `held` from there, as setting it would give.
  virtual std::shared_ptr<const LearningRatePlan> learningRatePlan(
      int maxPoints, const std::optional<core::ScheduleSettings>& held = {}) const = 0;
  // The sharpness of the training loss at the current weights and the optimiser's stability
  // threshold (core/sharpness/sharpness_meter.h: full batch up to 2,048 training samples,
  // else a fixed batch of 1,024); nullopt when it cannot be measured yet.
  virtual std::optional<core::SharpnessMeasurement> measureSharpness() = 0;

 protected:
  explicit TrainingRun(const core::ExperimentConfig& config) : m_config(config) {}
  core::ExperimentConfig m_config;
  std::optional<DataFile> m_dataFile;
};

// The network a configuration describes for data of the given shape.
core::NetworkSpec networkFor(const core::ExperimentConfig& config, core::Index inputs,
                             core::Index outputs, core::TaskKind task);

}  // namespace gradscope::app
