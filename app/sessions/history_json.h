// A run's saved metric history (RunHistory) as the "history" object of a session run. Step
// metrics are base64 arrays (loss, data loss and learning rate as float64, exactly as
// measured; the others float32, as the history keeps them); per-layer series are block means
// (float32); histogram counts are float32 when every count is below 2^24 (exact), else
// float64.
#pragma once

#include <QJsonObject>

#include "app/sessions/json_fields.h"
#include "app/sessions/session.h"

namespace gradscope::app {

QJsonObject runHistoryToJson(const RunHistory& history);
// Throws core::Error naming the field.
RunHistory runHistoryFromJson(const JsonFields& json);

const char* eventKindName(EventKind kind);

}  // namespace gradscope::app
