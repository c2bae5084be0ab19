#include "app/history/metric_history.h"

#include "app/history/run_history.h"

#include <QtGlobal>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

#include "app/history/bucket_grid.h"
#include "app/history/layer_series.h"
#include "app/history/step_series.h"

namespace gradscope::app {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Stored as measured: the loss is exported, compared and resumed; the learning rate is a
// setting the user reads back. The other step metrics are display values.
bool isExact(StepMetric metric) {
  return metric == StepMetric::Loss || metric == StepMetric::DataLoss ||
         metric == StepMetric::LearningRate;
}

}  // namespace

struct MetricHistory::Smoothed {
  explicit Smoothed(const HistoryLimits& limits)
      : values(false, limits.recentStepsExact, limits.stepBlocks) {}
  StepMetric metric = StepMetric::Loss;
  double smoothing = 0.0;
  StepSeries values;
  double average = 0.0;  // the biased moving average
  double weight = 1.0;   // smoothing^n after n measured values: the bias to divide out
};

struct MetricHistory::Run {
  explicit Run(const HistoryLimits& limits)
      : histograms(limits.histogramBytes, limits.recentHistograms) {
    steps.reserve(kStepMetricCount);
    for (int m = 0; m < kStepMetricCount; ++m)
      steps.emplace_back(isExact(StepMetric(m)), limits.recentStepsExact, limits.stepBlocks);
  }

  const LayerSeries& layer(LayerMetric metric, int index) const {
    return layerSeries[std::size_t(int(metric) * layers + index)];
  }

  std::int64_t origin = 0;     // absolute number of the first step
  std::int64_t count = 0;      // steps stored
  std::int64_t standing = -1;  // the steps the run's state has trained (-1: the newest)
  int layers = 0;
  std::uint64_t revision = 0;
  std::vector<StepSeries> steps;         // by StepMetric
  std::vector<LayerSeries> layerSeries;  // [metric * layers + layer]
  HistogramStore histograms;
  std::vector<EpochSample> epochs;
  std::vector<RegionCountSample> regionCounts;
  std::vector<Event> events;
  std::vector<SharpnessSample> sharpness;
  std::vector<core::BatchNormProbe> batchNorms;
  // Built on a chart's first request; queries stay const for their callers.
  mutable std::array<std::unique_ptr<Smoothed>, kStepMetricCount> smoothed;
};

MetricHistory::MetricHistory(const HistoryLimits& limits) : m_limits(limits) {}

MetricHistory::~MetricHistory() = default;

MetricHistory::Run& MetricHistory::runFor(int run) {
  auto& slot = m_runs[run];
  if (!slot) slot = std::make_unique<Run>(m_limits);
  return *slot;
}

const MetricHistory::Run* MetricHistory::findRun(int run) const {
  const auto it = m_runs.find(run);
  return it == m_runs.end() ? nullptr : it->second.get();
}

void MetricHistory::startLayers(Run& run, int layerCount) const {
  run.layers = std::max(layerCount, 0);
  run.layerSeries.clear();
  const std::size_t series = std::size_t(kLayerMetricCount) * std::size_t(run.layers);
  if (series == 0) return;
  // Share the budget equally: each series gets a raw window (at most a quarter of its share)
  // and as many blocks as the rest holds, the pyramid over them adding 1/7, after a fixed
  // allowance for the series' own bookkeeping (object, level vectors, rounding).
  const double share = double(m_limits.layerSeriesBytes) / double(series);
  const int window = std::min(m_limits.recentSteps, int(share / 4.0 / double(sizeof(float))));
  const double blockBytes = double(sizeof(SeriesBlock)) * 8.0 / 7.0;
  const auto capacity = std::max<std::int64_t>(
      64, std::int64_t((share - double(window) * sizeof(float) - 512.0) / blockBytes));
  run.layerSeries.reserve(series);
  for (int m = 0; m < kLayerMetricCount; ++m) {
    // Metric m holds capacity * (1 - m/64) blocks: all layers of one metric coarsen together
    // (a heatmap's columns need one block width), but the metrics coarsen at different steps,
    // so no append has to merge the whole budget at once (a 20 ms pause at 50 layers).
    const std::int64_t blocks = capacity - std::int64_t(m) * capacity / 64;
    for (int l = 0; l < run.layers; ++l) run.layerSeries.emplace_back(blocks, window);
  }
}

void MetricHistory::appendMissing(Run& run, std::int64_t steps) const {
  for (StepSeries& s : run.steps)
    for (std::int64_t i = 0; i < steps; ++i) s.append(kNaN);
  for (LayerSeries& s : run.layerSeries)
    for (std::int64_t i = 0; i < steps; ++i) s.append(std::numeric_limits<float>::quiet_NaN());
  run.count += steps;
}

void MetricHistory::append(const Snapshot& snapshot) {
  const int id = snapshot.run;
  const std::int64_t n = std::int64_t(snapshot.steps.size());
  if (snapshot.reset) {
    clearRun(id);
  } else if (const Run* existing = findRun(id);
             snapshot.discardFrom >= 0 && existing && existing->count > 0 &&
             existing->origin + existing->count > snapshot.discardFrom) {
    // The run's old future: the history is cut where the run went on from (through the
    // session form, which keeps every step's scalars and the per-layer block means), after
    // the whole of it became the history of the run that keeps the old future, if one does.
    const RunHistory whole = captureRunHistory(*this, id);
    if (snapshot.futureKeptAs >= 0) restoreRunHistory(*this, snapshot.futureKeptAs, whole);
    restoreRunHistory(*this, id, truncatedRunHistory(whole, snapshot.discardFrom));
  } else if (const Run* existing = findRun(id);
             existing && existing->count > 0 && n > 0 && snapshot.layerCount != existing->layers) {
    // The worker rebuilds the network only with a reset; stored layers that no longer match
    // would mix two networks, so the run starts over.
    qWarning("MetricHistory: run %d changed from %d to %d layers without a reset", id,
             existing->layers, snapshot.layerCount);
    clearRun(id);
  }
  Run& run = runFor(id);
  run.revision = ++m_revision;
  // Steps trained: the run stands at its newest one. None: the run may stand anywhere (the
  // timeline went back, or a paused run's settings changed).
  run.standing = n > 0 ? -1 : snapshot.currentStep;

  if (n > 0) {
    const std::int64_t first = snapshot.steps.front();
    if (run.count == 0) {
      run.origin = first;
      startLayers(run, snapshot.layerCount);
    }
    const std::int64_t next = run.origin + run.count;
    std::int64_t skip = 0;  // steps of this snapshot already stored
    if (first < next)
      skip = std::min(n, next - first);
    else if (first > next)
      appendMissing(run, first - next);
    const std::int64_t fresh = n - skip;

    for (int m = 0; m < kStepMetricCount; ++m) {
      const std::vector<double>& values = snapshot.stepValues[std::size_t(m)];
      StepSeries& series = run.steps[std::size_t(m)];
      for (std::int64_t i = skip; i < n; ++i)
        series.append(i < std::int64_t(values.size()) ? values[std::size_t(i)] : kNaN);
    }
    const std::int64_t layers = run.layers;
    for (int m = 0; m < kLayerMetricCount && layers > 0; ++m) {
      const std::vector<float>& values = snapshot.layerValues[std::size_t(m)];
      const bool complete = std::int64_t(values.size()) >= n * layers;
      for (std::int64_t l = 0; l < layers; ++l) {
        LayerSeries& series = run.layerSeries[std::size_t(m * layers + l)];
        if (complete) {
          series.appendStrided(values.data() + skip * layers + l, fresh, layers);
        } else {
          for (std::int64_t i = 0; i < fresh; ++i)
            series.append(std::numeric_limits<float>::quiet_NaN());
        }
      }
    }
    run.count += fresh;
    for (auto& smoothed : run.smoothed)
      if (smoothed) extendSmoothed(run, *smoothed);
    if (!snapshot.batchNorms.empty()) run.batchNorms = snapshot.batchNorms;
  }

  for (const HistogramSample& sample : snapshot.histograms) run.histograms.add(sample, run.layers);
  run.epochs.insert(run.epochs.end(), snapshot.epochs.begin(), snapshot.epochs.end());
  if (snapshot.decisionField && snapshot.decisionField->hasRegions()) {
    const RegionCountSample sample{snapshot.currentStep, snapshot.decisionField->regionCount,
                                   snapshot.decisionField->regionResolution};
    if (!run.regionCounts.empty() && run.regionCounts.back().step >= sample.step) {
      run.regionCounts.back() = sample;
    } else {
      run.regionCounts.push_back(sample);
    }
  }
  run.events.insert(run.events.end(), snapshot.events.begin(), snapshot.events.end());
  for (const SharpnessSample& sample : snapshot.sharpness) {
    // In step order; a repeated step (a session's history then the live run) is kept once.
    if (run.sharpness.empty() || sample.step > run.sharpness.back().step)
      run.sharpness.push_back(sample);
  }
}

void MetricHistory::clear() {
  m_runs.clear();
  ++m_revision;
}

void MetricHistory::clearRun(int run) {
  m_runs.erase(run);
  ++m_revision;
}

void MetricHistory::takeRun(int run, MetricHistory& other, int fromRun) {
  const auto it = other.m_runs.find(fromRun);
  if (it == other.m_runs.end()) {
    clearRun(run);
    return;
  }
  std::unique_ptr<Run> taken = std::move(it->second);
  other.m_runs.erase(it);
  ++other.m_revision;
  taken->revision = ++m_revision;
  m_runs[run] = std::move(taken);
}

std::vector<int> MetricHistory::runs() const {
  std::vector<int> out;
  for (const auto& [id, run] : m_runs) out.push_back(id);
  return out;
}

bool MetricHistory::hasRun(int run) const { return findRun(run) != nullptr; }

std::uint64_t MetricHistory::revision(int run) const {
  const Run* r = findRun(run);
  return r ? r->revision : 0;
}

std::int64_t MetricHistory::stepCount(int run) const {
  const Run* r = findRun(run);
  return r ? r->count : 0;
}

std::int64_t MetricHistory::firstStep(int run) const {
  const Run* r = findRun(run);
  return r ? r->origin : 0;
}

std::int64_t MetricHistory::lastStep(int run) const {
  const Run* r = findRun(run);
  return r ? r->origin + r->count - 1 : -1;
}

std::int64_t MetricHistory::shownStep(int run) const {
  const Run* r = findRun(run);
  if (!r) return -1;
  const std::int64_t last = r->origin + r->count - 1;
  return r->standing < 0 ? last : std::clamp(r->standing - 1, r->origin - 1, last);
}

int MetricHistory::layerCount(int run) const {
  const Run* r = findRun(run);
  return r ? r->layers : 0;
}

std::int64_t MetricHistory::layerResolutionAt(int run, LayerMetric metric,
                                              std::int64_t step) const {
  const Run* r = findRun(run);
  if (!r || r->layers == 0 || metric == LayerMetric::Count) return 1;
  return r->layer(metric, 0).resolutionAt(step - r->origin);
}

bool MetricHistory::relativeRange(const Run& run, std::int64_t& from, std::int64_t& to) {
  // Clamp in absolute steps first: to = INT64_MAX must not overflow.
  from = std::max(from, run.origin) - run.origin;
  to = std::min(to, run.origin + run.count - 1) - run.origin;
  return run.count > 0 && from <= to;
}

DecimatedSeries MetricHistory::stepSeries(int run, StepMetric metric, std::int64_t from,
                                          std::int64_t to, int points) const {
  const Run* r = findRun(run);
  if (!r || metric == StepMetric::Count || !relativeRange(*r, from, to)) return {};
  return r->steps[std::size_t(metric)].decimate(from, to, points, r->origin);
}

void MetricHistory::extendSmoothed(const Run& run, Smoothed& smoothed) {
  const StepSeries& raw = run.steps[std::size_t(smoothed.metric)];
  const double w = smoothed.smoothing;
  for (std::int64_t i = smoothed.values.size(); i < raw.size(); ++i) {
    // Steps already thinned count with their block's mean.
    const double x =
        i < raw.rawStart() ? raw.thinnedBlock(i / raw.blockSteps()).mean() : raw.value(i);
    if (!std::isfinite(x)) {
      smoothed.values.append(kNaN);
      continue;
    }
    smoothed.average = w * smoothed.average + (1.0 - w) * x;
    smoothed.weight *= w;
    // The average starts at 0, so early values are biased towards 0 by the factor
    // (1 - w^n); dividing it out makes the first smoothed value equal the first value.
    smoothed.values.append(smoothed.average / (1.0 - smoothed.weight));
  }
}

DecimatedSeries MetricHistory::smoothedStepSeries(int run, StepMetric metric, double smoothing,
                                                  std::int64_t from, std::int64_t to,
                                                  int points) const {
  if (!(smoothing > 0.0)) return stepSeries(run, metric, from, to, points);
  const Run* r = findRun(run);
  if (!r || metric == StepMetric::Count || !relativeRange(*r, from, to)) return {};
  smoothing = std::min(smoothing, 0.999999);
  auto& smoothed = r->smoothed[std::size_t(metric)];
  if (!smoothed || smoothed->smoothing != smoothing) {
    // A new smoothing recomputes the whole run once: O(steps), a few ms per million.
    smoothed = std::make_unique<Smoothed>(m_limits);
    smoothed->metric = metric;
    smoothed->smoothing = smoothing;
    extendSmoothed(*r, *smoothed);
  }
  return smoothed->values.decimate(from, to, points, r->origin);
}

DecimatedSeries MetricHistory::layerSeries(int run, LayerMetric metric, int layer,
                                           std::int64_t from, std::int64_t to, int points) const {
  const Run* r = findRun(run);
  if (!r || metric == LayerMetric::Count || layer < 0 || layer >= r->layers ||
      !relativeRange(*r, from, to))
    return {};
  return r->layer(metric, layer).decimate(from, to, points, r->origin);
}

std::int64_t MetricHistory::stepResolutionAt(int run, std::int64_t step) const {
  const Run* r = findRun(run);
  return r && !r->steps.empty() ? r->steps[0].resolutionAt(step - r->origin) : 1;
}

std::vector<double> MetricHistory::savedStepSeries(int run, StepMetric metric) const {
  const Run* r = findRun(run);
  if (!r || metric == StepMetric::Count) return {};
  const StepSeries& series = r->steps[std::size_t(metric)];
  std::vector<double> out(std::size_t(r->count), kNaN);
  // A thinned block of w steps: its minimum at its first step, its maximum at its second, its
  // mean at the others (so a spike survives a save and the block's mean nearly does).
  const std::int64_t width = series.blockSteps();
  for (std::int64_t b = 0; b < series.thinnedBlocks(); ++b) {
    const SeriesAggregate a = series.thinnedBlock(b);
    if (a.empty()) continue;
    const std::int64_t first = b * width;
    const std::int64_t end = std::min(first + width, series.rawStart());
    for (std::int64_t i = first; i < end; ++i) out[std::size_t(i)] = a.mean();
    out[std::size_t(first)] = a.min;
    if (first + 1 < end) out[std::size_t(first + 1)] = a.max;
  }
  for (std::int64_t i = series.rawStart(); i < r->count; ++i) out[std::size_t(i)] = series.value(i);
  return out;
}

std::vector<double> MetricHistory::rawStepSeries(int run, StepMetric metric, std::int64_t from,
                                                 std::int64_t to) const {
  const Run* r = findRun(run);
  if (!r || metric == StepMetric::Count || !relativeRange(*r, from, to)) return {};
  const StepSeries& series = r->steps[std::size_t(metric)];
  std::vector<double> out;
  out.reserve(std::size_t(to - from + 1));
  for (std::int64_t i = from; i <= to; ++i) out.push_back(series.value(i));
  return out;
}

LayerHeatmap MetricHistory::layerHeatmap(int run, LayerMetric metric, std::int64_t from,
                                         std::int64_t to, int columns,
                                         HeatmapReduction reduction) const {
  const Run* r = findRun(run);
  if (!r || metric == LayerMetric::Count || r->layers == 0 || columns < 1 ||
      !relativeRange(*r, from, to))
    return {};
  // Every series of the run has the same length and block width, so one plan and one grid
  // serve all layers and the columns line up.
  const LayerSeries& first = r->layer(metric, 0);
  const LayerSeries::Plan plan = first.plan(from, to, columns);
  BucketGrid grid;
  grid.reset(from, to, columns, plan.gridSteps);

  LayerHeatmap map;
  map.layers = r->layers;
  map.columns = grid.bucketCount();
  map.resolution = first.resolutionAt(from);
  map.columnSteps.reserve(std::size_t(map.columns + 1));
  for (int c = 0; c < map.columns; ++c)
    map.columnSteps.push_back(grid.bucketFirstStep(c) + r->origin);
  map.columnSteps.push_back(to + 1 + r->origin);
  map.values.assign(std::size_t(map.layers * map.columns), std::numeric_limits<float>::quiet_NaN());
  for (int l = 0; l < map.layers; ++l) {
    if (l > 0) grid.reset(from, to, columns, plan.gridSteps);
    r->layer(metric, l).accumulate(plan, from, to, grid);
    float* row = map.values.data() + std::size_t(l * map.columns);
    for (int c = 0; c < map.columns; ++c) {
      const SeriesAggregate& a = grid.bucket(c);
      if (a.empty()) continue;
      const double v = reduction == HeatmapReduction::Mean  ? a.mean()
                       : reduction == HeatmapReduction::Min ? a.min
                                                            : a.max;
      row[c] = toStoredFloat(v);
    }
  }
  return map;
}

const HistogramFrame* MetricHistory::latestHistograms(int run) const {
  const Run* r = findRun(run);
  return r ? r->histograms.latest() : nullptr;
}

const HistogramFrame* MetricHistory::histogramsAt(int run, std::int64_t step) const {
  const Run* r = findRun(run);
  return r ? r->histograms.at(step) : nullptr;
}

std::vector<std::int64_t> MetricHistory::histogramSteps(int run) const {
  const Run* r = findRun(run);
  return r ? r->histograms.steps() : std::vector<std::int64_t>{};
}

const std::vector<RegionCountSample>& MetricHistory::regionCounts(int run) const {
  static const std::vector<RegionCountSample> kNone;
  const Run* r = findRun(run);
  return r ? r->regionCounts : kNone;
}

const std::vector<EpochSample>& MetricHistory::epochs(int run) const {
  static const std::vector<EpochSample> kNone;
  const Run* r = findRun(run);
  return r ? r->epochs : kNone;
}

const std::vector<Event>& MetricHistory::events(int run) const {
  static const std::vector<Event> kNone;
  const Run* r = findRun(run);
  return r ? r->events : kNone;
}

const std::vector<SharpnessSample>& MetricHistory::sharpness(int run) const {
  static const std::vector<SharpnessSample> kNone;
  const Run* r = findRun(run);
  return r ? r->sharpness : kNone;
}

const std::vector<core::BatchNormProbe>& MetricHistory::latestBatchNorms(int run) const {
  static const std::vector<core::BatchNormProbe> kNone;
  const Run* r = findRun(run);
  return r ? r->batchNorms : kNone;
}

std::size_t MetricHistory::bytes() const {
  std::size_t total = 0;
  for (const auto& [id, run] : m_runs) {
    total += sizeof(Run);
    for (const StepSeries& s : run->steps) total += sizeof(StepSeries) + s.bytes();
    for (const LayerSeries& s : run->layerSeries) total += sizeof(LayerSeries) + s.bytes();
    total += run->histograms.bytes();
    total += run->epochs.capacity() * sizeof(EpochSample);
    total += run->regionCounts.capacity() * sizeof(RegionCountSample);
    total += run->events.capacity() * sizeof(Event);
    total += run->sharpness.capacity() * sizeof(SharpnessSample);
    for (const Event& e : run->events) total += std::size_t(e.text.capacity()) * sizeof(QChar);
    total += run->batchNorms.capacity() * sizeof(core::BatchNormProbe);
    for (const auto& s : run->smoothed)
      if (s) total += sizeof(Smoothed) + s->values.bytes();
  }
  return total;
}

}  // namespace gradscope::app
