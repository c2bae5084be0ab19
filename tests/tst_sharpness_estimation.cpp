// The sharpness in the app: the worker estimates it only while the chart is shown (nothing
// while hidden), on the steps the "every k steps" setting names, with the optimiser's
// threshold; the history keeps every estimate with its step and the metric CSV exports them.
#include <QtTest>

#include <QTemporaryDir>

#include <cmath>

#include "app/history/history_csv.h"
#include "app/history/metric_history.h"
#include "app/worker/training_controller.h"

using namespace gradscope;
using namespace gradscope::app;

namespace {

core::ExperimentConfig smallConfig() {
  core::ExperimentConfig c;
  c.data.kind = core::DatasetKind::Circle;
  c.data.samples = 200;
  c.model.hiddenLayers = 2;
  c.model.width = 8;
  c.training.batchSize = 16;
  c.training.epochs = core::kMaxEpochs;
  return c;
}

struct Recorder {
  MetricHistory history;
  std::int64_t currentStep = 0;
  int acknowledged = 0;
  explicit Recorder(TrainingController& c) {
    QObject::connect(&c, &TrainingController::snapshotReady, &c, [this](const SnapshotPtr& s) {
      history.append(*s);
      currentStep = s->currentStep;
    });
    QObject::connect(&c, &TrainingController::configApplied, &c,
                     [this](const core::ExperimentConfig&, const QStringList&) { ++acknowledged; });
  }
};

void stepTo(TrainingController& c, Recorder& r, std::int64_t steps) {
  while (r.currentStep < steps) {
    const std::int64_t before = r.currentStep;
    c.stepBatch();
    QTRY_VERIFY(r.currentStep > before);
  }
}

}  // namespace

class TestSharpnessEstimation : public QObject {
  Q_OBJECT
 private slots:
  void onlyWhileShownEveryKSteps() {
    const core::ExperimentConfig config = smallConfig();
    TrainingController controller(config);
    Recorder r(controller);
    QTRY_COMPARE(r.acknowledged, 1);
    stepTo(controller, r, 20);
    QVERIFY(r.history.sharpness(0).empty());  // hidden: not a single estimate

    controller.setSharpnessEstimation(true, 5);
    stepTo(controller, r, 60);
    const std::vector<SharpnessSample> shown = r.history.sharpness(0);
    QVERIFY(!shown.empty());
    const double threshold =
        (2.0 + 2.0 * config.optimizer.momentum) / config.optimizer.learningRate;
    for (const SharpnessSample& s : shown) {
      QVERIFY(s.step >= 20 && s.step < 60);
      QCOMPARE(s.step % 5, std::int64_t(0));
      QVERIFY(std::isfinite(s.lambdaMax) && s.lambdaMax > 0.0);
      QVERIFY(std::abs(s.threshold - threshold) < 1e-9 * threshold);
      QCOMPARE(s.formula, QStringLiteral("(2+2β)/η"));
    }
    qInfo("%zu estimates over steps 20-59, first lambda_max %.3g (threshold %.3g)", shown.size(),
          shown.front().lambdaMax, shown.front().threshold);

    controller.setSharpnessEstimation(false, 5);
    stepTo(controller, r, 100);
    QCOMPARE(r.history.sharpness(0).size(), shown.size());  // hidden again: none

    // The metric CSV carries them on their steps.
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("metrics.csv"));
    QVERIFY(writeHistoryCsv(r.history, 0, path));
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = file.readAll().split('\n');
    QVERIFY(lines.front().endsWith(",sharpness,stability_threshold"));
    const QList<QByteArray> row = lines[qsizetype(shown.front().step + 1)].split(',');
    QCOMPARE(row.front().toLongLong(), shown.front().step);
    QCOMPARE(row[row.size() - 2].toDouble(), shown.front().lambdaMax);
    QCOMPARE(row[row.size() - 1].toDouble(), shown.front().threshold);
    const QList<QByteArray> other = lines[qsizetype(shown.front().step + 2)].split(',');
    QVERIFY(other[other.size() - 2].isEmpty());
  }
};

QTEST_GUILESS_MAIN(TestSharpnessEstimation)
#include "tst_sharpness_estimation.moc"
