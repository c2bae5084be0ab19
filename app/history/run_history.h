// The bridge between a run's live metric history and what a session saves of it
// (RunHistory, session.h): capture reads the history with its ordinary queries, restore feeds
// it snapshots as the worker would, so a restored history answers every chart as before.
//
// Per-layer series are saved as block means: blocks of `layerStride` steps, the stride the
// smallest power of two that gives at most kSessionLayerBlocks blocks. A restored series
// holds each block's mean at the block's first step (the other steps "not measured"), so
// saving it again gives the same means: save -> open -> save is byte-identical.
#pragma once

#include "app/history/metric_history.h"
#include "app/sessions/session.h"

namespace gradscope::app {

inline constexpr std::int64_t kSessionLayerBlocks = 2048;

RunHistory captureRunHistory(const MetricHistory& history, int run);
// Replaces the run's history (appended in chunks, so a long run never needs one huge snapshot).
void restoreRunHistory(MetricHistory& history, int run, const RunHistory& saved);
// The saved history up to step `end` (excluded): a fork shares its parent's past.
RunHistory truncatedRunHistory(const RunHistory& saved, std::int64_t end);

}  // namespace gradscope::app
