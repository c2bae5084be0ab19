// Size of a large session file: a 784-1024-1024-10 network (1.86 million parameters, float32)
// on a 784-feature, 10-class teacher problem, trained a few steps so its optimiser state is
// real, with a metric history of 10,000 steps fed to the history the way the worker feeds it
// (per-step scalars, per-layer metrics, histograms of every layer every 10 steps), captured as
// a session saves it. Prints the file's size, what its parts take, and the time to write and
// read it back, for SGD with momentum and for Adam (two optimiser slots per weight). The
// target of the session format: under 30 MB.
//
// Usage: session_size [steps=10000]
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QTemporaryDir>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>

#include "app/history/metric_history.h"
#include "app/history/run_history.h"
#include "app/scenarios/default_experiment.h"
#include "app/sessions/history_json.h"
#include "app/sessions/session_file.h"
#include "app/sessions/session_runs.h"
#include "app/worker/training_run.h"
#include "bench/synthetic_history.h"

using namespace gradscope;
using namespace gradscope::app;

using gradscope::bench::Noise;
using gradscope::bench::randomHistogram;

namespace {

// Steps [first, first + steps) of a run with `layers` Dense layers; stride probes (weight
// norm, update ratio, optimiser state, histograms) every `stride` steps, as the worker probes.
Snapshot snapshot(std::int64_t first, int steps, int layers, int stride, Noise& noise) {
  constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
  Snapshot s;
  s.layerCount = layers;
  s.firstStep = first;
  for (auto& series : s.stepValues) series.resize(std::size_t(steps));
  for (auto& series : s.layerValues) series.resize(std::size_t(steps) * std::size_t(layers));
  for (int i = 0; i < steps; ++i) {
    const std::int64_t step = first + i;
    s.steps.push_back(step);
    const bool strideStep = step % stride == 0;
    for (int m = 0; m < kStepMetricCount; ++m) {
      s.stepValues[std::size_t(m)][std::size_t(i)] =
          std::exp(-double(step) * 1e-4) * (1.0 + 0.2 * noise.next()) * (m + 1);
    }
    for (int m = 0; m < kLayerMetricCount; ++m) {
      const bool strideMetric = m == int(LayerMetric::WeightNorm) ||
                                m == int(LayerMetric::UpdateRatio) ||
                                m == int(LayerMetric::OptimizerState);
      float* row = s.layerValues[std::size_t(m)].data() + std::size_t(i) * std::size_t(layers);
      for (int l = 0; l < layers; ++l) {
        row[l] = strideMetric && !strideStep ? kNaN : float((1.0 + 0.2 * noise.next()) * (m + 1));
      }
    }
    if (strideStep) {
      core::LayerHistograms h;
      h.preActivation = randomHistogram(core::kValueHistogramBins, core::kValueHistogramLow,
                                        core::kValueHistogramHigh, noise);
      h.activation = randomHistogram(core::kValueHistogramBins, core::kValueHistogramLow,
                                     core::kValueHistogramHigh, noise);
      h.gradientLog10 = randomHistogram(core::kGradientHistogramBins, core::kGradientHistogramLow,
                                        core::kGradientHistogramHigh, noise);
      for (int l = 0; l < layers; ++l) s.histograms.push_back({step, l, h});
    }
    if (step % 100 == 99) {
      EpochSample e;
      e.epoch = int(step / 100);
      e.lastStep = step;
      e.loss = s.stepValues[0][std::size_t(i)];
      e.valLoss = e.loss * 1.1;
      s.epochs.push_back(e);
    }
  }
  s.currentStep = first + steps;
  return s;
}

double mb(qint64 bytes) { return double(bytes) / 1e6; }

qint64 jsonBytes(const QJsonObject& json) {
  return QJsonDocument(json).toJson(QJsonDocument::Compact).size();
}

void measure(core::OptimizerKind optimizer, const char* name, std::int64_t steps) {
  core::ExperimentConfig config = defaultExperiment();
  config.data.kind = core::DatasetKind::Teacher;
  config.data.features = 784;
  config.data.classes = 10;
  config.data.samples = 256;
  config.model.hiddenLayers = 2;
  config.model.width = 1024;
  config.optimizer = core::OptimizerSettings::defaultsFor(optimizer);
  config.training.batchSize = 32;
  const auto run = TrainingRun::create(config);
  for (int i = 0; i < 3; ++i) run->step();  // optimiser slots hold real values

  SessionRun saved = captureRun(*run);
  MetricHistory history;
  Noise noise;
  const int layers = run->denseLayerCount();
  for (std::int64_t first = 0; first < steps; first += 500) {
    history.append(
        snapshot(first, int(std::min<std::int64_t>(500, steps - first)), layers, 10, noise));
  }
  saved.history = captureRunHistory(history, 0);
  Session session;
  session.name = QString::fromLatin1(name);
  session.runs.push_back(saved);

  QTemporaryDir dir;
  const QString path = dir.filePath(QStringLiteral("large.gradscope"));
  QElapsedTimer timer;
  timer.start();
  QString error;
  if (!saveSessionFile(path, session, &error)) {
    std::fprintf(stderr, "save failed: %s\n", qPrintable(error));
    std::exit(1);
  }
  const double saveMs = double(timer.nsecsElapsed()) / 1e6;
  timer.restart();
  const auto loaded = loadSessionFile(path, &error);
  if (!loaded) {
    std::fprintf(stderr, "open failed: %s\n", qPrintable(error));
    std::exit(1);
  }
  const double loadMs = double(timer.nsecsElapsed()) / 1e6;
  // GRADSCOPE_KEEP=<directory> keeps the files there, to look into.
  if (const QByteArray keep = qgetenv("GRADSCOPE_KEEP"); !keep.isEmpty()) {
    QFile::copy(path,
                QString::fromLocal8Bit(keep) + "/" + QString::fromLatin1(name) + ".gradscope");
  }
  const qint64 size = QFileInfo(path).size();
  std::printf(
      "%-13s %lld parameters, %lld steps of history: %.2f MB (state %.2f MB, history %.2f MB); "
      "save %.0f ms, open %.0f ms -> %s\n",
      name, static_cast<long long>(run->parameters().size()), static_cast<long long>(steps),
      mb(size), mb(jsonBytes(saved.state)), mb(jsonBytes(runHistoryToJson(*saved.history))), saveMs,
      loadMs, size < 30'000'000 ? "under 30 MB" : "OVER 30 MB");
}

}  // namespace

int main(int argc, char** argv) {
  QCoreApplication app(argc, argv);
  const std::int64_t steps = argc > 1 ? std::atoll(argv[1]) : 10'000;
  measure(core::OptimizerKind::Momentum, "SGD+momentum", steps);
  measure(core::OptimizerKind::Adam, "Adam", steps);
  return 0;
}
