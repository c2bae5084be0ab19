// Trainer::captureState / restoreState (declared in trainer.h, state in trainer_state.h).
#include "core/model/trainer_state.h"

#include <cmath>

namespace gradscope::core {

namespace {

std::string count(Index n) { return std::to_string(n); }

void checkSize(const std::string& field, Index actual, Index expected) {
  if (actual != expected) {
    throw Error(field, "has " + count(actual) + " values, expected " + count(expected));
  }
}

void checkFinite(const std::string& field, const Eigen::VectorXd& values) {
  for (Index i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i])) {
      throw Error(field, "value " + count(i) + " is not a finite number");
    }
  }
}

// A value that does not survive the conversion to T (a double beyond float's range) would
// become infinite in a float run.
template <typename T>
void checkRepresentable(const std::string& field, const Eigen::VectorXd& values) {
  for (Index i = 0; i < values.size(); ++i) {
    if (!std::isfinite(double(T(values[i])))) {
      throw Error(field, "value " + count(i) + " is out of range for the run's precision");
    }
  }
}

}  // namespace

template <typename T>
TrainerState Trainer<T>::captureState() const {
  TrainerState s;
  s.parameters = m_network.parameters().template cast<double>();
  // buffers() only hands out views; it does not change the network.
  for (auto& [layer, buffer] : const_cast<Network<T>&>(m_network).buffers()) {
    s.buffers.push_back({layer, buffer.name, buffer.values->template cast<double>()});
  }
  const OptimizerState<T> optimizer = m_optimizer->state();
  s.optimizer.iterations = optimizer.iterations;
  s.optimizer.scalars = optimizer.scalars;
  for (const auto& slot : optimizer.vectors) {
    s.optimizer.vectors.push_back({slot.name, slot.values.template cast<double>()});
  }
  s.step = m_step;
  s.epoch = m_epoch;
  s.batchInEpoch = m_batchInEpoch;
  s.positionInEpoch = m_positionInEpoch;
  s.order = m_order;
  s.epochLossSum = m_epochLossSum;
  s.epochAccuracySum = m_epochAccuracySum;
  s.epochSamples = m_epochSamples;
  s.initRng = RngSnapshot::of(m_initRng);
  s.shuffleRng = RngSnapshot::of(m_shuffleRng);
  s.dropoutRng = RngSnapshot::of(m_dropoutRng);
  s.scheduleOrigin = m_scheduleOrigin;
  s.learningRateScale = m_learningRateScale;
  s.clippedSteps = m_clippedSteps;
  if (m_earlyStopping) s.earlyStopping = m_earlyStopping->state();
  if (m_plateau) s.plateau = m_plateau->state();
  s.bestParameters = m_bestParameters.template cast<double>();
  for (const auto& buffer : m_bestBuffers) s.bestBuffers.push_back(buffer.template cast<double>());
  s.stopReason = m_stopReason;
  s.lastEpoch = m_lastEpoch;
  return s;
}

template <typename T>
void Trainer<T>::restoreState(const TrainerState& s) {
  // --- check everything before changing anything
  const Index parameterCount = m_network.parameterCount();
  checkSize("parameters", s.parameters.size(), parameterCount);
  checkFinite("parameters", s.parameters);
  checkRepresentable<T>("parameters", s.parameters);

  auto buffers = m_network.buffers();
  checkSize("buffers", Index(s.buffers.size()), Index(buffers.size()));
  for (std::size_t i = 0; i < buffers.size(); ++i) {
    const std::string field = "buffers[" + std::to_string(i) + "]";
    const BufferState& b = s.buffers[i];
    if (b.layer != buffers[i].first || b.name != buffers[i].second.name) {
      throw Error(field, "expected " + buffers[i].second.name + " of layer " +
                             std::to_string(buffers[i].first) + ", got " + b.name + " of layer " +
                             std::to_string(b.layer));
    }
    checkSize(field + ".values", b.values.size(), buffers[i].second.values->size());
    checkFinite(field + ".values", b.values);
    checkRepresentable<T>(field + ".values", b.values);
  }

  OptimizerState<T> optimizer;
  optimizer.iterations = s.optimizer.iterations;
  optimizer.scalars = s.optimizer.scalars;
  for (std::size_t i = 0; i < s.optimizer.vectors.size(); ++i) {
    const auto& slot = s.optimizer.vectors[i];
    checkFinite("optimizer.state." + slot.name, slot.values);
    checkRepresentable<T>("optimizer.state." + slot.name, slot.values);
    optimizer.vectors.push_back({slot.name, slot.values.template cast<T>()});
  }
  for (double x : s.optimizer.scalars) {
    if (!std::isfinite(x)) throw Error("optimizer.state.scalars", "not a finite number");
  }
  // Checked by the optimiser itself, on a fresh one, so that a bad state leaves ours alone.
  auto candidate = makeOptimizer<T>(m_optimizer->settings());
  candidate->setState(optimizer, parameterCount);

  const Index n = m_data->trainX.cols();
  if (s.step < 0) throw Error("step", "must not be negative");
  if (s.epoch < 0) throw Error("epoch", "must not be negative");
  if (s.batchInEpoch < 0) throw Error("batch_in_epoch", "must not be negative");
  if (s.positionInEpoch < 0 || s.positionInEpoch >= n) {
    throw Error("position_in_epoch", "must be in [0, " + count(n) + ")");
  }
  checkSize("order", Index(s.order.size()), n);
  std::vector<bool> seen(std::size_t(n), false);
  for (std::size_t i = 0; i < s.order.size(); ++i) {
    const std::int64_t sample = s.order[i];
    if (sample < 0 || sample >= n || seen[std::size_t(sample)]) {
      throw Error("order", "is not a permutation of the " + count(n) + " training samples (entry " +
                               std::to_string(i) + ")");
    }
    seen[std::size_t(sample)] = true;
  }
  if (s.epochSamples < 0) throw Error("epoch_samples", "must not be negative");
  if (!std::isfinite(s.epochLossSum)) throw Error("epoch_loss_sum", "not a finite number");
  if (!std::isfinite(s.epochAccuracySum)) {
    throw Error("epoch_accuracy_sum", "not a finite number");
  }
  if (s.scheduleOrigin < 0 || s.scheduleOrigin > s.step) {
    throw Error("schedule_origin", "must be in [0, step]");
  }
  if (!std::isfinite(s.learningRateScale) || s.learningRateScale < 0.0) {
    throw Error("learning_rate_scale", "must be a finite number >= 0");
  }
  if (s.clippedSteps < 0 || s.clippedSteps > s.step) {
    throw Error("clipped_steps", "must be in [0, step]");
  }
  if (s.bestParameters.size() != 0) {
    checkSize("best_parameters", s.bestParameters.size(), parameterCount);
    checkFinite("best_parameters", s.bestParameters);
    checkRepresentable<T>("best_parameters", s.bestParameters);
  }
  if (!s.bestBuffers.empty()) {
    checkSize("best_buffers", Index(s.bestBuffers.size()), Index(buffers.size()));
    for (std::size_t i = 0; i < buffers.size(); ++i) {
      const std::string field = "best_buffers[" + std::to_string(i) + "]";
      checkSize(field, s.bestBuffers[i].size(), buffers[i].second.values->size());
      checkFinite(field, s.bestBuffers[i]);
      checkRepresentable<T>(field, s.bestBuffers[i]);
    }
  }
  if (s.earlyStopping && !m_earlyStopping) {
    throw Error("early_stopping", "has state, but early stopping is off in the configuration");
  }
  if (s.plateau && !m_plateau) {
    throw Error("plateau", "has state, but reduce-on-plateau is off in the configuration");
  }
  std::optional<EarlyStopping> earlyStopping = m_earlyStopping;
  if (earlyStopping) {
    earlyStopping->reset();
    if (s.earlyStopping) earlyStopping->setState(*s.earlyStopping);
  }
  std::optional<PlateauReducer> plateau = m_plateau;
  if (plateau) {
    plateau->reset();
    if (s.plateau) plateau->setState(*s.plateau);
  }

  // --- apply
  m_network.parameters() = s.parameters.template cast<T>();
  for (std::size_t i = 0; i < buffers.size(); ++i) {
    *buffers[i].second.values = s.buffers[i].values.template cast<T>();
  }
  m_optimizer = std::move(candidate);
  m_step = s.step;
  m_epoch = s.epoch;
  m_batchInEpoch = s.batchInEpoch;
  m_positionInEpoch = s.positionInEpoch;
  m_order = s.order;
  m_epochLossSum = s.epochLossSum;
  m_epochAccuracySum = s.epochAccuracySum;
  m_epochSamples = s.epochSamples;
  m_initRng = s.initRng.toRng();
  m_shuffleRng = s.shuffleRng.toRng();
  m_dropoutRng = s.dropoutRng.toRng();
  m_scheduleOrigin = s.scheduleOrigin;
  m_learningRateScale = s.learningRateScale;
  m_clippedSteps = s.clippedSteps;
  m_earlyStopping = std::move(earlyStopping);
  m_plateau = std::move(plateau);
  m_bestParameters = s.bestParameters.template cast<T>();
  m_bestBuffers.clear();
  for (const auto& buffer : s.bestBuffers) m_bestBuffers.push_back(buffer.template cast<T>());
  m_stopReason = s.stopReason;
  m_lastEpoch = s.lastEpoch;
  rebuildSchedule();
}

template TrainerState Trainer<float>::captureState() const;
template TrainerState Trainer<double>::captureState() const;
template void Trainer<float>::restoreState(const TrainerState&);
template void Trainer<double>::restoreState(const TrainerState&);

}  // namespace gradscope::core
