// Every exported column against the saved session. A run trains, is saved and read back; its
// metrics.csv (written from the live history, and from the history of the saved session
// opened again, as `gradscope export` does) is parsed and every column compared with the
// session's history: its name and place, one row per saved step, each value (exactly for the
// columns written with 17 digits, as the float the history keeps for the others), an empty
// cell exactly where the session has no value, and the unit (fractions, not percentages; 0/1
// flags; the learning rate as used). Cases: a classification run with validation, clipping
// and a 1cycle schedule (so that momentum and clipped are not constant); a regression run; a
// comparison of three runs, each run's file against its own run in the session.
//
// A column this test does not know fails it: a new column must come with its check.
#include <QtTest>

#include <QTemporaryDir>

#include <cmath>
#include <functional>
#include <map>

#include "app/history/history_csv.h"
#include "app/sessions/session_file.h"
#include "app/worker/session_runner.h"

using namespace gradscope;
using namespace gradscope::app;

namespace {

core::ExperimentConfig classification() {
  core::ExperimentConfig c;
  c.data.kind = core::DatasetKind::Blobs;
  c.data.classes = 3;
  c.data.samples = 120;
  c.split.validationFraction = 0.25;
  c.model.hiddenLayers = 2;
  c.model.width = 8;
  c.model.dropoutRate = 0.2;
  c.model.batchNorm = core::BatchNormPlacement::BeforeActivation;
  c.model.l2 = 1e-3;  // loss and data_loss differ
  c.training.batchSize = 16;
  c.training.epochs = 20;
  c.training.clip = {core::ClipMode::GlobalNorm, 0.5};
  c.schedule.kind = core::ScheduleKind::OneCycle;
  c.schedule.totalSteps = 0;  // spans the run
  c.schedule.cycleMomentum = true;
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

QStringList readLines(const QString& path) {
  QFile file(path);
  if (!file.open(QIODevice::ReadOnly | QIODevice::Text)) return {};
  QStringList lines = QString::fromUtf8(file.readAll()).split('\n');
  if (!lines.isEmpty() && lines.back().isEmpty()) lines.removeLast();
  return lines;
}

// What each column must hold at row i of a run's saved history: its value, whether it is
// written exactly (17 digits) or as a float, and the range its unit allows.
struct Column {
  std::function<double(const RunHistory&, std::int64_t)> value;
  bool exact = false;
  double low = -INFINITY, high = INFINITY;
};

double stepValue(const RunHistory& h, StepMetric m, std::int64_t i) {
  return h.stepValues[std::size_t(m)][std::size_t(i)];
}

const std::map<QString, Column>& knownColumns() {
  static const std::map<QString, Column> columns = [] {
    std::map<QString, Column> c;
    auto metric = [](StepMetric m) {
      return [m](const RunHistory& h, std::int64_t i) { return stepValue(h, m, i); };
    };
    c["step"] = {[](const RunHistory& h, std::int64_t i) { return double(h.firstStep + i); }, true,
                 0.0};
    // Counted from 1: one more than the number of epochs that ended before this step.
    c["epoch"] = {[](const RunHistory& h, std::int64_t i) {
                    int ended = 0;
                    for (const EpochSample& e : h.epochs) ended += e.lastStep < h.firstStep + i;
                    return double(ended + 1);
                  },
                  true, 1.0};
    c["loss"] = {metric(StepMetric::Loss), true, 0.0};
    c["data_loss"] = {metric(StepMetric::DataLoss), true, 0.0};
    c["accuracy"] = {metric(StepMetric::Accuracy), false, 0.0, 1.0};  // a fraction
    c["learning_rate"] = {metric(StepMetric::LearningRate), true, 0.0, 10.0};
    c["momentum"] = {metric(StepMetric::Momentum), false, 0.0, 1.0};
    c["gradient_norm_before_clip"] = {metric(StepMetric::GradientNormBefore), false, 0.0};
    c["gradient_norm_after_clip"] = {metric(StepMetric::GradientNormAfter), false, 0.0};
    c["clipped"] = {metric(StepMetric::Clipped), false, 0.0, 1.0};
    // Validation: the epoch's value on the epoch's last step, nothing on the other steps.
    auto atEpochEnd = [](double EpochSample::*field) {
      return [field](const RunHistory& h, std::int64_t i) {
        for (const EpochSample& e : h.epochs) {
          if (e.lastStep == h.firstStep + i) return e.*field;
        }
        return std::nan("");
      };
    };
    c["val_loss"] = {atEpochEnd(&EpochSample::valLoss), true, 0.0};
    c["val_accuracy"] = {atEpochEnd(&EpochSample::valAccuracy), false, 0.0, 1.0};
    // The sharpness: its estimates on their steps, nothing on the other steps.
    auto atEstimate = [](double SharpnessSample::*field) {
      return [field](const RunHistory& h, std::int64_t i) {
        for (const SharpnessSample& s : h.sharpness) {
          if (s.step == h.firstStep + i) return s.*field;
        }
        return std::nan("");
      };
    };
    c["sharpness"] = {atEstimate(&SharpnessSample::lambdaMax), true};
    c["stability_threshold"] = {atEstimate(&SharpnessSample::threshold), true, 0.0};
    return c;
  }();
  return columns;
}

// The unit a per-layer quantity allows: fractions for the saturated and inactive shares,
// non-negative norms, spreads, counts and ratios, any sign for means and optimiser state.
Column layerColumn(int layer, LayerMetric m) {
  Column column;
  column.value = [layer, m](const RunHistory& h, std::int64_t i) {
    // The saved history keeps one value per block of layerStride steps, block-major.
    const std::size_t at = std::size_t((i / h.layerStride) * h.layers + layer);
    const std::vector<float>& values = h.layerValues[std::size_t(m)];
    return at < values.size() ? double(values[at]) : std::nan("");
  };
  switch (m) {
    case LayerMetric::Saturated:
    case LayerMetric::Inactive:
      column.low = 0.0;
      column.high = 1.0;
      break;
    case LayerMetric::GradientNorm:
    case LayerMetric::ActivationStd:
    case LayerMetric::PreActivationStd:
    case LayerMetric::DeadUnits:
    case LayerMetric::DeadUnitsEpoch:
    case LayerMetric::WeightNorm:
    case LayerMetric::UpdateRatio:
      column.low = 0.0;
      break;
    default:
      break;
  }
  return column;
}

// The columns of a file for a network of `layers` measured layers, in order, each with its
// check: the step columns, then layer1_gradient_norm, layer1_activation_mean, ...
std::vector<std::pair<QString, Column>> expectedColumns(int layers) {
  static const char* const stepColumns[] = {"step",
                                            "epoch",
                                            "loss",
                                            "data_loss",
                                            "accuracy",
                                            "learning_rate",
                                            "momentum",
                                            "gradient_norm_before_clip",
                                            "gradient_norm_after_clip",
                                            "clipped",
                                            "val_loss",
                                            "val_accuracy"};
  std::vector<std::pair<QString, Column>> columns;
  for (const char* name : stepColumns) columns.emplace_back(name, knownColumns().at(name));
  for (int l = 0; l < layers; ++l) {
    for (int m = 0; m < kLayerMetricCount; ++m) {
      columns.emplace_back(
          QStringLiteral("layer%1_%2").arg(l + 1).arg(QLatin1String(metricName(LayerMetric(m)))),
          layerColumn(l, LayerMetric(m)));
    }
  }
  for (const char* name : {"sharpness", "stability_threshold"})
    columns.emplace_back(name, knownColumns().at(name));
  return columns;
}

// Compares the CSV at `path` with `history`, column by column. Returns how many cells held a
// value, per column (so that the caller can check the case exercised what it claims).
std::map<QString, int> compareWithSession(const QString& path, const RunHistory& history) {
  std::map<QString, int> filled;
  const QStringList lines = readLines(path);
  if (lines.isEmpty()) {
    QTest::qFail(qPrintable("no file " + path), __FILE__, __LINE__);
    return filled;
  }
  const QStringList header = lines.front().split(',');
  // Names and order: every column this test knows, in its place, and no other.
  const std::vector<std::pair<QString, Column>> expected = expectedColumns(history.layers);
  if (history.layers <= 0) {
    QTest::qFail("the saved history has no measured layers", __FILE__, __LINE__);
    return filled;
  }
  for (int c = 0; c < header.size(); ++c) {
    if (c >= int(expected.size()) || header[c] != expected[std::size_t(c)].first) {
      QTest::qFail(qPrintable("column " + header[c] + " is exported but not checked here"),
                   __FILE__, __LINE__);
      return filled;
    }
  }
  if (header.size() != int(expected.size())) {
    QTest::qFail(
        qPrintable(
            QStringLiteral("%1 columns, %2 expected").arg(header.size()).arg(expected.size())),
        __FILE__, __LINE__);
    return filled;
  }
  if (lines.size() - 1 != history.steps) {
    QTest::qFail(
        qPrintable(
            QStringLiteral("%1 rows for %2 saved steps").arg(lines.size() - 1).arg(history.steps)),
        __FILE__, __LINE__);
    return filled;
  }
  for (std::int64_t i = 0; i < history.steps; ++i) {
    const QStringList cells = lines[int(i) + 1].split(',');
    if (cells.size() != header.size()) {
      QTest::qFail(qPrintable(QStringLiteral("row %1 has %2 cells").arg(i).arg(cells.size())),
                   __FILE__, __LINE__);
      return filled;
    }
    for (int c = 0; c < header.size(); ++c) {
      const Column& column = expected[std::size_t(c)].second;
      const double want = column.value(history, i);
      const QString where = QStringLiteral("row %1 column %2: '%3' vs %4")
                                .arg(i)
                                .arg(header[c], cells[c])
                                .arg(want, 0, 'g', 17);
      if (cells[c].isEmpty()) {
        if (!std::isnan(want)) QTest::qFail(qPrintable(where), __FILE__, __LINE__);
        if (!std::isnan(want)) return filled;
        continue;
      }
      bool ok = false;
      const double got = cells[c].toDouble(&ok);
      const bool same = ok && (column.exact ? got == want : float(got) == float(want));
      const bool inUnit = got >= column.low && got <= column.high;
      if (!same || !inUnit) {
        QTest::qFail(qPrintable(where), __FILE__, __LINE__);
        return filled;
      }
      ++filled[header[c]];
    }
  }
  return filled;
}

// Trains `runs` side by side, saves the session, reads it back; for every run writes
// metrics.csv from the live history and from the reopened session and compares both with the
// saved history. Returns the filled-cell counts of the last run's file.
std::map<QString, int> exportAndCompare(const QList<NamedConfig>& runs, qint64 steps) {
  std::map<QString, int> filled;
  QTemporaryDir dir;
  SessionRunner runner(runs.front().config);
  if (runs.size() > 1) runner.worker().setRuns(runs);
  runner.train(steps);
  const QString path = dir.filePath("run.gradscope");
  QString error;
  if (!saveSessionFile(path, runner.capture(), &error)) {
    QTest::qFail(qPrintable(error), __FILE__, __LINE__);
    return filled;
  }
  const std::optional<Session> saved = loadSessionFile(path, &error);
  if (!saved || int(saved->runs.size()) != runs.size()) {
    QTest::qFail(qPrintable("reading the session back: " + error), __FILE__, __LINE__);
    return filled;
  }
  SessionRunner reopened;
  if (!reopened.open(std::make_shared<const Session>(*saved), dir.path(), &error)) {
    QTest::qFail(qPrintable("opening the session: " + error), __FILE__, __LINE__);
    return filled;
  }
  for (int r = 0; r < runs.size(); ++r) {
    const SessionRun& run = saved->runs[std::size_t(r)];
    if (!run.history || run.history->steps != steps) {
      QTest::qFail("the saved run has no history of every step", __FILE__, __LINE__);
      return filled;
    }
    const QString live = dir.filePath(QStringLiteral("live%1.csv").arg(r));
    const QString exported = dir.filePath(QStringLiteral("metrics%1.csv").arg(r));
    // The live run's id may differ from its place; the reopened session numbers runs 0, 1, ...
    if (!writeHistoryCsv(runner.history(), runner.capture().runs[std::size_t(r)].liveId, live) ||
        !writeHistoryCsv(reopened.history(), r, exported)) {
      QTest::qFail("writing metrics.csv", __FILE__, __LINE__);
      return filled;
    }
    compareWithSession(live, *run.history);
    if (QTest::currentTestFailed()) return filled;
    filled = compareWithSession(exported, *run.history);
    if (QTest::currentTestFailed()) return filled;
  }
  return filled;
}

}  // namespace

class TestExportColumns : public QObject {
  Q_OBJECT
 private slots:
  void classificationWithValidation() {
    const auto filled = exportAndCompare({NamedConfig{QString(), classification()}}, 60);
    if (QTest::currentTestFailed()) return;
    // The case exercises every column: accuracy and momentum are measured, clipping both
    // happened and did not; validation is filled on the epochs' last steps only; every
    // quantity every activation has is measured at every step on the first layer.
    for (const auto& [name, column] : knownColumns()) {
      // The sharpness is estimated only while its chart is shown (none here): its columns are
      // checked empty against the session; tst_sharpness_estimation fills them.
      if (name.startsWith("val_") || name == "sharpness" || name == "stability_threshold") continue;
      QVERIFY2(filled.count(name) && filled.at(name) == 60, qPrintable(name));
    }
    QVERIFY(filled.count("val_loss") && filled.at("val_loss") > 1 && filled.at("val_loss") < 60);
    QCOMPARE(filled.at("val_accuracy"), filled.at("val_loss"));
    for (LayerMetric m :
         {LayerMetric::GradientNorm, LayerMetric::ActivationMean, LayerMetric::ActivationStd,
          LayerMetric::PreActivationMean, LayerMetric::PreActivationStd}) {
      const QString name = QStringLiteral("layer1_") + metricName(m);
      QVERIFY2(filled.count(name) && filled.at(name) == 60, qPrintable(name));
    }
  }

  void regressionRun() {
    const auto filled = exportAndCompare({NamedConfig{QString(), regression()}}, 40);
    if (QTest::currentTestFailed()) return;
    QCOMPARE(filled.count("accuracy"), std::size_t(0));  // empty for regression
    QCOMPARE(filled.count("momentum"), std::size_t(0));  // no planned momentum
    QCOMPARE(filled.at("loss"), 40);
    QCOMPARE(filled.count("val_loss"), std::size_t(0));  // no validation split
    QCOMPARE(filled.at("layer1_gradient_norm"), 40);
  }

  void comparisonOfSeveralRuns() {
    core::ExperimentConfig adam = classification();
    adam.optimizer = core::OptimizerSettings::defaultsFor(core::OptimizerKind::Adam);
    adam.schedule = {};
    core::ExperimentConfig plain = classification();
    plain.training.clip = {};
    plain.model.l2 = 0.0;
    exportAndCompare(
        {NamedConfig{QStringLiteral("one cycle"), classification()},
         NamedConfig{QStringLiteral("adam"), adam}, NamedConfig{QStringLiteral("plain"), plain}},
        30);
  }
};

QTEST_GUILESS_MAIN(TestExportColumns)
#include "tst_export_columns.moc"
