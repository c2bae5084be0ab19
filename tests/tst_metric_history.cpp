// The metric history: snapshots in, decimated series out. Min and max survive decimation at
// every zoom (a one-step spike in a million steps stays the maximum of its bucket), buckets
// never exceed the requested count and partition the range, NaN (not measured) is skipped,
// per-layer series stay within their budget as they coarsen, histograms are thinned but keep
// the latest, and runs, resets, gaps, epochs and events behave as documented.
#include <QtTest>

#include <cmath>
#include <functional>
#include <limits>
#include <memory>

#include "app/history/metric_history.h"

using namespace gradscope::app;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr float kNaNf = std::numeric_limits<float>::quiet_NaN();

using StepFn = std::function<double(StepMetric, std::int64_t)>;
using LayerFn = std::function<float(LayerMetric, std::int64_t, int)>;

Snapshot makeSnapshot(int run, std::int64_t first, std::int64_t count, int layers,
                      const StepFn& stepValue, const LayerFn& layerValue) {
  Snapshot s;
  s.run = run;
  s.layerCount = layers;
  s.firstStep = first;
  for (std::int64_t i = 0; i < count; ++i) s.steps.push_back(first + i);
  for (int m = 0; m < kStepMetricCount; ++m)
    for (std::int64_t i = 0; i < count; ++i)
      s.stepValues[std::size_t(m)].push_back(stepValue(StepMetric(m), first + i));
  for (int m = 0; m < kLayerMetricCount; ++m)
    for (std::int64_t i = 0; i < count; ++i)
      for (int l = 0; l < layers; ++l)
        s.layerValues[std::size_t(m)].push_back(layerValue(LayerMetric(m), first + i, l));
  s.currentStep = first + count - 1;
  return s;
}

// Appends steps [first, first + count) in worker-sized batches.
void appendSteps(MetricHistory& history, int run, std::int64_t first, std::int64_t count,
                 int layers, const StepFn& stepValue, const LayerFn& layerValue,
                 std::int64_t batch = 500) {
  for (std::int64_t s = first; s < first + count; s += batch)
    history.append(
        makeSnapshot(run, s, std::min(batch, first + count - s), layers, stepValue, layerValue));
}

// Values exactly representable in float, with float-exact sums over thousands of steps, so
// every decimation level can be compared exactly with the raw series.
double wave(std::int64_t step) { return double(step % 97) * 0.25; }

constexpr std::int64_t kLongSteps = 1'000'000;
constexpr std::int64_t kSpikeStep = 123'457;
constexpr std::int64_t kDipStep = 654'321;
constexpr double kSpike = 50.0;

double longLoss(StepMetric m, std::int64_t step) {
  if (m != StepMetric::Loss) return m == StepMetric::Accuracy ? kNaN : 0.5;
  if (step == kSpikeStep) return kSpike;
  if (step == kDipStep) return -kSpike;
  return 1.0 + 0.1 * std::sin(double(step) * 0.01);
}

float longLayer(LayerMetric m, std::int64_t step, int layer) {
  if (m != LayerMetric::GradientNorm) return 0.25f;
  if (layer == 1 && step == kSpikeStep) return float(kSpike);
  if (layer == 1 && step == kDipStep) return -float(kSpike);
  return float(1.0 + 0.1 * std::cos(double(step) * 0.003));
}

HistogramSample histogramSample(std::int64_t step, int layer) {
  HistogramSample h;
  h.step = step;
  h.layer = layer;
  h.histograms.activation.low = -6.0;
  h.histograms.activation.high = 6.0;
  h.histograms.activation.counts.assign(60, 0);
  h.histograms.activation.counts[std::size_t(layer)] = std::uint32_t(step);  // identifies it
  h.histograms.preActivation = h.histograms.activation;
  h.histograms.gradientLog10.counts.assign(70, 1);
  return h;
}

void verifyPartition(const DecimatedSeries& series, std::int64_t from, std::int64_t to,
                     int points) {
  QVERIFY(!series.empty());
  QVERIFY(int(series.size()) <= points);
  QCOMPARE(series.buckets.front().step, from);
  QCOMPARE(series.buckets.back().lastStep, to);
  for (std::size_t i = 0; i < series.size(); ++i) {
    const DecimatedBucket& b = series.buckets[i];
    QVERIFY(b.step <= b.lastStep);
    const double slack = 1e-9 * std::max(1.0, std::abs(b.mean));
    QVERIFY(b.min <= b.mean + slack && b.mean <= b.max + slack);
    if (i > 0) QCOMPARE(b.step, series.buckets[i - 1].lastStep + 1);
  }
}

// Stored block means are floats: equal to 7 significant digits.
bool close(double actual, double expected) {
  return std::abs(actual - expected) <= 1e-6 * std::max(1.0, std::abs(expected));
}

}  // namespace

class TestMetricHistory : public QObject {
  Q_OBJECT

  std::unique_ptr<MetricHistory> m_long;  // a million steps, two layers, a tight layer budget
  HistoryLimits m_longLimits;

 private slots:
  void initTestCase() {
    m_longLimits.layerSeriesBytes = 2 << 20;  // 2 MiB for 24 series: coarse blocks by 1M steps
    m_long = std::make_unique<MetricHistory>(m_longLimits);
    appendSteps(*m_long, 0, 0, kLongSteps, 2, longLoss, longLayer, 5000);
    QCOMPARE(m_long->stepCount(0), kLongSteps);
    qInfo("1M steps, 2 layers: %.1f MB, per-layer resolution at step 0: %lld steps",
          double(m_long->bytes()) / 1e6,
          qlonglong(m_long->layerResolutionAt(0, LayerMetric::GradientNorm, 0)));
  }

  void stepsAndRanges() {
    MetricHistory h;
    const StepFn loss = [](StepMetric m, std::int64_t step) {
      return m == StepMetric::Loss ? 1.0 / double(step) : double(int(m));
    };
    const LayerFn layer = [](LayerMetric, std::int64_t step, int l) {
      return float(step * 10 + l);
    };
    appendSteps(h, 0, 1, 300, 3, loss, layer, 100);
    QCOMPARE(h.stepCount(0), 300);
    QCOMPARE(h.firstStep(0), 1);
    QCOMPARE(h.lastStep(0), 300);
    QCOMPARE(h.layerCount(0), 3);
    QCOMPARE(h.runs(), std::vector<int>{0});

    // Raw values are exact doubles for the loss.
    const std::vector<double> all = h.rawStepSeries(0, StepMetric::Loss, 0, INT64_MAX);
    QCOMPARE(all.size(), std::size_t(300));
    for (std::size_t i = 0; i < all.size(); ++i) QCOMPARE(all[i], 1.0 / double(i + 1));
    const std::vector<double> part = h.rawStepSeries(0, StepMetric::Loss, 50, 60);
    QCOMPARE(part.size(), std::size_t(11));
    QCOMPARE(part.front(), 1.0 / 50.0);
    QCOMPARE(h.rawStepSeries(0, StepMetric::Clipped, 1, 1), std::vector<double>{7.0});

    // At least as many points as steps: one bucket per step, the values themselves.
    const DecimatedSeries full = h.stepSeries(0, StepMetric::Loss, 0, INT64_MAX, 1000);
    QCOMPARE(full.size(), std::size_t(300));
    for (const DecimatedBucket& b : full.buckets) {
      QCOMPARE(b.lastStep, b.step);
      QCOMPARE(b.min, 1.0 / double(b.step));
      QCOMPARE(b.max, b.min);
      QCOMPARE(b.mean, b.min);
    }
    const DecimatedSeries layerFull = h.layerSeries(0, LayerMetric::Saturated, 2, 10, 19, 100);
    QCOMPARE(layerFull.size(), std::size_t(10));
    QCOMPARE(layerFull.buckets.front().step, 10);
    QCOMPARE(layerFull.buckets.front().max, 102.0);
    QCOMPARE(layerFull.resolution, 1);

    // Empty and out-of-range requests.
    QVERIFY(h.stepSeries(0, StepMetric::Loss, 200, 100, 10).empty());
    QVERIFY(h.stepSeries(0, StepMetric::Loss, 400, 500, 10).empty());
    QVERIFY(h.stepSeries(0, StepMetric::Loss, 1, 300, 0).empty());
    QVERIFY(h.stepSeries(7, StepMetric::Loss, 1, 300, 10).empty());
    QVERIFY(h.layerSeries(0, LayerMetric::Saturated, 3, 1, 300, 10).empty());
    QVERIFY(h.rawStepSeries(0, StepMetric::Loss, 301, 400).empty());
    QCOMPARE(h.stepCount(7), 0);
    QVERIFY(!h.hasRun(7));
  }

  void bucketsPartitionTheRange_data() {
    QTest::addColumn<qint64>("from");
    QTest::addColumn<qint64>("to");
    QTest::addColumn<int>("points");
    QTest::newRow("all at 1") << qint64(0) << qint64(10006) << 1;
    QTest::newRow("all at 2") << qint64(0) << qint64(10006) << 2;
    QTest::newRow("all at 7") << qint64(0) << qint64(10006) << 7;
    QTest::newRow("all at 100") << qint64(0) << qint64(10006) << 100;
    QTest::newRow("all at 2000") << qint64(0) << qint64(10006) << 2000;
    QTest::newRow("all at 9999") << qint64(0) << qint64(10006) << 9999;
    QTest::newRow("all at n") << qint64(0) << qint64(10006) << 10007;
    QTest::newRow("all at 2n") << qint64(0) << qint64(10006) << 20014;
    QTest::newRow("unaligned at 13") << qint64(333) << qint64(9876) << 13;
    QTest::newRow("unaligned at 640") << qint64(4097) << qint64(8191) << 640;
    QTest::newRow("short at 3") << qint64(511) << qint64(513) << 3;
    QTest::newRow("one step") << qint64(5000) << qint64(5000) << 50;
  }

  void bucketsPartitionTheRange() {
    QFETCH(qint64, from);
    QFETCH(qint64, to);
    QFETCH(int, points);
    MetricHistory h;
    appendSteps(h, 0, 0, 10007, 0, [](StepMetric, std::int64_t s) { return wave(s); }, {});
    const DecimatedSeries d = h.stepSeries(0, StepMetric::Loss, from, to, points);
    verifyPartition(d, from, to, points);
    // A complete series fills every bucket it may: min(points, steps).
    QCOMPARE(qint64(d.size()), std::min<qint64>(points, to - from + 1));
    // Each bucket is exactly the min, max and mean of its steps, at any level.
    const std::vector<double> raw = h.rawStepSeries(0, StepMetric::Loss, 0, INT64_MAX);
    for (const DecimatedBucket& b : d.buckets) {
      double lo = INFINITY, hi = -INFINITY, sum = 0.0;
      for (std::int64_t s = b.step; s <= b.lastStep; ++s) {
        lo = std::min(lo, raw[std::size_t(s)]);
        hi = std::max(hi, raw[std::size_t(s)]);
        sum += raw[std::size_t(s)];
      }
      QCOMPARE(b.min, lo);
      QCOMPARE(b.max, hi);
      QVERIFY2(close(b.mean, sum / double(b.lastStep - b.step + 1)),
               qPrintable(QString::number(b.mean - sum / double(b.lastStep - b.step + 1))));
    }
  }

  void spikesSurviveDecimation_data() {
    QTest::addColumn<qint64>("from");
    QTest::addColumn<qint64>("to");
    QTest::addColumn<int>("points");
    QTest::newRow("all at 2000") << qint64(0) << qint64(INT64_MAX) << 2000;
    QTest::newRow("all at 5000") << qint64(0) << qint64(INT64_MAX) << 5000;
    QTest::newRow("all at 1") << qint64(0) << qint64(INT64_MAX) << 1;
    QTest::newRow("all at 7") << qint64(0) << qint64(INT64_MAX) << 7;
    QTest::newRow("all at 333") << qint64(0) << qint64(INT64_MAX) << 333;
    QTest::newRow("100k at 500") << qint64(100'000) << qint64(700'000) << 500;
    QTest::newRow("2k at 100") << qint64(122'500) << qint64(124'500) << 100;
    QTest::newRow("2k at 2000") << qint64(122'500) << qint64(124'500) << 2000;
    QTest::newRow("edge left") << qint64(kSpikeStep) << qint64(kDipStep) << 640;
    QTest::newRow("edge right") << qint64(1) << qint64(kSpikeStep) << 640;
    QTest::newRow("tight") << qint64(kSpikeStep - 3) << qint64(kDipStep + 5) << 3;
  }

  void spikesSurviveDecimation() {
    QFETCH(qint64, from);
    QFETCH(qint64, to);
    QFETCH(int, points);
    const MetricHistory& h = *m_long;
    const std::int64_t last = std::min<qint64>(to, kLongSteps - 1);

    // The loss is stored at every step: the bucket containing the spike has it as its max.
    const DecimatedSeries loss = h.stepSeries(0, StepMetric::Loss, from, to, points);
    verifyPartition(loss, from, last, points);
    QCOMPARE(loss.resolution, 1);
    for (const auto& [step, value] : {std::pair{kSpikeStep, kSpike}, {kDipStep, -kSpike}}) {
      if (step < from || step > last) continue;
      bool found = false;
      for (const DecimatedBucket& b : loss.buckets) {
        if (b.step <= step && step <= b.lastStep) {
          QCOMPARE(value > 0 ? b.max : b.min, value);
          found = true;
        }
      }
      QVERIFY(found);
    }

    // Layer 1's gradient norm is kept in blocks of `resolution` steps this far back: the spike
    // is the max of the bucket holding its block (which starts at most resolution - 1 steps
    // before it).
    const DecimatedSeries norm = h.layerSeries(0, LayerMetric::GradientNorm, 1, from, to, points);
    QVERIFY(!norm.empty());
    QVERIFY(int(norm.size()) <= points);
    if (points >= 2000) QVERIFY(norm.resolution > 1);  // the budget forced coarse blocks
    for (std::size_t i = 1; i < norm.size(); ++i)
      QVERIFY(norm.buckets[i].step > norm.buckets[i - 1].lastStep);
    QVERIFY(norm.buckets.front().step >= from);
    QVERIFY(norm.buckets.back().lastStep <= last);
    for (const auto& [step, value] : {std::pair{kSpikeStep, kSpike}, {kDipStep, -kSpike}}) {
      if (step < from || step > last) continue;
      bool found = false;
      for (const DecimatedBucket& b : norm.buckets)
        if (b.step <= step && step <= b.lastStep + norm.resolution - 1 &&
            (value > 0 ? b.max : b.min) == value)
          found = true;
      QVERIFY2(found, "spike lost in the per-layer series");
    }
    // The other layer has no spike.
    const DecimatedSeries other = h.layerSeries(0, LayerMetric::GradientNorm, 0, from, to, points);
    for (const DecimatedBucket& b : other.buckets) QVERIFY(b.max < 2.0 && b.min > 0.0);
  }

  void recentStepsAreExactInLongRuns() {
    // The latest steps of a per-layer series are kept raw even when older ones are blocks.
    const MetricHistory& h = *m_long;
    const std::int64_t last = h.lastStep(0);
    QVERIFY(h.layerResolutionAt(0, LayerMetric::GradientNorm, 0) > 1);
    QCOMPARE(h.layerResolutionAt(0, LayerMetric::GradientNorm, last - 100), 1);
    const DecimatedSeries d = h.layerSeries(0, LayerMetric::GradientNorm, 0, last - 99, last, 100);
    QCOMPARE(d.size(), std::size_t(100));
    QCOMPARE(d.resolution, 1);
    for (const DecimatedBucket& b : d.buckets) {
      QCOMPARE(b.step, b.lastStep);
      QCOMPARE(b.max, double(longLayer(LayerMetric::GradientNorm, b.step, 0)));
    }
  }

  void nanValuesAreSkipped() {
    MetricHistory h;
    const StepFn values = [](StepMetric m, std::int64_t s) {
      switch (m) {
        case StepMetric::Accuracy:
          return kNaN;  // regression
        case StepMetric::Momentum:
          return s % 2 == 0 ? double(s) : kNaN;  // every other step
        case StepMetric::Loss:
          return (s >= 2000 && s < 3000) ? kNaN : 1.0;
        default:
          return 0.0;
      }
    };
    const LayerFn layers = [](LayerMetric m, std::int64_t s, int) {
      if (m == LayerMetric::UpdateRatio) return s % 10 == 0 ? float(s) : kNaNf;  // stride 10
      return 1.0f;
    };
    appendSteps(h, 0, 0, 10000, 2, values, layers);

    QVERIFY(h.stepSeries(0, StepMetric::Accuracy, 0, INT64_MAX, 100).empty());

    // Means, minima and maxima over the measured (even) steps only, at several levels.
    for (int points : {10000, 500, 100, 3}) {
      const DecimatedSeries d = h.stepSeries(0, StepMetric::Momentum, 0, INT64_MAX, points);
      QVERIFY(!d.empty());
      for (const DecimatedBucket& b : d.buckets) {
        const std::int64_t lo = b.step % 2 == 0 ? b.step : b.step + 1;
        const std::int64_t hi = b.lastStep % 2 == 0 ? b.lastStep : b.lastStep - 1;
        QCOMPARE(b.min, double(lo));
        QCOMPARE(b.max, double(hi));
        QCOMPARE(b.mean, double(lo + hi) / 2.0);
      }
    }

    // Buckets with nothing measured are left out: about a tenth of them here.
    const DecimatedSeries loss = h.stepSeries(0, StepMetric::Loss, 0, INT64_MAX, 100);
    QVERIFY(loss.size() >= 85 && loss.size() <= 92);
    for (const DecimatedBucket& b : loss.buckets) {
      QVERIFY(b.step < 2000 || b.lastStep >= 3000);
      QCOMPARE(b.max, 1.0);
    }
    QVERIFY(h.stepSeries(0, StepMetric::Loss, 2000, 2999, 10).empty());

    // A stride metric averages its measured steps.
    const DecimatedSeries ratio = h.layerSeries(0, LayerMetric::UpdateRatio, 1, 0, INT64_MAX, 100);
    QCOMPARE(ratio.size(), std::size_t(100));
    for (const DecimatedBucket& b : ratio.buckets) {
      const std::int64_t lo = (b.step + 9) / 10 * 10;
      const std::int64_t hi = b.lastStep / 10 * 10;
      QCOMPARE(b.min, double(lo));
      QCOMPARE(b.max, double(hi));
      QCOMPARE(b.mean, double(lo + hi) / 2.0);
    }
  }

  void resetClearsTheRun() {
    MetricHistory h;
    const StepFn one = [](StepMetric, std::int64_t) { return 1.0; };
    const LayerFn layerOne = [](LayerMetric, std::int64_t, int) { return 1.0f; };
    appendSteps(h, 0, 1, 1000, 2, one, layerOne);
    Snapshot extra;
    extra.run = 0;
    extra.layerCount = 2;
    extra.epochs.push_back({});
    extra.events.push_back({500, EventKind::SettingChanged, "learning rate 0.1"});
    extra.histograms.push_back(histogramSample(10, 0));
    h.append(extra);
    const std::uint64_t before = h.revision(0);

    Snapshot reset = makeSnapshot(
        0, 1, 100, 3, [](StepMetric, std::int64_t) { return 2.0; },
        [](LayerMetric, std::int64_t, int) { return 2.0f; });
    reset.reset = true;
    reset.events.push_back({1, EventKind::Reset, "reset"});
    h.append(reset);
    QVERIFY(h.revision(0) != before);
    QCOMPARE(h.stepCount(0), 100);
    QCOMPARE(h.layerCount(0), 3);
    QCOMPARE(h.rawStepSeries(0, StepMetric::Loss, 0, INT64_MAX), std::vector<double>(100, 2.0));
    QCOMPARE(h.layerSeries(0, LayerMetric::Saturated, 2, 0, INT64_MAX, 10).buckets[0].max, 2.0);
    QVERIFY(h.epochs(0).empty());
    QCOMPARE(h.events(0).size(), std::size_t(1));
    QCOMPARE(h.events(0)[0].kind, EventKind::Reset);
    QVERIFY(h.latestHistograms(0) == nullptr);
  }

  void runsAreIndependent() {
    MetricHistory h;
    appendSteps(
        h, 0, 0, 1000, 1, [](StepMetric, std::int64_t) { return 1.0; },
        [](LayerMetric, std::int64_t, int) { return 1.0f; });
    appendSteps(
        h, 3, 100, 50, 2, [](StepMetric, std::int64_t) { return 3.0; },
        [](LayerMetric, std::int64_t, int) { return 3.0f; });
    QCOMPARE(h.runs(), (std::vector<int>{0, 3}));
    QCOMPARE(h.stepCount(0), 1000);
    QCOMPARE(h.stepCount(3), 50);
    QCOMPARE(h.firstStep(3), 100);
    QCOMPARE(h.layerCount(3), 2);
    QCOMPARE(h.stepSeries(0, StepMetric::Loss, 0, INT64_MAX, 5).buckets[0].max, 1.0);
    QCOMPARE(h.stepSeries(3, StepMetric::Loss, 0, INT64_MAX, 5).buckets[0].max, 3.0);

    h.clearRun(3);
    QVERIFY(!h.hasRun(3));
    QCOMPARE(h.runs(), std::vector<int>{0});
    QCOMPARE(h.stepCount(0), 1000);
    QCOMPARE(h.rawStepSeries(0, StepMetric::Loss, 0, INT64_MAX), std::vector<double>(1000, 1.0));
    h.clear();
    QVERIFY(h.runs().empty());
    QCOMPARE(h.bytes(), std::size_t(0));
  }

  void gapsAndRepeatedSteps() {
    MetricHistory h;
    const StepFn byStep = [](StepMetric, std::int64_t s) { return double(s); };
    const StepFn negative = [](StepMetric, std::int64_t s) { return -double(s); };
    const LayerFn layer = [](LayerMetric, std::int64_t s, int) { return float(s); };
    h.append(makeSnapshot(0, 1, 100, 1, byStep, layer));
    h.append(makeSnapshot(0, 51, 100, 1, negative, layer));  // 51..100 already stored
    QCOMPARE(h.stepCount(0), 150);
    const std::vector<double> raw = h.rawStepSeries(0, StepMetric::Loss, 0, INT64_MAX);
    QCOMPARE(raw[99], 100.0);
    QCOMPARE(raw[100], -101.0);

    h.append(makeSnapshot(0, 201, 50, 1, byStep, layer));  // 151..200 never measured
    QCOMPARE(h.stepCount(0), 250);
    QCOMPARE(h.lastStep(0), 250);
    QVERIFY(std::isnan(h.rawStepSeries(0, StepMetric::Loss, 175, 175).at(0)));
    QVERIFY(h.stepSeries(0, StepMetric::Loss, 151, 200, 10).empty());
    QVERIFY(h.layerSeries(0, LayerMetric::WeightNorm, 0, 151, 200, 10).empty());
    QCOMPARE(h.layerSeries(0, LayerMetric::WeightNorm, 0, 201, 201, 10).buckets[0].max, 201.0);
  }

  void histogramsAreThinned() {
    HistoryLimits limits;
    limits.histogramBytes = 64 << 10;
    limits.recentHistograms = 32;
    MetricHistory h(limits);
    constexpr int kLayers = 2;
    constexpr std::int64_t kStride = 10, kSteps = 100'000;
    for (std::int64_t first = 1; first <= kSteps; first += 500) {
      Snapshot s = makeSnapshot(
          0, first, 500, kLayers, [](StepMetric, std::int64_t) { return 1.0; },
          [](LayerMetric, std::int64_t, int) { return 1.0f; });
      for (std::int64_t step = first; step < first + 500; ++step)
        if (step % kStride == 0)
          for (int l = 0; l < kLayers; ++l) s.histograms.push_back(histogramSample(step, l));
      h.append(s);
    }
    const std::vector<std::int64_t> steps = h.histogramSteps(0);
    qInfo("%zu of %lld histogram frames kept", steps.size(), qlonglong(kSteps / kStride));
    QVERIFY(steps.size() >= 32);
    QVERIFY(steps.size() < 200);  // ~2 KB frames in a 64 KB budget
    // The first and the latest are kept; the latest 32 are all there; older ones are evenly
    // spaced.
    QCOMPARE(steps.front(), kStride);
    QCOMPARE(steps.back(), kSteps);
    for (std::size_t i = steps.size() - 31; i < steps.size(); ++i)
      QCOMPARE(steps[i] - steps[i - 1], kStride);
    const std::int64_t spacing = steps[1] - steps[0];
    QVERIFY(spacing > kStride);
    for (std::size_t i = 1; i + 32 < steps.size(); ++i) QCOMPARE(steps[i] - steps[i - 1], spacing);

    const HistogramFrame* latest = h.latestHistograms(0);
    QVERIFY(latest != nullptr);
    QCOMPARE(latest->step, kSteps);
    QCOMPARE(int(latest->layers.size()), kLayers);
    QCOMPARE(latest->layers[1].activation.counts[1], std::uint32_t(kSteps));

    // At or before: an exact hit, a step between two frames, a step before the first.
    QCOMPARE(h.histogramsAt(0, steps[3])->step, steps[3]);
    QCOMPARE(h.histogramsAt(0, steps[3] + 1)->step, steps[3]);
    QCOMPARE(h.histogramsAt(0, steps[4] - 1)->step, steps[3]);
    QCOMPARE(h.histogramsAt(0, kSteps + 1000)->step, kSteps);
    QVERIFY(h.histogramsAt(0, kStride - 1) == nullptr);
    QCOMPARE(h.histogramsAt(0, steps[5])->layers[0].activation.counts[0], std::uint32_t(steps[5]));
  }

  void epochsAndEventsAreKept() {
    MetricHistory h;
    for (int e = 0; e < 5; ++e) {
      Snapshot s = makeSnapshot(
          1, 1 + e * 100, 100, 1, [](StepMetric, std::int64_t) { return 1.0; },
          [](LayerMetric, std::int64_t, int) { return 1.0f; });
      EpochSample epoch;
      epoch.epoch = e;
      epoch.lastStep = (e + 1) * 100;
      epoch.valLoss = 1.0 / (e + 1);
      s.epochs.push_back(epoch);
      if (e == 2) s.events.push_back({250, EventKind::LearningRateReduced, "x0.5"});
      h.append(s);
    }
    Snapshot stateOnly;  // no steps: a pause, with an event
    stateOnly.run = 1;
    stateOnly.layerCount = 1;
    stateOnly.events.push_back({500, EventKind::EarlyStop, "no improvement"});
    h.append(stateOnly);

    QCOMPARE(h.stepCount(1), 500);
    QCOMPARE(h.epochs(1).size(), std::size_t(5));
    QCOMPARE(h.epochs(1)[3].epoch, 3);
    QCOMPARE(h.epochs(1)[3].valLoss, 0.25);
    QCOMPARE(h.events(1).size(), std::size_t(2));
    QCOMPARE(h.events(1)[0].step, 250);
    QCOMPARE(h.events(1)[1].kind, EventKind::EarlyStop);
    QVERIFY(h.epochs(2).empty());
    QVERIFY(h.events(2).empty());
  }

  void layerSeriesStayWithinBudget() {
    HistoryLimits limits;
    limits.layerSeriesBytes = 1 << 20;  // 1 MiB for 3 layers x 12 metrics
    limits.recentSteps = 1024;
    MetricHistory withLayers(limits);
    MetricHistory withoutLayers(limits);
    const StepFn loss = [](StepMetric, std::int64_t) { return 1.0; };
    const LayerFn byStep = [](LayerMetric, std::int64_t s, int l) { return float(s + l); };
    std::size_t layerBytes[2] = {};
    std::int64_t resolution[2] = {};
    for (int half = 0; half < 2; ++half) {
      appendSteps(withLayers, 0, half * 200'000, 200'000, 3, loss, byStep, 2000);
      appendSteps(withoutLayers, 0, half * 200'000, 200'000, 0, loss, byStep, 2000);
      layerBytes[half] = withLayers.bytes() - withoutLayers.bytes();
      resolution[half] = withLayers.layerResolutionAt(0, LayerMetric::WeightNorm, 0);
    }
    qInfo("layer series: %zu then %zu bytes, blocks of %lld then %lld steps", layerBytes[0],
          layerBytes[1], qlonglong(resolution[0]), qlonglong(resolution[1]));
    QVERIFY(layerBytes[0] <= limits.layerSeriesBytes);
    QVERIFY(layerBytes[1] <= limits.layerSeriesBytes);
    QCOMPARE(resolution[1], 2 * resolution[0]);  // twice the steps, blocks twice as wide

    // Old blocks keep exact means (step numbers are float-exact here), min and max.
    const DecimatedSeries d =
        withLayers.layerSeries(0, LayerMetric::WeightNorm, 2, 0, INT64_MAX, 50);
    QCOMPARE(d.size(), std::size_t(50));
    for (const DecimatedBucket& b : d.buckets) {
      QCOMPARE(b.min, double(b.step + 2));
      QCOMPARE(b.max, double(b.lastStep + 2));
      QCOMPARE(b.mean, double(b.step + b.lastStep) / 2.0 + 2.0);
    }
  }

  void heatmapCoversAllLayers() {
    MetricHistory h;
    constexpr int kLayers = 4;
    const LayerFn values = [](LayerMetric, std::int64_t s, int l) {
      return s == 777 && l == 2 ? 100.0f : float(l + 1);
    };
    appendSteps(
        h, 0, 0, 5000, kLayers, [](StepMetric, std::int64_t) { return 1.0; }, values);
    const LayerHeatmap mean =
        h.layerHeatmap(0, LayerMetric::GradientNorm, 0, INT64_MAX, 50, HeatmapReduction::Mean);
    const LayerHeatmap max =
        h.layerHeatmap(0, LayerMetric::GradientNorm, 0, INT64_MAX, 50, HeatmapReduction::Max);
    QCOMPARE(mean.layers, kLayers);
    QCOMPARE(mean.columns, 50);
    QCOMPARE(mean.values.size(), std::size_t(kLayers * 50));
    QCOMPARE(mean.columnSteps.size(), std::size_t(51));
    QCOMPARE(mean.columnSteps.front(), 0);
    QCOMPARE(mean.columnSteps.back(), 5000);
    int spikeColumn = 0;
    while (mean.columnSteps[std::size_t(spikeColumn + 1)] <= 777) ++spikeColumn;
    for (int l = 0; l < kLayers; ++l) {
      // The heatmap's columns are the layer series' buckets.
      const DecimatedSeries series =
          h.layerSeries(0, LayerMetric::GradientNorm, l, 0, INT64_MAX, 50);
      QCOMPARE(series.size(), std::size_t(50));
      for (int c = 0; c < 50; ++c) {
        QCOMPARE(mean.columnSteps[std::size_t(c)], series.buckets[std::size_t(c)].step);
        QCOMPARE(mean.at(l, c), float(series.buckets[std::size_t(c)].mean));
        const float expectedMax = (l == 2 && c == spikeColumn) ? 100.0f : float(l + 1);
        QCOMPARE(max.at(l, c), expectedMax);
      }
    }
    // Nothing beyond the run.
    QVERIFY(h.layerHeatmap(0, LayerMetric::GradientNorm, 6000, 7000, 10, HeatmapReduction::Mean)
                .values.empty());
  }

  void smoothedLossIsTheDebiasedMovingAverage() {
    MetricHistory h;
    const StepFn noisy = [](StepMetric m, std::int64_t s) {
      if (m == StepMetric::DataLoss) return 2.0;
      return s == 40 ? kNaN : 1.0 + 0.5 * std::sin(double(s) * 1.7);
    };
    appendSteps(h, 0, 0, 1000, 0, noisy, {});

    // A constant is its own debiased average from the first step on.
    const DecimatedSeries constant =
        h.smoothedStepSeries(0, StepMetric::DataLoss, 0.9, 0, INT64_MAX, 1000);
    QCOMPARE(constant.size(), std::size_t(1000));
    for (const DecimatedBucket& b : constant.buckets) QCOMPARE(float(b.mean), 2.0f);

    const auto reference = [&](double w, std::int64_t steps) {
      std::vector<double> out;
      double average = 0.0, weight = 1.0;
      for (std::int64_t s = 0; s < steps; ++s) {
        const double x = noisy(StepMetric::Loss, s);
        if (std::isnan(x)) {
          out.push_back(kNaN);
          continue;
        }
        average = w * average + (1.0 - w) * x;
        weight *= w;
        out.push_back(average / (1.0 - weight));
      }
      return out;
    };
    const auto verify = [&](double w, std::int64_t steps) {
      const std::vector<double> expected = reference(w, steps);
      const DecimatedSeries d = h.smoothedStepSeries(0, StepMetric::Loss, w, 0, INT64_MAX, 5000);
      QCOMPARE(qint64(d.size()), steps - 1);  // step 40 not measured
      for (const DecimatedBucket& b : d.buckets)
        QCOMPARE(float(b.mean), float(expected[std::size_t(b.step)]));
    };
    verify(0.6, 1000);
    verify(0.99, 1000);  // a new smoothing recomputes
    appendSteps(h, 0, 1000, 500, 0, noisy, {});
    verify(0.99, 1500);  // new steps extend it

    // No smoothing: the metric itself.
    QCOMPARE(h.smoothedStepSeries(0, StepMetric::Loss, 0.0, 0, 10, 11).buckets[3].mean,
             noisy(StepMetric::Loss, 3));
  }

  // Issue: the per-step history grew ~62 bytes per step without bound. With a budget of two
  // raw chunks and 64 blocks, a run 60 times longer than the raw window stays within the
  // budget, the recent steps stay exact, and the spike and dip of the thinned part survive as
  // block minimum and maximum, in charts and in what a session saves.
  void stepSeriesStayWithinBudget() {
    HistoryLimits limits;
    limits.recentStepsExact = 2 * 16384;
    limits.stepBlocks = 64;
    MetricHistory history(limits);
    constexpr std::int64_t kSpikeAt = 100'003;
    constexpr std::int64_t kDipAt = 700'001;
    const auto loss = [](StepMetric m, std::int64_t step) {
      if (m != StepMetric::Loss) return m == StepMetric::Accuracy ? kNaN : 0.5;
      if (step == kSpikeAt) return kSpike;
      if (step == kDipAt) return -kSpike;
      return 1.0 + 0.1 * std::sin(double(step) * 0.01);
    };
    const auto layer = [](LayerMetric, std::int64_t, int) { return 0.25f; };
    appendSteps(history, 0, 0, 1'000'000, 0, loss, layer, 5000);
    const std::size_t atMillion = history.bytes();
    appendSteps(history, 0, 1'000'000, 1'000'000, 0, loss, layer, 5000);
    QCOMPARE(history.stepCount(0), std::int64_t(2'000'000));
    // Bounded: the second million adds nothing but a pyramid level's bookkeeping (the raw
    // window, the blocks and their pyramids are fixed).
    QVERIFY2(history.bytes() <= atMillion + 4096,
             qPrintable(QString("%1 after %2").arg(history.bytes()).arg(atMillion)));
    // Per metric at most three chunks of 16,384 raw steps of 8 bytes, plus at most half as
    // much again for the pyramid over them (1/7, and vector slack) and the 64 blocks: the
    // budget, whatever the run's length.
    const std::size_t budget = std::size_t(kStepMetricCount) * 3 * 16384 * 8 * 3 / 2;
    QVERIFY2(history.bytes() < budget,
             qPrintable(QString("%1 of %2").arg(history.bytes()).arg(budget)));

    // The whole run decimated: the spike and the dip are its maximum and minimum.
    const DecimatedSeries all = history.stepSeries(0, StepMetric::Loss, 0, INT64_MAX, 200);
    double high = -INFINITY, low = INFINITY;
    for (const DecimatedBucket& b : all.buckets) {
      high = std::max(high, b.max);
      low = std::min(low, b.min);
    }
    QCOMPARE(high, kSpike);
    QCOMPARE(low, -kSpike);
    QVERIFY(int(all.buckets.size()) <= 200);
    // Zoomed into the thinned part around the spike: still there, at block resolution.
    const DecimatedSeries near =
        history.stepSeries(0, StepMetric::Loss, kSpikeAt - 5000, kSpikeAt + 5000, 50);
    QVERIFY(!near.buckets.empty());
    double nearHigh = -INFINITY;
    for (const DecimatedBucket& b : near.buckets) nearHigh = std::max(nearHigh, b.max);
    QCOMPARE(nearHigh, kSpike);
    QVERIFY(history.stepResolutionAt(0, kSpikeAt) > 1);
    QCOMPARE(history.stepResolutionAt(0, 1'999'999), std::int64_t(1));

    // The recent window is exact, step by step; thinned steps are "not kept".
    const std::vector<double> recent =
        history.rawStepSeries(0, StepMetric::Loss, 1'999'000, 1'999'999);
    QCOMPARE(int(recent.size()), 1000);
    for (std::int64_t i = 0; i < 1000; ++i)
      QCOMPARE(recent[std::size_t(i)], loss(StepMetric::Loss, 1'999'000 + i));
    QVERIFY(std::isnan(history.rawStepSeries(0, StepMetric::Loss, 10, 10)[0]));
    const DecimatedSeries exact = history.stepSeries(0, StepMetric::Loss, 1'999'990, 1'999'999, 10);
    QCOMPARE(int(exact.buckets.size()), 10);
    QCOMPARE(exact.buckets[3].max, loss(StepMetric::Loss, 1'999'993));

    // What a session saves keeps the spike and the dip as values of their blocks, and the
    // recent steps exactly.
    const std::vector<double> saved = history.savedStepSeries(0, StepMetric::Loss);
    QCOMPARE(std::int64_t(saved.size()), std::int64_t(2'000'000));
    QCOMPARE(*std::max_element(saved.begin(), saved.begin() + 1'000'000), kSpike);
    QCOMPARE(*std::min_element(saved.begin(), saved.begin() + 1'000'000), -kSpike);
    QCOMPARE(saved.back(), loss(StepMetric::Loss, 1'999'999));
  }
};

QTEST_GUILESS_MAIN(TestMetricHistory)
#include "tst_metric_history.moc"
