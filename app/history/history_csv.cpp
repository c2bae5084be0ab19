#include "app/history/history_csv.h"

#include <QSaveFile>

#include <cmath>
#include <cstdio>
#include <vector>

#include "app/sessions/session_file.h"

namespace gradscope::app {

QByteArray historyCsvHeader(int layers) {
  QByteArray header(kHistoryCsvStepColumns);
  for (int l = 0; l < layers; ++l) {
    for (int m = 0; m < kLayerMetricCount; ++m) {
      header += ",layer" + QByteArray::number(l + 1) + '_' + metricName(LayerMetric(m));
    }
  }
  header += kHistoryCsvSharpnessColumns;
  header += '\n';
  return header;
}

bool writeHistoryCsv(const MetricHistory& history, int run, const QString& path, QString* error) {
  const StepMetric columns[] = {StepMetric::Loss,
                                StepMetric::DataLoss,
                                StepMetric::Accuracy,
                                StepMetric::LearningRate,
                                StepMetric::Momentum,
                                StepMetric::GradientNormBefore,
                                StepMetric::GradientNormAfter,
                                StepMetric::Clipped};
  const std::int64_t first = history.firstStep(run);
  const std::int64_t last = history.lastStep(run);
  const std::int64_t count = std::max<std::int64_t>(0, last - first + 1);
  std::vector<std::vector<double>> values;
  for (StepMetric metric : columns)
    values.push_back(history.rawStepSeries(run, metric, first, last));
  // Per layer and quantity: the value the history keeps for each step (every step's own for
  // recent steps, the mean of its block for older ones: docs/history_csv.md).
  const int layers = history.layerCount(run);
  std::vector<std::vector<float>> layerValues;
  for (int l = 0; l < layers; ++l) {
    for (int m = 0; m < kLayerMetricCount; ++m) {
      std::vector<float> column(std::size_t(count), std::nanf(""));
      if (count > 0) {
        const DecimatedSeries s = history.layerSeries(run, LayerMetric(m), l, first, last,
                                                      int(std::min<std::int64_t>(count, 1 << 30)));
        for (const DecimatedBucket& b : s.buckets) {
          for (std::int64_t step = std::max(first, b.step); step <= std::min(last, b.lastStep);
               ++step) {
            column[std::size_t(step - first)] = float(b.mean);
          }
        }
      }
      layerValues.push_back(std::move(column));
    }
  }
  const std::vector<EpochSample>& epochs = history.epochs(run);
  const std::vector<SharpnessSample>& sharpness = history.sharpness(run);
  std::size_t sharpnessIndex = 0;
  QSaveFile out(path);
  if (!out.open(QIODevice::WriteOnly | QIODevice::Text)) {
    if (error) *error = out.errorString();
    return false;
  }
  out.write(historyCsvHeader(layers));
  QByteArray line;
  std::size_t epochIndex = 0;
  char number[32];
  auto cell = [&](double v, bool exact) {
    line += ',';
    if (std::isfinite(v)) {
      std::snprintf(number, sizeof number, exact ? "%.17g" : "%.9g", v);
      line += number;
    }
  };
  for (std::int64_t step = first; step <= last; ++step) {
    // The epoch of a step: the first epoch whose last step is not before it (1-based).
    while (epochIndex < epochs.size() && epochs[epochIndex].lastStep < step) ++epochIndex;
    const int epoch = epochIndex < epochs.size() ? epochs[epochIndex].epoch + 1
                                                 : (epochs.empty() ? 1 : epochs.back().epoch + 2);
    line.clear();
    line += QByteArray::number(qint64(step));
    line += ',';
    line += QByteArray::number(epoch);
    const std::size_t i = std::size_t(step - first);
    for (std::size_t c = 0; c < values.size(); ++c) {
      // Loss, data loss and learning rate round-trip exactly; the rest are floats.
      const bool exact = c == 0 || c == 1 || c == 3;
      cell(i < values[c].size() ? values[c][i] : std::nan(""), exact);
    }
    // Validation: measured at the end of an epoch, on its last step.
    const bool epochEnd = epochIndex < epochs.size() && epochs[epochIndex].lastStep == step;
    cell(epochEnd ? epochs[epochIndex].valLoss : std::nan(""), true);
    cell(epochEnd ? epochs[epochIndex].valAccuracy : std::nan(""), false);
    for (const std::vector<float>& column : layerValues) cell(double(column[i]), false);
    // The sharpness on the steps it was estimated at.
    while (sharpnessIndex < sharpness.size() && sharpness[sharpnessIndex].step < step)
      ++sharpnessIndex;
    const bool estimated =
        sharpnessIndex < sharpness.size() && sharpness[sharpnessIndex].step == step;
    cell(estimated ? sharpness[sharpnessIndex].lambdaMax : std::nan(""), true);
    cell(estimated ? sharpness[sharpnessIndex].threshold : std::nan(""), true);
    line += '\n';
    out.write(line);
  }
  if (!commitWhole(out)) {
    if (error) *error = out.errorString();
    return false;
  }
  return true;
}

}  // namespace gradscope::app