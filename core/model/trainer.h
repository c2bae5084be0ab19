// One training run: a network, its loss, optimiser, schedule and clipping, and the data it
// iterates over. step() is one mini-batch, exactly as one Keras train_step:
//   1. forward in training mode on the batch,
//   2. loss (data + L2) and gradients by backpropagation,
//   3. clipping (clipvalue | clipnorm | global_clipnorm),
//   4. optimiser update with the schedule's rate at the current step.
// Settings change only between steps; every live change keeps the weights.
//
// All randomness (initial weights, shuffling, dropout masks) comes from streams split from
// one seed, so the same settings and seed give bit-identical runs.
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/callbacks/training_callback.h"
#include "core/data/dataset.h"
#include "core/model/loss.h"
#include "core/model/network.h"
#include "core/model/step_observer.h"
#include "core/model/trainer_data.h"
#include "core/model/training_settings.h"
#include "core/optimizers/gradient_clipper.h"
#include "core/optimizers/optimizer.h"
#include "core/schedules/schedule.h"

namespace gradscope::core {

template <typename T>
class Prober;
struct TrainerState;  // trainer_state.h

// Why a run stopped (the worker pauses and says so).
enum class StopReason { None, EpochsCompleted, EarlyStopping };

struct StepRecord {
  std::int64_t step = 0;  // 0-based index of this update in the run
  int epoch = 0;          // 0-based epoch the batch belongs to
  Index batchSize = 0;
  LossBreakdown loss;  // before the update, training-mode forward (what Keras logs)
  double accuracy = std::numeric_limits<double>::quiet_NaN();  // NaN for regression
  double learningRate = 0.0;
  std::optional<double> momentum;  // when the schedule plans it
  ClipResult clip;
  bool finite = true;     // false: loss or gradient not finite; the update was skipped
  bool epochEnd = false;  // this batch completed an epoch
};

struct Evaluation {
  double loss = 0.0;  // data loss + L2, as Keras's evaluate()
  double accuracy = std::numeric_limits<double>::quiet_NaN();
};

struct EpochRecord {
  int epoch = 0;
  std::int64_t lastStep = 0;
  double loss = 0.0;  // mean of the epoch's batch losses, as Keras's History
  double accuracy = std::numeric_limits<double>::quiet_NaN();
  std::optional<Evaluation> validation;
  double learningRate = 0.0;         // in effect at the end of the epoch
  bool learningRateReduced = false;  // the plateau rule cut the rate after this epoch
  bool improved = false;             // early stopping: a new best of the monitored metric
};

template <typename T>
class Trainer {
 public:
  // Throws Error naming the field when a setting is invalid or the data does not fit the
  // network. `validation` may be empty (no samples). `converted`, when given, is that data
  // already in T (shared with other trainers of the same data); otherwise it is converted here.
  Trainer(const NetworkSpec& spec, LossKind loss, const Dataset& train, const Dataset& validation,
          const OptimizerSettings& optimizer, const ScheduleSettings& schedule,
          const TrainingSettings& training,
          std::shared_ptr<const TrainerData<T>> converted = nullptr);

  // A deep copy: the same weights, optimiser state, schedule, RNG streams and position, so
  // that the copy continues exactly as the original would (the LR range test trains one).
  Trainer(const Trainer& other);
  Trainer& operator=(const Trainer&) = delete;

  // Re-initialises the weights from the seed and restarts the run at step 0.
  void reset();

  // Continues the run of `previous` after a structural change (another network or data):
  // the step and epoch counters, the schedule's position, the RNG streams, the callbacks'
  // state and every weight whose shape still fits (Dense kernels and biases in order,
  // BatchNorm parameters and statistics by position). The optimiser state is kept only when
  // the parameter layout is unchanged. Returns the number of tensors carried over. With
  // keepWeights false only the progress is carried over: the weights stay as initialised
  // ("re-initialise now") and the optimiser starts fresh.
  template <typename U>
  int continueFrom(const Trainer<U>& previous, bool keepWeights = true);
  StepRecord step();

  // Exact resumption (sessions): everything but the settings and the data, in double
  // precision. restoreState() needs a trainer built from the same settings and data; it
  // checks every size and value first (Error naming the field) and changes nothing on error.
  // Defined in trainer_state.cpp.
  TrainerState captureState() const;
  void restoreState(const TrainerState& state);

  // --- state
  Network<T>& network() { return m_network; }
  const Network<T>& network() const { return m_network; }
  const Optimizer<T>& optimizer() const { return *m_optimizer; }
  Optimizer<T>& optimizer() { return *m_optimizer; }
  const Schedule& schedule() const { return *m_schedule; }
  // The schedule `settings` would give if set at step `origin` (as setSchedule() does at the
  // current step): a 1cycle of totalSteps <= 0 spans the planned steps left from there.
  std::unique_ptr<Schedule> scheduleFor(const ScheduleSettings& settings,
                                        std::int64_t origin) const;
  std::int64_t stepCount() const { return m_step; }
  int epoch() const { return m_epoch; }
  Index batchInEpoch() const { return m_batchInEpoch; }
  // The order in which the current epoch visits the training samples (its batches are
  // consecutive slices of it).
  const std::vector<std::int64_t>& sampleOrder() const { return m_order; }
  Index stepsPerEpoch() const;
  std::int64_t plannedSteps() const { return std::int64_t(m_training.epochs) * stepsPerEpoch(); }
  // The rate the next step will use.
  double currentLearningRate() const;
  const std::optional<EpochRecord>& lastEpoch() const { return m_lastEpoch; }
  // Set when early stopping fired or the planned epochs are done; stepping further is
  // allowed (a lecturer may want to train on) and clears it.
  StopReason stopReason() const { return m_stopReason; }
  std::string stopMessage() const;
  // The same in a few words (the Runs table's Status cell), e.g. "stopped early at epoch 44,
  // weights of epoch 24".
  std::string stopSummary() const;
  const std::optional<EarlyStopping>& earlyStopping() const { return m_earlyStopping; }
  const std::optional<PlateauReducer>& plateauReducer() const { return m_plateau; }
  // Steps whose gradient clipping changed anything, for the "fraction clipped" metric.
  std::int64_t clippedSteps() const { return m_clippedSteps; }
  // The factor the plateau rule has applied to the schedule's rate (1 until it fires).
  double learningRateScale() const { return m_learningRateScale; }
  LossKind lossKind() const { return m_lossKind; }
  const TrainingSettings& trainingSettings() const { return m_training; }
  const ScheduleSettings& scheduleSettings() const { return m_scheduleSettings; }
  std::int64_t scheduleOrigin() const { return m_scheduleOrigin; }
  Index trainSize() const { return m_data->trainX.cols(); }
  // The training set as the network sees it (one sample per column, standardised).
  const Matrix<T>& trainingInputs() const { return m_data->trainX; }
  const Matrix<T>& trainingTargets() const { return m_data->trainY; }
  Index validationSize() const { return m_data->validX.cols(); }

  Evaluation evaluate(const Dataset& data);
  Evaluation evaluateValidation();
  Evaluation evaluateTraining();

  // --- live changes (apply from the next step)
  // Same kind: new hyper-parameters, state kept. Another kind: a fresh optimiser.
  void setOptimizerSettings(const OptimizerSettings& settings);
  // The schedule restarts at the current step; a 1cycle with totalSteps <= 0 spans the
  // remaining planned steps.
  void setSchedule(const ScheduleSettings& settings);
  void setClip(const ClipSettings& clip);
  // The rest of the current epoch is re-batched with the new size.
  void setBatchSize(Index batchSize);
  void setEpochs(int epochs);
  void setShuffle(bool shuffle);
  void setActivation(int layer, const ActivationSpec& activation);
  void setEarlyStopping(const std::optional<EarlyStoppingSettings>& settings);
  void setPlateau(const std::optional<PlateauSettings>& settings);
  // Probes measure every step from now on (nullptr: none). The trainer does not own it.
  void setProber(Prober<T>* prober) { m_prober = prober; }
  // Reads the inside of every step from now on (nullptr: none); not owned, not copied.
  void setStepObserver(StepObserver<T>* observer) { m_observer = observer; }
  // Generic hooks, called after every step and every epoch (not owned).
  void addCallback(TrainingCallback* callback) { m_callbacks.push_back(callback); }
  void removeCallback(TrainingCallback* callback) { std::erase(m_callbacks, callback); }

 private:
  template <typename U>
  friend class Trainer;
  void finishEpoch(StepRecord& record);
  void startEpoch();
  void gatherBatch(Index first, Index count);
  Evaluation evaluate(const Matrix<T>& x, const Matrix<T>& y);
  void rebuildSchedule();

  NetworkSpec m_spec;
  LossKind m_lossKind;
  std::unique_ptr<Loss<T>> m_loss;
  Network<T> m_network;
  std::unique_ptr<Optimizer<T>> m_optimizer;
  ScheduleSettings m_scheduleSettings;
  std::unique_ptr<Schedule> m_schedule;
  std::int64_t m_scheduleOrigin = 0;
  GradientClipper<T> m_clipper;
  TrainingSettings m_training;

  std::shared_ptr<const TrainerData<T>> m_data;  // never null
  bool m_classifies = false;

  Rng m_initRng, m_shuffleRng, m_dropoutRng;
  std::vector<std::int64_t> m_order;  // sample order of the current epoch
  Matrix<T> m_batchX, m_batchY;

  std::int64_t m_step = 0;
  int m_epoch = 0;
  Index m_batchInEpoch = 0;
  Index m_positionInEpoch = 0;  // samples of the current epoch already used
  double m_epochLossSum = 0.0;
  double m_epochAccuracySum = 0.0;
  Index m_epochSamples = 0;
  std::optional<EpochRecord> m_lastEpoch;

  std::optional<EarlyStopping> m_earlyStopping;
  std::optional<PlateauReducer> m_plateau;
  double m_learningRateScale = 1.0;
  Vector<T> m_bestParameters;  // early stopping's snapshot (restore_best_weights)
  std::vector<Vector<T>> m_bestBuffers;
  StopReason m_stopReason = StopReason::None;
  std::int64_t m_clippedSteps = 0;
  Prober<T>* m_prober = nullptr;
  StepObserver<T>* m_observer = nullptr;
  std::vector<double> m_gradientNorms;  // this step's, per layout tensor, before clipping
  std::vector<TrainingCallback*> m_callbacks;
};

extern template class Trainer<float>;
extern template class Trainer<double>;

}  // namespace gradscope::core
