#include "core/callbacks/early_stopping.h"

#include <cmath>
#include <sstream>

#include "core/model/types.h"

namespace gradscope::core {

void validate(const EarlyStoppingSettings& s) {
  if (!std::isfinite(s.minDelta)) throw Error("early_stopping.min_delta", "must be finite");
  if (s.patience < 0) throw Error("early_stopping.patience", "must be >= 0");
  if (s.startFromEpoch < 0) throw Error("early_stopping.start_from_epoch", "must be >= 0");
  if (s.baseline && !std::isfinite(*s.baseline)) {
    throw Error("early_stopping.baseline", "must be finite");
  }
}

EarlyStopping::EarlyStopping(const EarlyStoppingSettings& settings) : m_settings(settings) {
  validate(m_settings);
}

void EarlyStopping::setSettings(const EarlyStoppingSettings& settings) {
  validate(settings);
  const bool directionChanged = monitorMaximises(settings.monitor, settings.mode) != maximising();
  m_settings = settings;
  if (directionChanged) reset();
}

void EarlyStopping::reset() { m_state = EarlyStoppingState{}; }

void EarlyStopping::setState(const EarlyStoppingState& state) {
  if (state.wait < 0 || state.bestEpoch < 0 || state.stoppedEpoch < 0) {
    throw Error("early_stopping.state", "counters must not be negative");
  }
  m_state = state;
}

bool EarlyStopping::isImprovement(double value, std::optional<double> reference) const {
  if (!reference) return true;  // Keras: anything beats a best of None
  // Keras negates |min_delta| for "less" and compares value - min_delta with the reference:
  // min mode needs value + d < reference, max mode value - d > reference.
  const double d = std::abs(m_settings.minDelta);
  return maximising() ? value - d > *reference : value + d < *reference;
}

EarlyStoppingDecision EarlyStopping::onEpochEnd(std::int64_t epoch, std::optional<double> value) {
  EarlyStoppingDecision decision;
  if (!value || epoch < m_settings.startFromEpoch) return decision;  // missing or warm-up
  decision.monitored = true;
  const double current = *value;

  if (m_settings.restoreBestWeights && !m_state.hasBestWeights) {
    // Keras: if no weights were kept yet, the current ones are the best so far.
    m_state.hasBestWeights = true;
    m_state.bestEpoch = epoch;
    decision.snapshotWeights = true;
  }

  ++m_state.wait;
  if (isImprovement(current, m_state.best)) {
    m_state.best = current;
    m_state.bestEpoch = epoch;
    decision.improved = true;
    if (m_settings.restoreBestWeights) decision.snapshotWeights = true;
    // Only a value that also beats the baseline restarts the patience count.
    if (!m_settings.baseline || isImprovement(current, m_settings.baseline)) m_state.wait = 0;
    return decision;  // Keras returns here: no stop check on an improving epoch
  }

  // Keras never stops at epoch 0, whatever the patience.
  if (m_state.wait >= m_settings.patience && epoch > 0) {
    m_state.stopped = true;
    m_state.stoppedEpoch = epoch;
    decision.stop = true;
    decision.restoreBest = restoreAtTrainEnd();
  }
  return decision;
}

std::string EarlyStopping::reason() const {
  if (!m_state.stopped) return {};
  std::ostringstream out;
  const auto monitor = toString(m_settings.monitor);
  const auto epochs = [](std::int64_t n) { return n == 1 ? " epoch" : " epochs"; };
  const double d = std::abs(m_settings.minDelta);
  if (m_settings.baseline && !(m_state.best && isImprovement(*m_state.best, m_settings.baseline))) {
    out << "no improvement of " << monitor << " on the baseline " << *m_settings.baseline
        << " by more than " << d << " for " << m_state.wait << epochs(m_state.wait);
  } else {
    out << "no improvement of " << monitor << " by more than " << d << " for " << m_state.wait
        << epochs(m_state.wait);
  }
  if (m_state.best) out << "; best " << *m_state.best << " at epoch " << m_state.bestEpoch + 1;
  out << "; stopped after epoch " << m_state.stoppedEpoch + 1;
  if (restoreAtTrainEnd()) out << "; weights restored from epoch " << m_state.bestEpoch + 1;
  return out.str();
}

std::string EarlyStopping::summary() const {
  if (!m_state.stopped) return {};
  std::string text = "stopped early at epoch " + std::to_string(m_state.stoppedEpoch + 1);
  if (restoreAtTrainEnd()) {
    text += ", weights of epoch " + std::to_string(m_state.bestEpoch + 1);
  } else if (m_state.best) {
    text += ", best at epoch " + std::to_string(m_state.bestEpoch + 1);
  }
  return text;
}

}  // namespace gradscope::core
