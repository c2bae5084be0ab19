#include "app/history/run_history.h"

#include <algorithm>
#include <cmath>

namespace gradscope::app {

namespace {
constexpr std::int64_t kChunkSteps = 4096;
}

RunHistory captureRunHistory(const MetricHistory& history, int run) {
  RunHistory saved;
  if (!history.hasRun(run)) return saved;
  saved.firstStep = history.firstStep(run);
  saved.steps = history.stepCount(run);
  const std::int64_t last = saved.firstStep + saved.steps - 1;
  if (saved.steps > 0) {
    for (int m = 0; m < kStepMetricCount; ++m) {
      saved.stepValues[std::size_t(m)] = history.savedStepSeries(run, StepMetric(m));
    }
  }
  saved.layers = history.layerCount(run);
  while (saved.steps > 0 && saved.blocks() > kSessionLayerBlocks) saved.layerStride *= 2;
  const std::int64_t blocks = saved.steps > 0 ? saved.blocks() : 0;
  for (int m = 0; m < kLayerMetricCount && saved.layers > 0; ++m) {
    std::vector<float>& values = saved.layerValues[std::size_t(m)];
    values.assign(std::size_t(blocks * saved.layers), std::numeric_limits<float>::quiet_NaN());
    for (std::int64_t b = 0; b < blocks; ++b) {
      const std::int64_t from = saved.firstStep + b * saved.layerStride;
      const std::int64_t to = std::min(last, from + saved.layerStride - 1);
      for (int l = 0; l < saved.layers; ++l) {
        const DecimatedSeries series = history.layerSeries(run, LayerMetric(m), l, from, to, 1);
        if (series.size() == 1) {
          values[std::size_t(b * saved.layers + l)] = float(series.buckets[0].mean);
        }
      }
    }
  }
  for (std::int64_t step : history.histogramSteps(run)) {
    if (const HistogramFrame* frame = history.histogramsAt(run, step)) {
      saved.histograms.push_back(*frame);
    }
  }
  saved.epochs = history.epochs(run);
  saved.events = history.events(run);
  saved.regionCounts = history.regionCounts(run);
  saved.sharpness = history.sharpness(run);
  return saved;
}

void restoreRunHistory(MetricHistory& history, int run, const RunHistory& saved) {
  std::size_t nextFrame = 0;
  std::int64_t done = 0;
  bool first = true;
  while (first || done < saved.steps) {
    Snapshot s;
    s.run = run;
    s.reset = first;
    s.layerCount = saved.layers;
    const std::int64_t count = std::min(kChunkSteps, saved.steps - done);
    s.firstStep = saved.firstStep + done;
    for (std::int64_t i = 0; i < count; ++i) {
      const std::int64_t index = done + i;
      s.steps.push_back(saved.firstStep + index);
      for (int m = 0; m < kStepMetricCount; ++m) {
        // A thinned history (stepStride > 1) holds each block's mean at its first step.
        s.stepValues[std::size_t(m)].push_back(
            index % saved.stepStride == 0
                ? saved.stepValues[std::size_t(m)][std::size_t(index / saved.stepStride)]
                : std::numeric_limits<double>::quiet_NaN());
      }
    }
    if (saved.layers > 0) {
      for (int m = 0; m < kLayerMetricCount; ++m) {
        std::vector<float>& values = s.layerValues[std::size_t(m)];
        values.assign(std::size_t(count * saved.layers), std::numeric_limits<float>::quiet_NaN());
        for (std::int64_t i = 0; i < count; ++i) {
          const std::int64_t index = done + i;
          if (index % saved.layerStride != 0) continue;
          const std::int64_t block = index / saved.layerStride;
          for (int l = 0; l < saved.layers; ++l) {
            values[std::size_t(i * saved.layers + l)] =
                saved.layerValues[std::size_t(m)][std::size_t(block * saved.layers + l)];
          }
        }
      }
    }
    const std::int64_t end = saved.firstStep + done + count;
    while (nextFrame < saved.histograms.size() &&
           (saved.histograms[nextFrame].step < end || done + count >= saved.steps)) {
      const HistogramFrame& frame = saved.histograms[nextFrame++];
      for (std::size_t l = 0; l < frame.layers.size(); ++l) {
        s.histograms.push_back(HistogramSample{frame.step, int(l), frame.layers[l]});
      }
    }
    if (first) {
      s.epochs = saved.epochs;
      s.events = saved.events;
      s.sharpness = saved.sharpness;
    }
    history.append(s);
    done += count;
    first = false;
  }
  // The linear-region counts as the worker sends them: a decision field carrying the count
  // (and no region ids: the history keeps only the count).
  for (const RegionCountSample& c : saved.regionCounts) {
    auto field = std::make_shared<DecisionField>();
    field->regionResolution = c.resolution;
    field->regionCount = c.regions;
    Snapshot s;
    s.run = run;
    s.layerCount = saved.layers;
    s.currentStep = c.step;
    s.decisionField = std::move(field);
    history.append(s);
  }
}

RunHistory truncatedRunHistory(const RunHistory& saved, std::int64_t end) {
  RunHistory out = saved;
  out.steps = std::clamp<std::int64_t>(end - saved.firstStep, 0, saved.steps);
  for (auto& values : out.stepValues) values.resize(std::size_t(out.stepBlocks()));
  for (auto& values : out.layerValues) {
    if (!values.empty()) values.resize(std::size_t(out.blocks() * out.layers));
  }
  std::erase_if(out.histograms, [end](const HistogramFrame& f) { return f.step >= end; });
  std::erase_if(out.epochs, [end](const EpochSample& e) { return e.lastStep >= end; });
  std::erase_if(out.events, [end](const Event& e) { return e.step >= end; });
  return out;
}

}  // namespace gradscope::app
