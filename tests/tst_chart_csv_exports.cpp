// The charts' "Chart data as CSV" exports against the saved session. Small runs train, the
// loss, learning-rate (used and planned), clipping and per-layer charts (gradient flow with its
// earlier refreshes, gradient norm and update ratio per layer with their ranges) are drawn from
// the live history and exported as the
// Export… dialog does (exportChartCsv on the chart's widget), the session is saved and read
// back, and every row of every exported series is compared with the session's own arrays: the
// header's names and order, each series' name, the axes it is drawn against (their titles carry
// the unit: accuracy in percent), every value exactly (17 digits) at the step or epoch it is
// drawn at, and every step (every epoch) of the session present once, in order: a run this
// short must be exported whole, not decimated. Cases: a classification run with validation
// and clipping, a regression run (sine data, mean squared error), a comparison of three runs
// (each run's lines against its own run in the session).
//
// A series this test does not know (or one exported under a made-up name) fails it.
#include <QtTest>

#include <QTemporaryDir>

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <memory>
#include <optional>

#include "app/data/configured_data.h"
#include "app/sessions/session_file.h"
#include "app/worker/session_runner.h"
#include "core/data/data_split.h"
#include "ui/charts/clipping_view.h"
#include "ui/charts/gradient_flow_view.h"
#include "ui/charts/gradient_norm_view.h"
#include "ui/charts/learning_rate_view.h"
#include "ui/charts/loss_view.h"
#include "ui/charts/update_ratio_view.h"
#include "ui/export/image_export.h"
#include "ui/panels/layer_selection.h"

using namespace gradscope;
using namespace gradscope::app;
using namespace gradscope::ui;

namespace {

const QSize kChartSize(1200, 600);  // wide enough for full names and a point per step

core::ExperimentConfig classification() {
  core::ExperimentConfig c;
  c.data.kind = core::DatasetKind::Blobs;
  c.data.classes = 3;
  c.data.samples = 120;
  c.split.validationFraction = 0.25;
  c.model.hiddenLayers = 2;
  c.model.width = 8;
  c.model.dropoutRate = 0.2;
  c.training.batchSize = 16;
  c.training.epochs = 20;
  c.training.clip = {core::ClipMode::GlobalNorm, 0.5};
  c.schedule.kind = core::ScheduleKind::OneCycle;
  c.schedule.totalSteps = 0;
  return c;
}

core::ExperimentConfig regression() {
  core::ExperimentConfig c;
  c.data.kind = core::DatasetKind::Sine;
  c.data.samples = 100;
  c.split.validationFraction = 0.0;
  c.model.hiddenLayers = 2;
  c.model.width = 8;
  c.training.batchSize = 10;
  c.training.epochs = 20;
  return c;
}

struct Row {
  double x = 0.0, y = 0.0;
  QString xAxis, yAxis;
};

// The CSV at `path` as rows per series, in file order; fails on a malformed file.
std::map<QString, std::vector<Row>> readChartCsv(const QString& path) {
  std::map<QString, std::vector<Row>> series;
  QFile file(path);
  if (!file.open(QIODevice::ReadOnly | QIODevice::Text)) {
    QTest::qFail(qPrintable("no file " + path), __FILE__, __LINE__);
    return series;
  }
  QStringList lines = QString::fromUtf8(file.readAll()).split('\n');
  if (!lines.isEmpty() && lines.back().isEmpty()) lines.removeLast();
  if (lines.isEmpty() || lines.front() != QStringLiteral("series,x,y,x axis,y axis")) {
    QTest::qFail(qPrintable("header: " + lines.value(0)), __FILE__, __LINE__);
    return series;
  }
  for (int i = 1; i < lines.size(); ++i) {
    const QStringList cells = lines[i].split(',');
    bool okX = false, okY = false;
    Row row;
    if (cells.size() == 5) {
      row = {cells[1].toDouble(&okX), cells[2].toDouble(&okY), cells[3], cells[4]};
    }
    if (!okX || !okY) {
      QTest::qFail(qPrintable(QStringLiteral("line %1: %2").arg(i + 1).arg(lines[i])), __FILE__,
                   __LINE__);
      return {};
    }
    series[cells[0]].push_back(row);
  }
  return series;
}

// What a series must hold: (x, value) pairs in order, from the session's arrays, and the titles
// of the axes it is drawn against (the y title says the unit: "%" means value * 100).
struct Expected {
  std::vector<std::pair<double, double>> points;
  QString xAxis = QStringLiteral("training step");
  QString yAxis;
  // 0: the double the chart holds, bit for bit. Values the chart averages (a gradient-flow bar
  // is the mean of the last steps) are compared to rounding: the chart sums in its own order.
  double relativeTolerance = 0.0;
};

Expected stepSeries(const RunHistory& h, StepMetric m, const QString& yAxis) {
  Expected e;
  e.yAxis = yAxis;
  const std::vector<double>& values = h.stepValues[std::size_t(m)];
  for (std::int64_t i = 0; i < h.steps; ++i) {
    const double v = values[std::size_t(i)];
    if (std::isfinite(v)) e.points.emplace_back(double(h.firstStep + i), v);
  }
  return e;
}

Expected epochSeries(const RunHistory& h, double EpochSample::*field, const QString& yAxis) {
  Expected e;
  e.yAxis = yAxis;
  for (const EpochSample& epoch : h.epochs) {
    if (std::isfinite(epoch.*field)) e.points.emplace_back(double(epoch.lastStep), epoch.*field);
  }
  return e;
}

// A per-layer series of the session: (step, value) at every step the layer was measured.
Expected layerSeries(const RunHistory& h, LayerMetric metric, int layer, const QString& yAxis) {
  Expected e;
  e.yAxis = yAxis;
  const std::vector<float>& values = h.layerValues[std::size_t(metric)];
  for (std::int64_t b = 0; b < h.blocks(); ++b) {
    const double v = values[std::size_t(b * h.layers + layer)];
    if (std::isfinite(v)) e.points.emplace_back(double(h.firstStep + b * h.layerStride), v);
  }
  return e;
}

// The plain mean of a layer's gradient norm over the session's steps [from, to].
double meanGradientNorm(const RunHistory& h, int layer, std::int64_t from, std::int64_t to) {
  double sum = 0.0;
  int count = 0;
  for (std::int64_t step = from; step <= to; ++step) {
    const double v = h.layerValues[std::size_t(LayerMetric::GradientNorm)]
                                  [std::size_t((step - h.firstStep) * h.layers + layer)];
    if (std::isfinite(v)) sum += v, ++count;
  }
  return count ? sum / count : std::nan("");
}

// Rows drawing one bar or ghost segment per layer, in layer order from `firstLayer` (counted
// from 1): two points each, centred on the layer's number, at `heights[i]` (to rounding: the
// chart averages in its own order).
void compareSegments(const QString& where, const std::vector<Row>& rows,
                     const std::vector<double>& heights, const QString& yAxis, int firstLayer = 1) {
  if (rows.size() != 2 * heights.size()) {
    QTest::qFail(qPrintable(QStringLiteral("%1: %2 rows for %3 layers")
                                .arg(where)
                                .arg(rows.size())
                                .arg(heights.size())),
                 __FILE__, __LINE__);
    return;
  }
  for (std::size_t l = 0; l < heights.size(); ++l) {
    const Row& a = rows[2 * l];
    const Row& b = rows[2 * l + 1];
    const double centre = (a.x + b.x) / 2.0;
    const bool ok = std::abs(centre - double(int(l) + firstLayer)) < 1e-12 && a.x < b.x &&
                    a.y == b.y && std::abs(a.y - heights[l]) <= 1e-12 * std::abs(heights[l]) &&
                    a.xAxis == QStringLiteral("layer (input → output)") && a.yAxis == yAxis;
    if (!ok) {
      QTest::qFail(qPrintable(QStringLiteral("%1, layer %2: (%3..%4, %5) on '%6' / '%7', "
                                             "session %8")
                                  .arg(where)
                                  .arg(int(l) + firstLayer)
                                  .arg(a.x)
                                  .arg(b.x)
                                  .arg(a.y, 0, 'g', 17)
                                  .arg(a.xAxis, a.yAxis)
                                  .arg(heights[l], 0, 'g', 17)),
                   __FILE__, __LINE__);
      return;
    }
  }
}

// Compares every exported series with `expected` (by name); every expected series must be there.
void compareSeries(const QString& chart, const std::map<QString, std::vector<Row>>& exported,
                   const std::map<QString, Expected>& expected) {
  for (const auto& [name, rows] : exported) {
    const auto it = expected.find(name);
    if (it == expected.end()) {
      QTest::qFail(qPrintable(chart + ": series '" + name + "' is exported but not checked"),
                   __FILE__, __LINE__);
      return;
    }
    const Expected& want = it->second;
    const double scale = want.yAxis.contains(QLatin1Char('%')) ? 100.0 : 1.0;
    const QString where = chart + " / " + name;
    if (rows.size() != want.points.size()) {
      QTest::qFail(qPrintable(QStringLiteral("%1: %2 rows for %3 values in the session")
                                  .arg(where)
                                  .arg(rows.size())
                                  .arg(want.points.size())),
                   __FILE__, __LINE__);
      return;
    }
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const Row& row = rows[i];
      const auto [x, value] = want.points[i];
      const double y = value * scale;
      // Written with 17 digits: the double the chart holds, bit for bit.
      const bool sameY = want.relativeTolerance == 0.0
                             ? row.y == y
                             : std::abs(row.y - y) <= want.relativeTolerance * std::abs(y);
      if (row.xAxis != want.xAxis || row.yAxis != want.yAxis || row.x != x || !sameY) {
        QTest::qFail(qPrintable(QStringLiteral("%1 row %2: (%3, %4) on '%5' / '%6', session "
                                               "(%7, %8) on '%9' / '%10'")
                                    .arg(where)
                                    .arg(i)
                                    .arg(row.x, 0, 'g', 17)
                                    .arg(row.y, 0, 'g', 17)
                                    .arg(row.xAxis, row.yAxis)
                                    .arg(x, 0, 'g', 17)
                                    .arg(y, 0, 'g', 17)
                                    .arg(want.xAxis, want.yAxis)),
                     __FILE__, __LINE__);
        return;
      }
    }
  }
  for (const auto& [name, want] : expected) {
    if (!want.points.empty() && !exported.count(name)) {
      QTest::qFail(qPrintable(chart + ": series '" + name + "' is missing"), __FILE__, __LINE__);
      return;
    }
  }
}

// Draws `view` from `history` (run `run`) at a size with room for every step, exports its chart
// as CSV as the Export… dialog does and returns the rows.
template <typename View>
std::map<QString, std::vector<Row>> drawAndExport(View& view, const MetricHistory& history, int run,
                                                  const QString& path) {
  view.resize(kChartSize);
  view.show();
  if (!QTest::qWaitForWindowExposed(&view)) {
    QTest::qFail("the chart is not shown", __FILE__, __LINE__);
    return {};
  }
  view.refresh(history, run);
  QString error;
  if (!exportChartCsv(&view, path, &error)) {
    QTest::qFail(qPrintable(error), __FILE__, __LINE__);
    return {};
  }
  return readChartCsv(path);
}

struct Trained {
  std::unique_ptr<SessionRunner> runner;
  std::shared_ptr<const RunTable> table;
  std::vector<int> liveIds;
  std::shared_ptr<const LearningRatePlan> plan;  // the newest plan the worker sent
  Session saved;                                 // as read back from the file
};

std::optional<Trained> trainAndSave(const QList<NamedConfig>& runs, qint64 steps,
                                    const QString& dir) {
  Trained t;
  t.runner = std::make_unique<SessionRunner>(runs.front().config);
  if (runs.size() > 1) t.runner->worker().setRuns(runs);
  t.runner->train(steps, [&](const Snapshot& s) {
    if (s.runTable) t.table = s.runTable;
  });
  t.plan = t.runner->learningRatePlan();
  const Session captured = t.runner->capture();
  for (const SessionRun& r : captured.runs) t.liveIds.push_back(r.liveId);
  const QString path = dir + QStringLiteral("/run.gradscope");
  QString error;
  if (!saveSessionFile(path, captured, &error)) {
    QTest::qFail(qPrintable(error), __FILE__, __LINE__);
    return std::nullopt;
  }
  std::optional<Session> saved = loadSessionFile(path, &error);
  if (!saved || int(saved->runs.size()) != runs.size()) {
    QTest::qFail(qPrintable("reading the session back: " + error), __FILE__, __LINE__);
    return std::nullopt;
  }
  for (const SessionRun& r : saved->runs) {
    if (!r.history || r.history->steps != steps || r.history->stepStride != 1) {
      QTest::qFail("the saved run has no history of every step", __FILE__, __LINE__);
      return std::nullopt;
    }
  }
  t.saved = std::move(*saved);
  return t;
}

// The loss, learning-rate and clipping charts of a single run against its saved history.
// Returns the names of the series the charts exported (so cases can check what they cover).
QStringList checkSingleRun(const core::ExperimentConfig& config, qint64 steps) {
  QTemporaryDir dir;
  std::optional<Trained> t = trainAndSave({NamedConfig{QString(), config}}, steps, dir.path());
  if (!t) return {};
  const RunHistory& h = *t->saved.runs.front().history;
  const int run = t->liveIds.front();
  QStringList names;
  auto note = [&](const std::map<QString, std::vector<Row>>& rows) {
    for (const auto& entry : rows) names << entry.first;
  };

  LossView loss;
  loss.setSmoothing(0.0);  // the training loss as measured, not its moving average
  loss.setAccuracyShown(true);
  const auto lossRows = drawAndExport(loss, t->runner->history(), run, dir.filePath("loss.csv"));
  if (QTest::currentTestFailed()) return {};
  compareSeries(
      QStringLiteral("Loss"), lossRows,
      {{QStringLiteral("training"), stepSeries(h, StepMetric::Loss, "loss")},
       {QStringLiteral("accuracy"),
        stepSeries(h, StepMetric::Accuracy, QStringLiteral("accuracy % (dashed)"))},
       {QStringLiteral("validation"), epochSeries(h, &EpochSample::valLoss, "loss")},
       {QStringLiteral("val. acc."),
        epochSeries(h, &EpochSample::valAccuracy, QStringLiteral("accuracy % (dashed)"))}});
  if (QTest::currentTestFailed()) return {};
  note(lossRows);

  LearningRateView rate;
  if (!t->plan) {
    QTest::qFail("the worker sent no learning-rate plan", __FILE__, __LINE__);
    return {};
  }
  Snapshot planned;
  planned.learningRatePlan = t->plan;
  rate.onSnapshot(planned);
  const auto rateRows = drawAndExport(rate, t->runner->history(), run, dir.filePath("lr.csv"));
  if (QTest::currentTestFailed()) return {};
  // The axis is linear or logarithmic as the rates span decades: its title says which.
  const QString rateAxis = rateRows.count("used") ? rateRows.at("used").front().yAxis : QString();
  if (rateAxis != QStringLiteral("learning rate") &&
      rateAxis != QStringLiteral("learning rate (log)")) {
    QTest::qFail(qPrintable("learning-rate axis: " + rateAxis), __FILE__, __LINE__);
    return {};
  }
  // The plan spans the planned epochs, every step of it (a run this short is not thinned), and
  // where the run has trained, the plan is the rate each step used.
  const Expected used = stepSeries(h, StepMetric::LearningRate, rateAxis);
  const core::ExperimentConfig& c = t->saved.runs.front().config;
  const std::int64_t trainRows =
      core::splitData(*configuredData(c.data), configuredSplit(c.data, c.split))
          .train.sampleCount();
  const std::int64_t batches = (trainRows + c.training.batchSize - 1) / c.training.batchSize;
  Expected plan;
  plan.yAxis = rateAxis;
  for (std::size_t i = 0; i < t->plan->rates.size(); ++i) {
    plan.points.emplace_back(double(t->plan->firstStep) + double(i), t->plan->rates[i]);
  }
  if (t->plan->stride != 1 || std::int64_t(plan.points.size()) != c.training.epochs * batches) {
    QTest::qFail(qPrintable(QStringLiteral("the plan has %1 points every %2 steps for %3 planned "
                                           "steps")
                                .arg(plan.points.size())
                                .arg(t->plan->stride)
                                .arg(c.training.epochs * batches)),
                 __FILE__, __LINE__);
    return {};
  }
  for (const auto& [step, value] : used.points) {
    const auto i = std::size_t(step - double(t->plan->firstStep));
    if (i >= plan.points.size() || plan.points[i].second != value) {
      QTest::qFail(
          qPrintable(
              QStringLiteral("planned rate at step %1 differs from the rate used").arg(step)),
          __FILE__, __LINE__);
      return {};
    }
  }
  compareSeries(QStringLiteral("Learning rate"), rateRows,
                {{QStringLiteral("used"), used}, {QStringLiteral("planned"), plan}});
  if (QTest::currentTestFailed()) return {};
  note(rateRows);

  ClippingView clipping;
  const auto clipRows =
      drawAndExport(clipping, t->runner->history(), run, dir.filePath("clipping.csv"));
  if (QTest::currentTestFailed()) return {};
  const QString normAxis = QStringLiteral("gradient L2 norm (log)");
  const Expected before = stepSeries(h, StepMetric::GradientNormBefore, normAxis);
  const Expected after = stepSeries(h, StepMetric::GradientNormAfter, normAxis);
  // Without clipping the chart has one line, simply "gradient norm", and no "after" series.
  const std::vector<double>& clippedFlags = h.stepValues[std::size_t(StepMetric::Clipped)];
  const bool clipped =
      std::any_of(clippedFlags.begin(), clippedFlags.end(), [](double c) { return c > 0.0; });
  std::map<QString, Expected> clippingSeries{
      {QStringLiteral("before clipping range (upper)"), before},
      {QStringLiteral("before clipping range (lower)"), before}};
  if (clipped) {
    clippingSeries[QStringLiteral("before clipping")] = before;
    clippingSeries[QStringLiteral("after clipping")] = after;
    clippingSeries[QStringLiteral("after clipping range (upper)")] = after;
    clippingSeries[QStringLiteral("after clipping range (lower)")] = after;
  } else {
    clippingSeries[QStringLiteral("gradient norm")] = before;
  }
  compareSeries(QStringLiteral("Clipping"), clipRows, clippingSeries);
  if (QTest::currentTestFailed()) return {};
  note(clipRows);
  return names;
}

}  // namespace

class TestChartCsvExports : public QObject {
  Q_OBJECT
 private slots:
  void classificationWithValidation() {
    const QStringList names = checkSingleRun(classification(), 60);
    if (QTest::currentTestFailed()) return;
    // The case exercises what it claims: validation per epoch, accuracy, clipping.
    for (const char* name : {"training", "accuracy", "validation", "val. acc.", "used",
                             "before clipping", "after clipping", "after clipping range (upper)"}) {
      QVERIFY2(names.contains(QLatin1String(name)), name);
    }
  }

  void regressionRun() {
    const QStringList names = checkSingleRun(regression(), 40);
    if (QTest::currentTestFailed()) return;
    for (const char* name : {"training", "used", "gradient norm"}) {
      QVERIFY2(names.contains(QLatin1String(name)), name);
    }
    QVERIFY(!names.contains(QStringLiteral("accuracy")));  // regression has none
    QVERIFY(!names.contains(QStringLiteral("validation")));
  }

  // The per-layer trend charts: each selected layer's line and its range band against the
  // layer's series in the session (one step per bucket at this size: line, minimum and maximum
  // are the step's value).
  void perLayerTrends() {
    QTemporaryDir dir;
    std::optional<Trained> t =
        trainAndSave({NamedConfig{QString(), classification()}}, 60, dir.path());
    if (!t) return;
    const RunHistory& h = *t->saved.runs.front().history;
    QCOMPARE(h.layerStride, std::int64_t(1));
    QVERIFY(h.layers >= 3);
    LayerSelection selection;
    GradientNormView norms(&selection);
    UpdateRatioView ratios(&selection);
    const std::vector<std::tuple<LayerTrendView*, LayerMetric, QString>> charts{
        {&norms, LayerMetric::GradientNorm, QStringLiteral("gradient L2 norm (log)")},
        {&ratios, LayerMetric::UpdateRatio, QStringLiteral("update ‖ΔW‖ / ‖W‖ (log)")}};
    for (const auto& [view, metric, yAxis] : charts) {
      const QString name = QString::fromLatin1(metricName(metric));
      const auto rows = drawAndExport(*view, t->runner->history(), t->liveIds.front(),
                                      dir.filePath(name + QStringLiteral(".csv")));
      if (QTest::currentTestFailed()) return;
      QCOMPARE(selection.layers().size(), 3);  // first, middle and last by default
      std::map<QString, Expected> expected;
      for (int layer : selection.layers()) {
        const Expected series = layerSeries(h, metric, layer, yAxis);
        // The gradient norm is measured every step; the update ratio on the probes' stride
        // steps only (an expensive probe), so at least once in a run this long.
        const std::size_t least = metric == LayerMetric::GradientNorm ? 60 : 1;
        QVERIFY2(series.points.size() >= least,
                 qPrintable(QStringLiteral("%1 of layer %2: %3 steps")
                                .arg(name)
                                .arg(layer + 1)
                                .arg(series.points.size())));
        const QString line = QStringLiteral("layer %1").arg(layer + 1);
        expected[line] = series;
        expected[line + QStringLiteral(" range (upper)")] = series;
        expected[line + QStringLiteral(" range (lower)")] = series;
      }
      compareSeries(name, rows, expected);
      if (QTest::currentTestFailed()) return;
    }
  }

  // The gradient-flow chart: each layer's bar is the mean gradient norm of its last
  // kWindowSteps steps, and the ghost of the earlier refresh is the bars it drew then.
  void gradientFlowBarsAndGhost() {
    QTemporaryDir dir;
    SessionRunner runner(classification());
    GradientFlowView flow;
    flow.resize(kChartSize);
    flow.show();
    QVERIFY(QTest::qWaitForWindowExposed(&flow));
    runner.train(30);
    Session captured = runner.capture();
    const int run = captured.runs.front().liveId;
    flow.refresh(runner.history(), run);
    runner.train(30);
    flow.refresh(runner.history(), run);
    const QString csv = dir.filePath(QStringLiteral("gradient_flow.csv"));
    QString error;
    QVERIFY2(exportChartCsv(&flow, csv, &error), qPrintable(error));
    const auto rows = readChartCsv(csv);
    if (QTest::currentTestFailed()) return;

    const QString path = dir.filePath(QStringLiteral("run.gradscope"));
    QVERIFY2(saveSessionFile(path, runner.capture(), &error), qPrintable(error));
    std::optional<Session> saved = loadSessionFile(path, &error);
    QVERIFY2(saved && saved->runs.front().history, qPrintable(error));
    const RunHistory& h = *saved->runs.front().history;
    QCOMPARE(h.steps, std::int64_t(60));
    const std::int64_t last = h.firstStep + h.steps - 1;
    const std::int64_t earlier = last - 30;
    std::vector<double> bars, ghost;
    for (int l = 0; l < h.layers; ++l) {
      bars.push_back(meanGradientNorm(h, l, last - GradientFlowView::kWindowSteps + 1, last));
      ghost.push_back(
          meanGradientNorm(h, l, earlier - GradientFlowView::kWindowSteps + 1, earlier));
    }
    const QString yAxis = QStringLiteral("gradient L2 norm (log)");
    int seen = 0;
    for (const auto& [name, series] : rows) {
      if (name == QStringLiteral("earlier refreshes") || name == QStringLiteral("earlier")) {
        compareSegments(name, series, ghost, yAxis);
        ++seen;
        continue;
      }
      bool known = false;
      for (int l = 0; l < h.layers && !known; ++l) {
        const QString bar = QStringLiteral("layer %1").arg(l + 1);
        if (name == bar + QStringLiteral(" (upper)")) {
          compareSegments(name, series, {bars[std::size_t(l)]}, yAxis, l + 1);
          known = true;
        } else if (name == bar + QStringLiteral(" (lower)")) {
          // The bar's foot: zero, drawn at the log axis' floor, below its top.
          QCOMPARE(series.size(), std::size_t(2));
          QCOMPARE(series[0].y, series[1].y);
          QVERIFY(series[0].y <= bars[std::size_t(l)]);
          known = true;
        }
      }
      QVERIFY2(known, qPrintable("series '" + name + "' is exported but not checked"));
      ++seen;
    }
    QCOMPARE(seen, 2 * h.layers + 1);  // every bar's two edges and one ghost
  }

  // The loss chart overlays the runs: each run's line (named after it) and its validation line
  // against that run's history in the session.
  void comparisonOfSeveralRuns() {
    core::ExperimentConfig adam = classification();
    adam.optimizer = core::OptimizerSettings::defaultsFor(core::OptimizerKind::Adam);
    adam.schedule = {};
    core::ExperimentConfig plain = classification();
    plain.training.clip = {};
    const QList<NamedConfig> runs{NamedConfig{QStringLiteral("one cycle"), classification()},
                                  NamedConfig{QStringLiteral("adam"), adam},
                                  NamedConfig{QStringLiteral("plain"), plain}};
    QTemporaryDir dir;
    std::optional<Trained> t = trainAndSave(runs, 30, dir.path());
    if (!t) return;
    QVERIFY(t->table && t->table->runs.size() == 3);
    LossView loss;
    loss.setSmoothing(0.0);
    loss.setRunTable(t->table);
    QVERIFY(loss.comparing());
    const auto rows = drawAndExport(loss, t->runner->history(), t->liveIds.front(),
                                    dir.filePath("comparison.csv"));
    if (QTest::currentTestFailed()) return;
    std::map<QString, Expected> expected;
    for (int r = 0; r < runs.size(); ++r) {
      const SessionRun& saved = t->saved.runs[std::size_t(r)];
      QCOMPARE(saved.label, runs[r].name);
      const RunHistory& h = *saved.history;
      expected[saved.label] = stepSeries(h, StepMetric::Loss, QStringLiteral("loss"));
      expected[saved.label + QStringLiteral(" validation")] =
          epochSeries(h, &EpochSample::valLoss, QStringLiteral("loss"));
    }
    compareSeries(QStringLiteral("Loss (comparison)"), rows, expected);
    if (QTest::currentTestFailed()) return;
    for (const auto& [name, want] : expected) QVERIFY2(rows.count(name), qPrintable(name));
  }
};

QTEST_MAIN(TestChartCsvExports)
#include "tst_chart_csv_exports.moc"
