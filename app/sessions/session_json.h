// The .gradscope session file's JSON (see docs/session_format.md):
//   {"format": "gradscope-session", "version": 2, "name": ..., "note": ..., "speed": ...,
//    "runs": [{"label", "config", "data", "state", "history", "lr_range_test"}, ...],
//    "layout": base64, "landscape": {...}}
// Every field but "format" and "version" may be left out and takes its default (a run with no
// "config" is the default experiment; a session with no "runs" has one such run), so a small
// session can be written by hand.
//
// The writer is deterministic: the same session gives the same bytes (keys sorted, numbers in
// their shortest exact form, NaN canonical). The reader checks every field's type, range and
// length and throws core::Error naming it ("runs[0].config.optimizer.learning_rate",
// "runs[0].history.step_metrics.loss"); older versions are migrated first.
#pragma once

#include <QJsonObject>

#include "app/sessions/session.h"

namespace gradscope::app {

QJsonObject sessionToJson(const Session& session);
Session sessionFromJson(QJsonObject json);

// Older versions, up to the current one, in the current layout. Version 1 had a single run
// whose fields ("config", "data", "state", "history", "lr_range_test") sat at the top level.
// Throws core::Error("version", ...) for an unknown version.
QJsonObject migrateSession(QJsonObject json);

}  // namespace gradscope::app
