// The metric history: everything the training worker measured, per run, kept for the charts,
// CSV export and session saving (the single source for all three). Snapshots are appended as
// they arrive; charts ask for "this series over this step range at N points" and get min, max
// and mean per bucket, in time independent of the run's length.
//
// What is kept, per run (defaults; see HistoryLimits):
//  - Step metrics (loss, data loss, accuracy, learning rate, momentum, gradient norms before
//    and after clipping, clipped flag): the last `recentStepsExact` steps (1,048,576, at least;
//    whole chunks of 16,384) at full resolution plus a min/max/mean pyramid of fan-out 8 over
//    them; every older step folded into min/max/mean blocks, at most `stepBlocks` (65,536)
//    per metric, whose width doubles whenever they are full (see StepSeries). Loss, data loss
//    and learning rate are stored as doubles, exactly as measured (CSV export and resume); the
//    other five as floats. About 62 bytes per recent step: at most ~75 MB per run however long
//    it trains (65 MB raw and pyramid + 9.6 MB of blocks), where it grew by 62 MB per million
//    steps without bound. Older steps are no longer available one by one: rawStepSeries()
//    gives NaN for them ("not kept"), savedStepSeries() their block's min, max and mean.
//  - Per-layer metrics (12 per Dense layer): each series keeps the last `recentSteps` steps
//    (4096) at full resolution and the whole run as min/max/mean/count blocks whose width
//    doubles whenever the series' block capacity is full, plus a pyramid over the blocks
//    (see LayerSeries). The capacity comes from a per-run budget (`layerSeriesBytes`,
//    96 MiB) shared by all series: a 3-layer network keeps 126k-152k blocks per series
//    (every step up to ~126k steps, 8-step blocks at a million steps); a 50-layer network
//    6.8k-8.2k blocks per series (every step up to ~7k steps, 128- or 256-step blocks at a
//    million). The metrics' capacities differ slightly so they do not all coarsen at the same
//    step. Min and max survive every merge, so a spike stays visible at any zoom, only its
//    position within its block is lost (DecimatedSeries::resolution says how coarse). This
//    part does not grow: at full resolution it would be 2.4 GB at a million steps and 50
//    layers.
//  - Histograms at the probes' stride: all while they fit `histogramBytes` (32 MiB), then the
//    older ones are thinned to every 2nd, 4th, ... frame, evenly over the run; the latest 32
//    frames and the first are always kept (see HistogramStore). This part does not grow.
//  - Epoch samples, events and linear-region counts (a few per second): all of them. The BatchNorm
//  statistics of the latest step.
//  - Epoch samples, events and sharpness estimates: all of them. The BatchNorm statistics of the
//  latest step.
//  - A debiased-EMA smoothed copy of a step metric once a chart asks for one (4 bytes per step
//    plus its pyramid), kept up to date as steps arrive and rebuilt when the smoothing changes.
// Measured (bench/history_memory.cpp): a million steps of a 50-layer network, histograms of
// every layer every 10 steps, take 189 MB resident for the whole process (182 MB more than
// before; bytes() says 169 MB); ten million steps take 215 MB (the step metrics' budget holds;
// before it, ~750 MB). Appending costs about 6 us per step on the GUI thread (20 us
// while the per-layer blocks are single steps, the first ~7k steps). The dashboard's queries
// take 0.01-0.07 ms per series and 1.8 ms for a 50 x 2000 heatmap, as at 100,000 steps.
//
// Steps: a run's steps are consecutive from its first snapshot's first step. A gap is filled
// with "not measured" (NaN); steps already stored are ignored. Queries take absolute step
// numbers, inclusive, clamped to the stored range (so 0 .. INT64_MAX means "all").
//
// Decimation: a query picks the coarsest stored level that still has at least `points`
// blocks in the range, deals whole blocks out to at most `points` buckets and reads the finer
// levels only at the range's two ends: O(8 * points) reads whatever the run's length. NaN
// values (not measured at that step) are skipped; buckets without a measured value are left
// out.
//
// Threading: used on the GUI thread only (snapshots arrive through queued signals), so there
// are no locks. Pointers and references returned by queries stay valid until the next
// append() or clear.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include "app/history/decimated_series.h"
#include "app/history/histogram_store.h"
#include "app/worker/snapshot.h"

namespace gradscope::app {

struct HistoryLimits {
  std::int64_t recentStepsExact = std::int64_t(1) << 20;  // step metrics kept raw, per run
  std::int64_t stepBlocks = std::int64_t(1) << 16;        // older steps: blocks per metric
  std::size_t layerSeriesBytes = std::size_t(96) << 20;   // per run, all per-layer series
  int recentSteps = 4096;                                 // per-layer steps kept raw
  std::size_t histogramBytes = std::size_t(32) << 20;     // per run
  int recentHistograms = 32;                              // frames never thinned
};

enum class HeatmapReduction { Mean, Min, Max };

// Layers x columns of one per-layer metric, for a heatmap image.
struct LayerHeatmap {
  int layers = 0;
  int columns = 0;
  // columnSteps[c] is the first step of column c; columnSteps[columns] is one past the last.
  std::vector<std::int64_t> columnSteps;
  std::vector<float> values;    // values[layer * columns + column]; NaN where nothing measured
  std::int64_t resolution = 1;  // as DecimatedSeries::resolution
  float at(int layer, int column) const { return values[std::size_t(layer * columns + column)]; }
};

class MetricHistory {
 public:
  explicit MetricHistory(const HistoryLimits& limits = {});
  ~MetricHistory();
  MetricHistory(const MetricHistory&) = delete;
  MetricHistory& operator=(const MetricHistory&) = delete;

  const HistoryLimits& limits() const { return m_limits; }

  // A snapshot with reset = true clears its run first.
  void append(const Snapshot& snapshot);
  void clear();
  void clearRun(int run);  // forgets the run (it is no longer listed)
  // Replaces run `run` with run `fromRun` of `other` (which forgets it), without copying: a
  // history rebuilt on another thread (a session being opened) is handed over in O(1). The
  // two histories must have the same limits.
  void takeRun(int run, MetricHistory& other, int fromRun);

  std::vector<int> runs() const;
  bool hasRun(int run) const;
  // Changes with every append to or clear of the run (never repeats within a history): charts
  // redraw when it differs from the one they drew. 0 for a run that does not exist.
  std::uint64_t revision(int run) const;
  // Changes with every append to or clear of any run (views that overlay all runs).
  std::uint64_t latestRevision() const { return m_revision; }
  std::int64_t stepCount(int run) const;
  std::int64_t firstStep(int run) const;  // 0 for an empty run
  std::int64_t lastStep(int run) const;   // firstStep - 1 for an empty run
  // The last step of the state the run stands at: lastStep, or an earlier step while the
  // timeline has gone back (the later steps stay stored until Play trains on). The views of
  // one step (gradient flow, saturation bars, histograms) show this one.
  std::int64_t shownStep(int run) const;
  int layerCount(int run) const;
  // Steps per stored value of a per-layer metric at `step` (1 = every step kept there); the
  // same for all layers of a metric.
  std::int64_t layerResolutionAt(int run, LayerMetric metric, std::int64_t step) const;

  DecimatedSeries stepSeries(int run, StepMetric metric, std::int64_t from, std::int64_t to,
                             int points) const;
  // The debiased exponential moving average of a step metric (TensorBoard's smoothing:
  // s_t = w s_{t-1} + (1 - w) x_t, shown as s_t / (1 - w^n) after n measured values;
  // non-finite values are skipped), computed per step and decimated like stepSeries.
  // smoothing w in [0, 1); 0 returns the metric itself.
  DecimatedSeries smoothedStepSeries(int run, StepMetric metric, double smoothing,
                                     std::int64_t from, std::int64_t to, int points) const;
  DecimatedSeries layerSeries(int run, LayerMetric metric, int layer, std::int64_t from,
                              std::int64_t to, int points) const;
  // Every step's value in [from, to] (exact for loss, data loss and learning rate); NaN for
  // steps older than the recent window that were thinned into blocks.
  std::vector<double> rawStepSeries(int run, StepMetric metric, std::int64_t from,
                                    std::int64_t to) const;
  // Steps per stored step value at `step` (1 = kept exactly; the block width where thinned).
  std::int64_t stepResolutionAt(int run, std::int64_t step) const;
  // Every step of the run for a session file: exact where kept; where thinned, each block's
  // minimum at its first step, maximum at its second and mean at the rest.
  std::vector<double> savedStepSeries(int run, StepMetric metric) const;
  // All layers of one metric over [from, to] in at most `columns` columns.
  LayerHeatmap layerHeatmap(int run, LayerMetric metric, std::int64_t from, std::int64_t to,
                            int columns, HeatmapReduction reduction) const;

  const HistogramFrame* latestHistograms(int run) const;
  // The stored frame at `step` or the nearest one before it; nullptr if none.
  const HistogramFrame* histogramsAt(int run, std::int64_t step) const;
  std::vector<std::int64_t> histogramSteps(int run) const;

  const std::vector<EpochSample>& epochs(int run) const;
  // The linear-region count of every decision field the run's snapshots carried (one per
  // step: a field refreshed without a new step replaces the last sample).
  const std::vector<RegionCountSample>& regionCounts(int run) const;
  const std::vector<Event>& events(int run) const;
  // Every sharpness estimate of the run, in step order (a few per hundred steps: all kept).
  const std::vector<SharpnessSample>& sharpness(int run) const;
  const std::vector<core::BatchNormProbe>& latestBatchNorms(int run) const;

  // Heap memory held, in bytes (capacity of the stored arrays).
  std::size_t bytes() const;

 private:
  struct Run;
  struct Smoothed;

  Run& runFor(int run);
  const Run* findRun(int run) const;
  void startLayers(Run& run, int layerCount) const;
  void appendMissing(Run& run, std::int64_t steps) const;
  static void extendSmoothed(const Run& run, Smoothed& smoothed);
  // Absolute [from, to] clamped to the run, as relative steps; false if empty.
  static bool relativeRange(const Run& run, std::int64_t& from, std::int64_t& to);

  HistoryLimits m_limits;
  std::uint64_t m_revision = 0;
  std::map<int, std::unique_ptr<Run>> m_runs;
};

}  // namespace gradscope::app
