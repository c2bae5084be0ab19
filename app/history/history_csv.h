// The metric history of one run as a tidy CSV table: one row per step (columns in
// docs/history_csv.md). Used by the dashboard's export and by `gradscope run --out`.
#pragma once

#include <QString>

#include "app/history/metric_history.h"

namespace gradscope::app {

inline constexpr const char* kHistoryCsvHeader =
    "step,epoch,loss,data_loss,accuracy,learning_rate,momentum,gradient_norm_before_clip,"
    "gradient_norm_after_clip,clipped\n";

// Atomic write; false and `error` on failure.
bool writeHistoryCsv(const MetricHistory& history, int run, const QString& path,
                     QString* error = nullptr);

}  // namespace gradscope::app
