// Sessions and live runs: building the runs a session describes (every check done before
// anything running is touched: the caller swaps the new runs in only when all of them were
// built), and capturing live runs into a session.
#pragma once

#include <QString>

#include <memory>
#include <vector>

#include "app/sessions/session.h"
#include "app/worker/training_run.h"

namespace gradscope::app {

// Data sets up to this many values (samples x (features + outputs)) read from a file are
// embedded in the session too, so it opens where the file is missing.
inline constexpr std::int64_t kMaxEmbeddedFileValues = 1'000'000;

// Builds run `index` of `session`: its data (generated, embedded, or read from the file —
// relative paths from `baseDirectory` — and checked against its SHA-256), its network and
// trainer, and its saved state. Throws core::Error naming the field ("runs[0].state.order").
// The checks of checkSession() come first, for all runs.
// Every check buildRuns() makes before it allocates a network (the data, each saved array's
// length against its network, the runs' states against what a session holds), without
// building anything. Throws core::Error naming the field.
void checkSession(const Session& session, const QString& baseDirectory);

std::unique_ptr<TrainingRun> buildRun(const Session& session, int index,
                                      const QString& baseDirectory);
std::vector<std::unique_ptr<TrainingRun>> buildRuns(const Session& session,
                                                    const QString& baseDirectory);

// The run's configuration, data and exact state (not its history: the GUI owns that).
SessionRun captureRun(const TrainingRun& run);

}  // namespace gradscope::app
