#include "app/history/history_csv.h"

#include <QSaveFile>

#include <cmath>
#include <cstdio>

namespace gradscope::app {

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
  std::vector<std::vector<double>> values;
  for (StepMetric metric : columns)
    values.push_back(history.rawStepSeries(run, metric, first, last));
  const std::vector<EpochSample>& epochs = history.epochs(run);
  QSaveFile out(path);
  if (!out.open(QIODevice::WriteOnly | QIODevice::Text)) {
    if (error) *error = out.errorString();
    return false;
  }
  out.write(kHistoryCsvHeader);
  QByteArray line;
  std::size_t epochIndex = 0;
  char number[32];
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
      line += ',';
      const double v = i < values[c].size() ? values[c][i] : std::nan("");
      if (std::isfinite(v)) {
        // Loss, data loss and learning rate round-trip exactly; the rest are floats.
        const bool exact = c == 0 || c == 1 || c == 3;
        std::snprintf(number, sizeof number, exact ? "%.17g" : "%.9g", v);
        line += number;
      }
    }
    line += '\n';
    out.write(line);
  }
  if (!out.commit()) {
    if (error) *error = out.errorString();
    return false;
  }
  return true;
}

}  // namespace gradscope::app
