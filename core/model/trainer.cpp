#include "core/model/trainer.h"

#include <cmath>
#include <numeric>

#include "core/probes/probes.h"
#include "core/probes/vector_norm.h"

namespace gradscope::core {

void validate(const TrainingSettings& settings) {
  if (settings.batchSize < 1 || settings.batchSize > 1'000'000) {
    throw Error("batch_size", "must be in [1, 1000000]");
  }
  if (settings.epochs < 1 || settings.epochs > kMaxEpochs) {
    throw Error("epochs", "must be in [1, " + std::to_string(kMaxEpochs) + "]");
  }
  if (settings.checkpointMemory < kMinCheckpointMemory ||
      settings.checkpointMemory > kMaxCheckpointMemory) {
    throw Error("checkpoint_memory", "must be in [" + std::to_string(kMinCheckpointMemory) + ", " +
                                         std::to_string(kMaxCheckpointMemory) + "]");
  }
  validate(settings.clip);
  if (settings.earlyStopping) validate(*settings.earlyStopping);
  if (settings.plateau) validate(*settings.plateau);
}

namespace {
void checkData(const Dataset& data, const NetworkSpec& spec, const std::string& field) {
  if (data.sampleCount() == 0) return;
  if (data.featureCount() != spec.inputs) {
    throw Error(field + ".inputs", "has " + std::to_string(data.featureCount()) +
                                       " features, the network expects " +
                                       std::to_string(spec.inputs));
  }
  if (data.outputCount() != outputSize(spec)) {
    throw Error(field + ".targets", "has " + std::to_string(data.outputCount()) +
                                        " outputs, the network has " +
                                        std::to_string(outputSize(spec)));
  }
}
}  // namespace

template <typename T>
Trainer<T>::Trainer(const NetworkSpec& spec, LossKind loss, const Dataset& train,
                    const Dataset& validation, const OptimizerSettings& optimizer,
                    const ScheduleSettings& schedule, const TrainingSettings& training,
                    std::shared_ptr<const TrainerData<T>> converted)
    : m_spec(spec),
      m_lossKind(loss),
      m_loss(makeLoss<T>(loss)),
      m_network(spec),
      m_optimizer(makeOptimizer<T>(optimizer)),
      m_scheduleSettings(schedule),
      m_clipper(training.clip),
      m_training(training) {
  validate(training);
  m_network.checkLossCompatible(loss);
  if (train.sampleCount() == 0) throw Error("data.train", "has no samples");
  checkData(train, spec, "data.train");
  checkData(validation, spec, "data.validation");
  if (converted && (converted->trainX.cols() != train.sampleCount() ||
                    converted->validX.cols() != validation.sampleCount())) {
    throw Error("data", "the converted samples are not those of the data set");
  }
  m_data = converted ? std::move(converted) : makeTrainerData<T>(train, validation);
  m_classifies = loss != LossKind::MeanSquaredError;
  if (training.earlyStopping) m_earlyStopping.emplace(*training.earlyStopping);
  if (training.plateau) m_plateau.emplace(*training.plateau);
  reset();
}

template <typename T>
Trainer<T>::Trainer(const Trainer& other)
    : m_spec(other.m_spec),
      m_lossKind(other.m_lossKind),
      m_loss(makeLoss<T>(other.m_lossKind)),
      m_network(other.m_network),
      m_optimizer(makeOptimizer<T>(other.m_optimizer->settings())),
      m_scheduleSettings(other.m_scheduleSettings),
      m_schedule(other.m_schedule->clone()),
      m_scheduleOrigin(other.m_scheduleOrigin),
      m_clipper(other.m_clipper),
      m_training(other.m_training),
      m_data(other.m_data),
      m_classifies(other.m_classifies),
      m_initRng(other.m_initRng),
      m_shuffleRng(other.m_shuffleRng),
      m_dropoutRng(other.m_dropoutRng),
      m_order(other.m_order),
      m_step(other.m_step),
      m_epoch(other.m_epoch),
      m_batchInEpoch(other.m_batchInEpoch),
      m_positionInEpoch(other.m_positionInEpoch),
      m_epochLossSum(other.m_epochLossSum),
      m_epochAccuracySum(other.m_epochAccuracySum),
      m_epochSamples(other.m_epochSamples),
      m_lastEpoch(other.m_lastEpoch),
      m_earlyStopping(other.m_earlyStopping),
      m_plateau(other.m_plateau),
      m_learningRateScale(other.m_learningRateScale),
      m_bestParameters(other.m_bestParameters),
      m_bestBuffers(other.m_bestBuffers),
      m_stopReason(other.m_stopReason),
      m_clippedSteps(other.m_clippedSteps) {
  m_optimizer->setState(other.m_optimizer->state(), m_network.parameterCount());
}

template <typename T>
void Trainer<T>::reset() {
  // Independent streams, so that e.g. turning dropout on does not change the shuffling.
  Rng master(m_training.seed);
  m_initRng = master.split();
  m_shuffleRng = master.split();
  m_dropoutRng = master.split();
  m_network.initialize(m_initRng);
  m_optimizer->reset();
  m_step = 0;
  m_epoch = 0;
  m_scheduleOrigin = 0;
  m_lastEpoch.reset();
  if (m_earlyStopping) m_earlyStopping->reset();
  if (m_plateau) m_plateau->reset();
  m_learningRateScale = 1.0;
  m_bestParameters.resize(0);
  m_bestBuffers.clear();
  m_stopReason = StopReason::None;
  m_clippedSteps = 0;
  rebuildSchedule();
  startEpoch();
}

template <typename T>
template <typename U>
int Trainer<T>::continueFrom(const Trainer<U>& previous, bool keepWeights) {
  // Weights: Dense layers and BatchNorm layers are matched by their order of appearance.
  auto tensorsOf = [](const ParameterLayout& layout, const NetworkSpec& spec, LayerKind kind) {
    std::vector<std::vector<const ParameterTensor*>> groups;
    for (std::size_t i = 0; i < spec.layers.size(); ++i) {
      if (spec.layers[i].kind != kind) continue;
      groups.emplace_back();
      for (const auto& tensor : layout) {
        if (tensor.layer == int(i)) groups.back().push_back(&tensor);
      }
    }
    return groups;
  };
  int carried = 0;
  for (LayerKind kind : {LayerKind::Dense, LayerKind::BatchNormalization}) {
    if (!keepWeights) break;
    const auto mine = tensorsOf(m_network.layout(), m_network.spec(), kind);
    const auto theirs = tensorsOf(previous.m_network.layout(), previous.m_network.spec(), kind);
    for (std::size_t g = 0; g < std::min(mine.size(), theirs.size()); ++g) {
      for (const ParameterTensor* a : mine[g]) {
        for (const ParameterTensor* b : theirs[g]) {
          if (a->role == b->role && a->rows == b->rows && a->cols == b->cols) {
            m_network.setTensorValue(*a, previous.m_network.tensorValue(*b));
            ++carried;
          }
        }
      }
    }
  }
  // BatchNorm statistics, by BatchNorm position.
  if (keepWeights) {
    auto mine = m_network.buffers();
    auto theirs = const_cast<Network<U>&>(previous.m_network).buffers();
    std::vector<int> myLayers, theirLayers;
    for (auto& [layer, buffer] : mine) myLayers.push_back(layer);
    for (auto& [layer, buffer] : theirs) theirLayers.push_back(layer);
    auto rank = [](const std::vector<int>& layers, std::size_t i) {
      int r = 0;
      for (std::size_t j = 1; j <= i; ++j) r += layers[j] != layers[j - 1];
      return r;
    };
    for (std::size_t i = 0; i < mine.size(); ++i) {
      for (std::size_t j = 0; j < theirs.size(); ++j) {
        if (rank(myLayers, i) == rank(theirLayers, j) &&
            mine[i].second.name == theirs[j].second.name &&
            mine[i].second.values->size() == theirs[j].second.values->size()) {
          *mine[i].second.values = theirs[j].second.values->template cast<T>();
        }
      }
    }
  }
  if (keepWeights && m_network.parameterCount() == previous.m_network.parameterCount() &&
      m_optimizer->kind() == previous.m_optimizer->kind()) {
    const auto theirs = previous.m_optimizer->state();
    OptimizerState<T> state;
    state.iterations = theirs.iterations;
    state.scalars = theirs.scalars;
    for (const auto& v : theirs.vectors)
      state.vectors.push_back({v.name, v.values.template cast<T>()});
    m_optimizer->setState(state, m_network.parameterCount());
  }

  m_step = previous.m_step;
  m_epoch = previous.m_epoch;
  m_scheduleOrigin = previous.m_scheduleOrigin;
  m_initRng = previous.m_initRng;
  m_shuffleRng = previous.m_shuffleRng;
  m_dropoutRng = previous.m_dropoutRng;
  m_lastEpoch = previous.m_lastEpoch;
  if (m_earlyStopping && previous.m_earlyStopping) {
    m_earlyStopping->setState(previous.m_earlyStopping->state());
  }
  if (m_plateau && previous.m_plateau) m_plateau->setState(previous.m_plateau->state());
  m_learningRateScale = previous.m_learningRateScale;
  m_clippedSteps = previous.m_clippedSteps;
  if (previous.m_data->trainX.cols() == m_data->trainX.cols()) {
    // Same data size: finish the current epoch in the same order.
    m_order = previous.m_order;
    m_batchInEpoch = previous.m_batchInEpoch;
    m_positionInEpoch = previous.m_positionInEpoch;
    m_epochLossSum = previous.m_epochLossSum;
    m_epochAccuracySum = previous.m_epochAccuracySum;
    m_epochSamples = previous.m_epochSamples;
  }
  rebuildSchedule();
  return carried;
}

template <typename T>
Index Trainer<T>::stepsPerEpoch() const {
  const Index n = m_data->trainX.cols();
  const Index b = std::min(m_training.batchSize, n);
  return (n + b - 1) / b;
}

template <typename T>
void Trainer<T>::startEpoch() {
  m_order.resize(std::size_t(m_data->trainX.cols()));
  std::iota(m_order.begin(), m_order.end(), std::int64_t(0));
  if (m_training.shuffle) m_shuffleRng.shuffle(m_order);
  m_batchInEpoch = 0;
  m_positionInEpoch = 0;
  m_epochLossSum = 0.0;
  m_epochAccuracySum = 0.0;
  m_epochSamples = 0;
}

template <typename T>
void Trainer<T>::gatherBatch(Index first, Index count) {
  m_batchX.resize(m_data->trainX.rows(), count);
  m_batchY.resize(m_data->trainY.rows(), count);
  for (Index j = 0; j < count; ++j) {
    const Index sample = Index(m_order[std::size_t(first + j)]);
    m_batchX.col(j) = m_data->trainX.col(sample);
    m_batchY.col(j) = m_data->trainY.col(sample);
  }
}

template <typename T>
double Trainer<T>::currentLearningRate() const {
  return m_schedule->learningRate(m_step - m_scheduleOrigin) * m_learningRateScale;
}

template <typename T>
StepRecord Trainer<T>::step() {
  StepRecord record;
  m_stopReason = StopReason::None;
  record.step = m_step;
  record.epoch = m_epoch;

  const Index n = m_data->trainX.cols();
  const Index count = std::min(m_training.batchSize, n - m_positionInEpoch);
  gatherBatch(m_positionInEpoch, count);
  record.batchSize = count;

  m_network.forward(m_batchX, Mode::Training, m_dropoutRng);
  record.loss = m_network.loss(*m_loss, m_batchY);
  if (m_classifies) record.accuracy = accuracy<T>(m_network.output(), m_batchY, m_lossKind);
  m_network.backward(*m_loss, m_batchY);
  // The gradient's per-tensor norms, once: the probes chart them, the clipper needs them.
  tensorNorms(m_network.gradients(), m_network.layout(), m_gradientNorms);
  if (m_prober) m_prober->afterBackward(m_network, record, m_gradientNorms);
  if (m_observer) m_observer->afterBackward(m_network, m_batchX, m_batchY, record);

  // clipnorm follows the optimiser's conventions (Keras per tensor, torch's global form).
  m_clipper.setConventions(m_optimizer->settings().conventions);
  record.clip = m_clipper.apply(m_network.gradients(), m_network.layout(), m_gradientNorms);
  record.finite = std::isfinite(record.loss.total()) && std::isfinite(record.clip.normBefore);

  const std::int64_t scheduleStep = m_step - m_scheduleOrigin;
  record.learningRate = m_schedule->learningRate(scheduleStep) * m_learningRateScale;
  record.momentum = m_schedule->momentum(scheduleStep);
  if (record.momentum) {
    // A planned momentum (1cycle) drives SGD/RMSprop momentum or the Adam family's beta_1.
    OptimizerSettings settings = m_optimizer->settings();
    applyPlannedMomentum(settings, *record.momentum);
    m_optimizer->setSettings(settings);
  }
  // A non-finite step is not applied: the last finite weights stay available.
  if (record.finite) {
    m_optimizer->update(m_network.parameters(), m_network.gradients(), record.learningRate,
                        &m_network.layout());
  }
  if (m_observer) m_observer->afterUpdate(m_network, record);

  if (record.clip.clipped) ++m_clippedSteps;
  ++m_step;
  ++m_batchInEpoch;
  m_positionInEpoch += count;
  m_epochLossSum += record.loss.total() * double(count);
  if (m_classifies) m_epochAccuracySum += record.accuracy * double(count);
  m_epochSamples += count;

  // As Keras: the batch's callbacks run before the epoch's.
  if (!m_callbacks.empty()) {
    const StepReport report{record.step, record.epoch, record.loss.total(), record.learningRate};
    for (TrainingCallback* callback : m_callbacks) callback->onStepEnd(report);
  }
  if (m_positionInEpoch >= n) finishEpoch(record);
  if (m_prober) m_prober->afterUpdate(m_network, *m_optimizer, record);
  return record;
}

template <typename T>
void Trainer<T>::finishEpoch(StepRecord& record) {
  record.epochEnd = true;
  EpochRecord epoch;
  epoch.epoch = m_epoch;
  epoch.lastStep = record.step;
  // Keras's History loss: the batch losses' mean weighted by batch size.
  epoch.loss = m_epochLossSum / double(m_epochSamples);
  if (m_classifies) epoch.accuracy = m_epochAccuracySum / double(m_epochSamples);
  if (m_data->validX.cols() > 0) epoch.validation = evaluateValidation();

  EpochReport report;
  report.epoch = m_epoch;
  report.loss = epoch.loss;
  if (m_classifies) report.accuracy = epoch.accuracy;
  if (epoch.validation) {
    report.valLoss = epoch.validation->loss;
    if (m_classifies) report.valAccuracy = epoch.validation->accuracy;
  }
  report.learningRate = currentLearningRate();

  // Keras runs the callbacks in the order they were given; GradScope's order is early
  // stopping, then the plateau rule (they do not interact within one epoch).
  if (m_earlyStopping) {
    const EarlyStoppingDecision decision = m_earlyStopping->onEpochEnd(report);
    epoch.improved = decision.improved;
    if (decision.snapshotWeights) {
      m_bestParameters = m_network.parameters();
      m_bestBuffers.clear();
      for (auto& [layer, buffer] : m_network.buffers()) m_bestBuffers.push_back(*buffer.values);
    }
    if (decision.stop) {
      if (decision.restoreBest && m_bestParameters.size() == m_network.parameterCount()) {
        m_network.parameters() = m_bestParameters;
        auto buffers = m_network.buffers();
        for (std::size_t i = 0; i < buffers.size() && i < m_bestBuffers.size(); ++i) {
          *buffers[i].second.values = m_bestBuffers[i];
        }
      }
      m_stopReason = StopReason::EarlyStopping;
    }
  }
  if (m_plateau) {
    const double before = currentLearningRate();
    const PlateauUpdate update = m_plateau->update(report, before);
    if (update.reduced && before > 0.0) {
      // The rule acts on the rate in effect; as a factor it also composes with a schedule.
      m_learningRateScale *= update.learningRate / before;
      epoch.learningRateReduced = true;
    }
  }
  epoch.learningRate = currentLearningRate();
  report.learningRate = epoch.learningRate;
  for (TrainingCallback* callback : m_callbacks) callback->onEpochEnd(report);
  m_lastEpoch = epoch;
  ++m_epoch;
  if (m_stopReason == StopReason::None && m_epoch >= m_training.epochs) {
    m_stopReason = StopReason::EpochsCompleted;
  }
  startEpoch();
}

template <typename T>
std::string Trainer<T>::stopMessage() const {
  switch (m_stopReason) {
    case StopReason::None:
      return {};
    case StopReason::EpochsCompleted:
      return "finished the planned " + std::to_string(m_training.epochs) + " epochs";
    case StopReason::EarlyStopping:
      return m_earlyStopping ? "early stopping: " + m_earlyStopping->reason() : "early stopping";
  }
  return {};
}

template <typename T>
std::string Trainer<T>::stopSummary() const {
  if (m_stopReason == StopReason::EarlyStopping && m_earlyStopping) {
    return m_earlyStopping->summary();
  }
  return stopMessage();
}

template <typename T>
void Trainer<T>::setEarlyStopping(const std::optional<EarlyStoppingSettings>& settings) {
  if (settings) validate(*settings);
  m_training.earlyStopping = settings;
  if (!settings) {
    m_earlyStopping.reset();
  } else if (m_earlyStopping) {
    m_earlyStopping->setSettings(*settings);  // keeps its best and patience counter
  } else {
    m_earlyStopping.emplace(*settings);
  }
}

template <typename T>
void Trainer<T>::setPlateau(const std::optional<PlateauSettings>& settings) {
  if (settings) validate(*settings);
  m_training.plateau = settings;
  if (!settings) {
    m_plateau.reset();
    m_learningRateScale = 1.0;
  } else if (m_plateau) {
    m_plateau->setSettings(*settings);
  } else {
    m_plateau.emplace(*settings);
  }
}

template <typename T>
Evaluation Trainer<T>::evaluate(const Matrix<T>& x, const Matrix<T>& y) {
  Evaluation result;
  const Index n = x.cols();
  if (n == 0) return result;
  // In chunks, so that evaluating a large set does not allocate one huge activation matrix.
  const Index chunk = 1024;
  double lossSum = 0.0, accuracySum = 0.0;
  Matrix<T> xb, yb;
  for (Index first = 0; first < n; first += chunk) {
    const Index count = std::min(chunk, n - first);
    xb = x.middleCols(first, count);
    yb = y.middleCols(first, count);
    m_network.forward(xb, Mode::Inference, m_dropoutRng);
    lossSum += m_network.loss(*m_loss, yb).data * double(count);
    if (m_classifies)
      accuracySum += accuracy<T>(m_network.output(), yb, m_lossKind) * double(count);
  }
  result.loss = lossSum / double(n) + m_network.regularizationLoss();
  if (m_classifies) result.accuracy = accuracySum / double(n);
  return result;
}

template <typename T>
Evaluation Trainer<T>::evaluate(const Dataset& data) {
  checkData(data, m_spec, "data");
  return evaluate(Matrix<T>(data.inputs.cast<T>()), Matrix<T>(data.targets.cast<T>()));
}

template <typename T>
Evaluation Trainer<T>::evaluateValidation() {
  return evaluate(m_data->validX, m_data->validY);
}

template <typename T>
Evaluation Trainer<T>::evaluateTraining() {
  return evaluate(m_data->trainX, m_data->trainY);
}

template <typename T>
void Trainer<T>::setOptimizerSettings(const OptimizerSettings& settings) {
  validate(settings);
  if (settings.kind == m_optimizer->kind()) {
    m_optimizer->setSettings(settings);
  } else {
    m_optimizer = makeOptimizer<T>(settings);
  }
  // The Constant schedule follows the optimiser's learning rate.
  if (m_scheduleSettings.kind == ScheduleKind::Constant) {
    m_schedule = makeSchedule(m_scheduleSettings, settings.learningRate);
  }
}

template <typename T>
std::unique_ptr<Schedule> Trainer<T>::scheduleFor(const ScheduleSettings& settings,
                                                  std::int64_t origin) const {
  ScheduleSettings fitted = settings;
  if (fitted.kind == ScheduleKind::OneCycle && fitted.totalSteps <= 0) {
    fitted.totalSteps = std::max<std::int64_t>(1, plannedSteps() - origin);
  }
  return makeSchedule(fitted, m_optimizer->settings().learningRate);
}

template <typename T>
void Trainer<T>::rebuildSchedule() {
  m_schedule = scheduleFor(m_scheduleSettings, m_scheduleOrigin);
}

template <typename T>
void Trainer<T>::setSchedule(const ScheduleSettings& settings) {
  m_scheduleSettings = settings;
  m_scheduleOrigin = m_step;
  rebuildSchedule();
}

template <typename T>
void Trainer<T>::setClip(const ClipSettings& clip) {
  validate(clip);
  m_training.clip = clip;
  m_clipper.setSettings(clip);
}

template <typename T>
void Trainer<T>::setBatchSize(Index batchSize) {
  TrainingSettings settings = m_training;
  settings.batchSize = batchSize;
  validate(settings);
  m_training.batchSize = batchSize;
}

template <typename T>
void Trainer<T>::setEpochs(int epochs) {
  TrainingSettings settings = m_training;
  settings.epochs = epochs;
  validate(settings);
  m_training.epochs = epochs;
}

template <typename T>
void Trainer<T>::setShuffle(bool shuffle) {
  m_training.shuffle = shuffle;
}

template <typename T>
void Trainer<T>::setActivation(int layer, const ActivationSpec& activation) {
  // A cross-entropy is computed from its output activation's logits: refuse, before touching
  // the network, a change that would leave every later step without a loss.
  const auto needed = m_loss->fusedActivation();
  if (needed && layer == m_network.layerCount() - 1 && activation.kind != *needed) {
    throw Error("layers[" + std::to_string(layer) + "].activation",
                std::string(toString(m_lossKind)) + " needs a " + std::string(toString(*needed)) +
                    " output layer");
  }
  m_network.setActivation(layer, activation);
  m_spec = m_network.spec();
}

template class Trainer<float>;
template class Trainer<double>;
template int Trainer<float>::continueFrom(const Trainer<float>&, bool);
template int Trainer<float>::continueFrom(const Trainer<double>&, bool);
template int Trainer<double>::continueFrom(const Trainer<float>&, bool);
template int Trainer<double>::continueFrom(const Trainer<double>&, bool);

}  // namespace gradscope::core
