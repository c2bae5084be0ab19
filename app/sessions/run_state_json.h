// A run's exact training state (core::TrainerState) as the "state" object of a session run.
// Arrays are base64 of little-endian float32 for a float32 run and float64 for a float64 run
// (exact either way); RNG words are 16-digit hex strings; infinities and NaN, which JSON has
// no numbers for, are the strings "inf", "-inf" and "nan".
//
// Reading starts from `base`, the state of a fresh run built from the same configuration:
// every field left out keeps the fresh run's value, so a hand-written session may give only
// "parameters" (its own initial weights) and start at step 0.
#pragma once

#include <QJsonObject>

#include "app/sessions/json_fields.h"
#include "core/model/experiment_config.h"
#include "core/model/trainer_state.h"

namespace gradscope::app {

QJsonObject trainerStateToJson(const core::TrainerState& state, core::Precision precision);
// Throws core::Error naming the field (relative to `json.path()`). Sizes are checked against
// the run only when the state is restored into it.
core::TrainerState trainerStateFromJson(const JsonFields& json, const core::TrainerState& base);

// A double that may be infinite or NaN: a JSON number, or "inf", "-inf", "nan".
QJsonValue extendedNumber(double x);
double readExtendedNumber(const QJsonValue& value, const std::string& field);

}  // namespace gradscope::app
