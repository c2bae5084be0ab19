#include "core/callbacks/plateau_reducer.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/model/types.h"

namespace gradscope::core {

void validate(const PlateauSettings& s) {
  // Keras rejects factor >= 1; a negative factor would make the rate negative.
  if (!std::isfinite(s.factor) || s.factor < 0.0 || s.factor >= 1.0) {
    throw Error("plateau.factor", "must lie in [0, 1)");
  }
  if (s.patience < 0) throw Error("plateau.patience", "must be >= 0");
  if (s.cooldown < 0) throw Error("plateau.cooldown", "must be >= 0");
  if (!std::isfinite(s.minDelta)) throw Error("plateau.min_delta", "must be a finite number");
  if (!std::isfinite(s.minLr) || s.minLr < 0.0) throw Error("plateau.min_lr", "must be >= 0");
}

PlateauReducer::PlateauReducer(const PlateauSettings& settings) : m_settings(settings) {
  validate(m_settings);
  reset();
}

void PlateauReducer::setSettings(const PlateauSettings& settings) {
  validate(settings);
  const bool directionChanged = monitorMaximises(settings.monitor, settings.mode) != maximising();
  m_settings = settings;
  if (directionChanged) reset();
}

void PlateauReducer::reset() {
  m_state = PlateauState{};
  m_state.best = maximising() ? -std::numeric_limits<double>::infinity()
                              : std::numeric_limits<double>::infinity();
}

void PlateauReducer::setState(const PlateauState& state) {
  if (state.wait < 0 || state.cooldownCounter < 0 || state.reductions < 0) {
    throw Error("plateau.state", "counters must not be negative");
  }
  if (std::isnan(state.best)) throw Error("plateau.state.best", "must not be NaN");
  m_state = state;
}

PlateauUpdate PlateauReducer::update(std::int64_t epoch, std::optional<double> value,
                                     double currentLr) {
  PlateauUpdate result{currentLr, false};
  if (!value) return result;  // Keras warns and does nothing
  const double current = *value;

  if (inCooldown()) {
    --m_state.cooldownCounter;
    m_state.wait = 0;
  }
  // Keras compares against best -/+ min_delta with min_delta's own sign.
  const bool improved = maximising() ? current > m_state.best + m_settings.minDelta
                                     : current < m_state.best - m_settings.minDelta;
  if (improved) {
    m_state.best = current;
    m_state.wait = 0;
  } else if (!inCooldown()) {
    ++m_state.wait;
    if (m_state.wait >= m_settings.patience) {
      // Keras compares the rate with float32(min_lr): the optimiser variable is float32.
      if (currentLr > static_cast<double>(static_cast<float>(m_settings.minLr))) {
        result.learningRate = std::max(currentLr * m_settings.factor, m_settings.minLr);
        result.reduced = true;
        m_state.cooldownCounter = m_settings.cooldown;
        m_state.wait = 0;
        ++m_state.reductions;
        m_state.lastReductionEpoch = epoch;
      }
    }
  }
  return result;
}

}  // namespace gradscope::core
