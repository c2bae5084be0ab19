// Memory and query times of the metric history for a long run: appends synthetic snapshots the
// way the training worker publishes them (batches of consecutive steps, every per-layer metric
// of every Dense layer, histograms of every layer every 10 steps, an epoch sample every 1,000
// steps) and prints resident memory before and after, the history's own estimate, and the
// time of the queries a dashboard makes on every redraw.
//
// Usage: history_memory [steps=1000000] [layers=50] [batch=500] [stride=10]
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "app/history/metric_history.h"
#include "bench/synthetic_history.h"

using namespace gradscope::app;
namespace core = gradscope::core;
using Clock = std::chrono::steady_clock;

using gradscope::bench::Noise;
using gradscope::bench::randomHistogram;

namespace {

// Kilobytes of a /proc/self/status field (VmRSS: resident now, VmHWM: peak resident).
long statusKb(const char* field) {
  std::ifstream status("/proc/self/status");
  std::string line;
  const std::string key = std::string(field) + ":";
  while (std::getline(status, line))
    if (line.rfind(key, 0) == 0) return std::strtol(line.c_str() + key.size(), nullptr, 10);
  return -1;
}

double mb(double bytes) { return bytes / (1024.0 * 1024.0); }

Snapshot makeSnapshot(std::int64_t first, int steps, int layers, int stride, Noise& noise,
                      const core::LayerHistograms& histograms) {
  constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
  Snapshot s;
  s.layerCount = layers;
  s.firstStep = first;
  for (int i = 0; i < steps; ++i) s.steps.push_back(first + i);
  for (int m = 0; m < kStepMetricCount; ++m)
    s.stepValues[std::size_t(m)].resize(std::size_t(steps));
  for (int m = 0; m < kLayerMetricCount; ++m)
    s.layerValues[std::size_t(m)].resize(std::size_t(steps) * std::size_t(layers));
  for (int i = 0; i < steps; ++i) {
    const std::int64_t step = first + i;
    const double t = double(step);
    const bool strideStep = step % stride == 0;
    s.stepValues[0][std::size_t(i)] = 2.0 * std::exp(-t * 3e-6) + 0.1 * noise.next();  // loss
    s.stepValues[1][std::size_t(i)] = s.stepValues[0][std::size_t(i)] * 0.98;
    s.stepValues[2][std::size_t(i)] = 0.5 + 0.5 * noise.next();
    s.stepValues[3][std::size_t(i)] = 0.01 * std::pow(0.5, std::floor(t / 250000.0));
    s.stepValues[4][std::size_t(i)] = 0.9;
    s.stepValues[5][std::size_t(i)] = 1.0 + noise.next();
    s.stepValues[6][std::size_t(i)] = std::min(1.0, s.stepValues[5][std::size_t(i)]);
    s.stepValues[7][std::size_t(i)] = s.stepValues[5][std::size_t(i)] > 1.0 ? 1.0 : 0.0;
    for (int m = 0; m < kLayerMetricCount; ++m) {
      // Weight norm, update ratio and optimiser state are stride probes: NaN in between.
      const bool strideMetric = m == int(LayerMetric::WeightNorm) ||
                                m == int(LayerMetric::UpdateRatio) ||
                                m == int(LayerMetric::OptimizerState);
      float* row = s.layerValues[std::size_t(m)].data() + std::size_t(i) * std::size_t(layers);
      for (int l = 0; l < layers; ++l)
        row[l] = strideMetric && !strideStep
                     ? kNaN
                     : float(std::pow(0.8, l) * (1.0 + 0.2 * noise.next()) * (m + 1));
    }
    if (strideStep)
      for (int l = 0; l < layers; ++l) s.histograms.push_back({step, l, histograms});
    if (step % 1000 == 0) {
      EpochSample e;
      e.epoch = int(step / 1000);
      e.lastStep = step;
      e.loss = s.stepValues[0][std::size_t(i)];
      e.valLoss = e.loss * 1.1;
      s.epochs.push_back(e);
    }
  }
  s.currentStep = first + steps - 1;
  return s;
}

// Median time of `repeats` calls, in milliseconds.
double medianMs(int repeats, const std::function<void()>& query) {
  std::vector<double> times;
  for (int r = 0; r < repeats; ++r) {
    const auto start = Clock::now();
    query();
    times.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  const std::int64_t steps = argc > 1 ? std::atoll(argv[1]) : 1'000'000;
  const int layers = argc > 2 ? std::atoi(argv[2]) : 50;
  const int batch = argc > 3 ? std::atoi(argv[3]) : 500;
  const int stride = argc > 4 ? std::atoi(argv[4]) : 10;

  Noise noise;
  core::LayerHistograms histograms;
  histograms.preActivation = randomHistogram(core::kValueHistogramBins, core::kValueHistogramLow,
                                             core::kValueHistogramHigh, noise);
  histograms.activation = randomHistogram(core::kValueHistogramBins, core::kValueHistogramLow,
                                          core::kValueHistogramHigh, noise);
  histograms.gradientLog10 =
      randomHistogram(core::kGradientHistogramBins, core::kGradientHistogramLow,
                      core::kGradientHistogramHigh, noise);

  const long rssBefore = statusKb("VmRSS");
  std::printf(
      "run: %lld steps x %d Dense layers (%d per-layer metrics), batches of %d steps, "
      "histograms every %d steps\n",
      static_cast<long long>(steps), layers, kLayerMetricCount, batch, stride);
  std::printf("resident before: %.1f MB\n", rssBefore / 1024.0);

  MetricHistory history;
  double appendSeconds = 0.0;
  double slowestAppend = 0.0;
  std::int64_t slowestStep = 0;
  const auto total = Clock::now();
  for (std::int64_t first = 0; first < steps; first += batch) {
    const int n = int(std::min<std::int64_t>(batch, steps - first));
    const Snapshot s = makeSnapshot(first, n, layers, stride, noise, histograms);
    const auto start = Clock::now();
    history.append(s);
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    appendSeconds += seconds;
    if (seconds > slowestAppend) {
      slowestAppend = seconds;
      slowestStep = first;
    }
  }
  const double totalSeconds = std::chrono::duration<double>(Clock::now() - total).count();

  const long rssAfter = statusKb("VmRSS");
  const long rssPeak = statusKb("VmHWM");
  std::printf("resident after:  %.1f MB (peak %.1f MB, growth %.1f MB)\n", rssAfter / 1024.0,
              rssPeak / 1024.0, (rssAfter - rssBefore) / 1024.0);
  std::printf("history bytes(): %.1f MB\n", mb(double(history.bytes())));
  std::printf(
      "append: %.2f s for %lld snapshots (%.1f us per step; %.1f s with generating "
      "the data)\n",
      appendSeconds, static_cast<long long>((steps + batch - 1) / batch),
      appendSeconds * 1e6 / double(steps), totalSeconds);
  std::printf("slowest append: %.1f ms (the snapshot from step %lld)\n", slowestAppend * 1e3,
              static_cast<long long>(slowestStep));
  std::printf(
      "per-layer series: every step from step %lld, blocks of %lld steps before; "
      "%zu histogram frames kept of %lld\n",
      static_cast<long long>(history.lastStep(0) - 4095),
      static_cast<long long>(history.layerResolutionAt(0, LayerMetric::GradientNorm, 0)),
      history.histogramSteps(0).size(), static_cast<long long>(steps / stride));

  const std::int64_t last = history.lastStep(0);
  constexpr int kRepeats = 51;
  std::size_t sink = 0;  // keeps results observable so no query is optimised away
  std::printf("queries (median of %d):\n", kRepeats);
  const auto report = [&](const char* what, const std::function<void()>& query) {
    std::printf("  %-52s %8.3f ms\n", what, medianMs(kRepeats, query));
  };
  report("loss, full range, 2000 points",
         [&] { sink += history.stepSeries(0, StepMetric::Loss, 0, last, 2000).size(); });
  report("loss, last 1000 steps, 2000 points",
         [&] { sink += history.stepSeries(0, StepMetric::Loss, last - 999, last, 2000).size(); });
  history.smoothedStepSeries(0, StepMetric::Loss, 0.99, 0, last, 2000);  // builds the cache
  report("smoothed loss (EMA 0.99), full range, 2000 points", [&] {
    sink += history.smoothedStepSeries(0, StepMetric::Loss, 0.99, 0, last, 2000).size();
  });
  report("heatmap, gradient norm, 50 layers x 2000 columns", [&] {
    sink +=
        history.layerHeatmap(0, LayerMetric::GradientNorm, 0, last, 2000, HeatmapReduction::Mean)
            .values.size();
  });
  report("one layer's gradient norm, full range, 2000 points", [&] {
    sink += history.layerSeries(0, LayerMetric::GradientNorm, layers / 2, 0, last, 2000).size();
  });
  report("one layer's update ratio, last 3000 steps, 1000 points", [&] {
    sink += history.layerSeries(0, LayerMetric::UpdateRatio, 0, last - 2999, last, 1000).size();
  });
  report("histograms at the middle step",
         [&] { sink += history.histogramsAt(0, last / 2) != nullptr; });
  report("raw loss, all steps (CSV export)",
         [&] { sink += history.rawStepSeries(0, StepMetric::Loss, 0, last).size(); });
  const auto smoothingStart = Clock::now();
  history.smoothedStepSeries(0, StepMetric::Loss, 0.9, 0, last, 2000);
  std::printf("  %-52s %8.3f ms\n", "new smoothing factor (recomputes the whole run)",
              std::chrono::duration<double, std::milli>(Clock::now() - smoothingStart).count());
  std::printf("resident at the end: %.1f MB, history bytes(): %.1f MB (%zu)\n",
              statusKb("VmRSS") / 1024.0, mb(double(history.bytes())), sink % 2);
  return 0;
}
