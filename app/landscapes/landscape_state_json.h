// The Landscapes view's state as JSON, for sessions to embed:
//   {"version": 1,
//    "function": {"type": "quadratic_bowl", "condition_number": 10, "rotation_degrees": 0},
//    "start": [-2.5, 1.0],
//    "optimizers": ["sgd", "momentum", ...],
//    "learning_rates": {"sgd": 0.05, ..., "nadam": 0.05},
//    "momentum": 0.9, "rho": 0.9, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7,
//    "clip": {"mode": "none", "threshold": 1},
//    "schedule": {"type": "constant", "decay_steps": 1000, ...},
//    "steps": 500, "cursor": 120, "speed": 100}
// Names follow the configuration files' keys (optimizer.beta_1, schedule.decay_steps, ...).
// Reading checks every field and throws core::Error naming it ("landscape.learning_rates.adam",
// "landscape.start", ...); missing fields keep their defaults, unknown ones are refused.
#pragma once

#include <QJsonObject>

#include "app/landscapes/landscape_state.h"

namespace gradscope::app {

inline constexpr int kLandscapeStateVersion = 1;

QJsonObject landscapeStateToJson(const LandscapeState& state);
// Throws core::Error(field, reason) when the object is not a valid landscape state.
LandscapeState landscapeStateFromJson(const QJsonObject& json);

}  // namespace gradscope::app
