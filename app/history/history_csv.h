// The metric history of one run as a tidy CSV table: one row per step (columns in
// docs/history_csv.md): the step's scalars, the epoch's validation loss and accuracy on the
// epoch's last step, and every per-layer series, one column per layer and quantity. Used by
// the dashboard's export and by `gradscope run --out`.
#pragma once

#include <QByteArray>
#include <QString>

#include "app/history/metric_history.h"

namespace gradscope::app {

// The columns every file has, in order (the per-layer columns follow).
inline constexpr const char* kHistoryCsvStepColumns =
    "step,epoch,loss,data_loss,accuracy,learning_rate,momentum,gradient_norm_before_clip,"
    "gradient_norm_after_clip,clipped,val_loss,val_accuracy";
inline constexpr int kHistoryCsvStepColumnCount = 12;

// The last columns: the sharpness and its stability threshold where they were estimated.
inline constexpr const char* kHistoryCsvSharpnessColumns = ",sharpness,stability_threshold";

// The header row (with its newline) for a network of `layers` measured layers: the step
// columns, then "layer1_gradient_norm", "layer1_activation_mean", ... layer by layer, then
// the sharpness columns.
QByteArray historyCsvHeader(int layers);

// Atomic write; false and `error` on failure.
bool writeHistoryCsv(const MetricHistory& history, int run, const QString& path,
                     QString* error = nullptr);

}  // namespace gradscope::app
