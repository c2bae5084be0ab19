// The charts' "Chart data as CSV" exports against the saved session. Small runs train, the
// loss, learning-rate and clipping charts are drawn from the live history and exported as the
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

#include "app/sessions/session_file.h"
#include "app/worker/session_runner.h"
#include "ui/charts/clipping_view.h"
#include "ui/charts/learning_rate_view.h"
#include "ui/charts/loss_view.h"
#include "ui/export/image_export.h"

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
      const bool sameY = row.y == y;
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
  Session saved;  // as read back from the file
};

std::optional<Trained> trainAndSave(const QList<NamedConfig>& runs, qint64 steps,
                                    const QString& dir) {
  Trained t;
  t.runner = std::make_unique<SessionRunner>(runs.front().config);
  if (runs.size() > 1) t.runner->worker().setRuns(runs);
  t.runner->train(steps, [&](const Snapshot& s) {
    if (s.runTable) t.table = s.runTable;
  });
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
  const auto rateRows = drawAndExport(rate, t->runner->history(), run, dir.filePath("lr.csv"));
  if (QTest::currentTestFailed()) return {};
  // The axis is linear or logarithmic as the rates span decades: its title says which.
  const QString rateAxis = rateRows.count("used") ? rateRows.at("used").front().yAxis : QString();
  if (rateAxis != QStringLiteral("learning rate") &&
      rateAxis != QStringLiteral("learning rate (log)")) {
    QTest::qFail(qPrintable("learning-rate axis: " + rateAxis), __FILE__, __LINE__);
    return {};
  }
  compareSeries(QStringLiteral("Learning rate"), rateRows,
                {{QStringLiteral("used"), stepSeries(h, StepMetric::LearningRate, rateAxis)}});
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
