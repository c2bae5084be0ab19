// The presets of the lecture's "configurations in practice" table: each sets what the table
// says through the settings schema, keeps the data and the network's size, and gives a valid
// experiment on every built-in data set; the default experiment learns the spirals quickly.
#include <QtTest>

#include "app/scenarios/default_experiment.h"
#include "app/sessions/config_file.h"
#include "app/worker/training_run.h"
#include "core/model/settings_schema.h"
#include "ui/window/presets.h"

using namespace gradscope;
using namespace gradscope::ui;

namespace {
std::string text(const core::ExperimentConfig& config, const char* key) {
  core::ExperimentConfig copy = config;
  return core::formatSettingValue(core::getSetting(copy, key));
}
}  // namespace

class TestPresets : public QObject {
  Q_OBJECT
 private slots:
  void listsThePresets() {
    QStringList names;
    for (const Preset& p : presets()) {
      names << p.name;
      QVERIFY(!p.description.isEmpty());
    }
    QCOMPARE(names, (QStringList{"Default experiment", "Dense default", "Self-normalising"}));
  }

  void defaultExperiment() {
    const core::ExperimentConfig c = defaultPreset(core::ExperimentConfig{});
    QCOMPARE(text(c, "data.dataset"), std::string("spirals"));
    QCOMPARE(text(c, "model.activation"), std::string("tanh"));
    QCOMPARE(text(c, "optimizer.type"), std::string("momentum"));
    QCOMPARE(c.optimizer.momentum, 0.9);
    QVERIFY(c.model.hiddenLayers >= 3);
    core::validate(c);
  }

  void denseDefault_data() {
    QTest::addColumn<int>("depth");
    QTest::addColumn<QString>("batchNorm");
    QTest::newRow("shallow") << 4 << "none";
    QTest::newRow("five") << 5 << "none";
    QTest::newRow("deep") << 20 << "after_activation";
  }
  void denseDefault() {
    QFETCH(int, depth);
    QFETCH(QString, batchNorm);
    core::ExperimentConfig base = app::defaultExperiment();
    base.model.hiddenLayers = depth;
    base.model.width = 24;
    const core::ExperimentConfig c = ui::denseDefault(base);
    QCOMPARE(text(c, "model.initializer"), std::string("he_normal"));
    QCOMPARE(text(c, "model.activation"), std::string("elu"));
    QCOMPARE(QString::fromStdString(text(c, "model.batch_norm")), batchNorm);
    QVERIFY(c.training.earlyStopping.has_value());
    QCOMPARE(text(c, "early_stopping.monitor"), std::string("val_loss"));
    QCOMPARE(c.training.earlyStopping->patience, 10);
    QVERIFY(c.training.earlyStopping->restoreBestWeights);
    QVERIFY(c.split.validationFraction > 0.0);  // val_loss needs a validation set
    QCOMPARE(text(c, "optimizer.type"), std::string("nadam"));
    QCOMPARE(text(c, "schedule.type"), std::string("one_cycle"));
    QCOMPARE(c.schedule.totalSteps, plannedSteps(c));
    // The data and the network's size are kept.
    QCOMPARE(c.data, base.data);
    QCOMPARE(c.model.hiddenLayers, depth);
    QCOMPARE(c.model.width, core::Index(24));
    core::validate(c);
  }

  void selfNormalising() {
    core::ExperimentConfig base = app::defaultExperiment();
    base.model.batchNorm = core::BatchNormPlacement::BeforeActivation;
    base.split.standardize = false;
    const core::ExperimentConfig c = ui::selfNormalising(base);
    QCOMPARE(text(c, "model.initializer"), std::string("lecun_normal"));
    QCOMPARE(text(c, "model.activation"), std::string("selu"));
    QCOMPARE(text(c, "model.batch_norm"), std::string("none"));
    QVERIFY(c.model.alphaDropout);
    QVERIFY(c.model.dropoutRate >= 0.0 && c.model.dropoutRate <= 0.1);
    QVERIFY(c.split.standardize);
    QCOMPARE(text(c, "schedule.type"), std::string("one_cycle"));
    core::validate(c);
  }

  void presetsSuitEveryDataSet_data() {
    QTest::addColumn<QString>("dataset");
    for (const char* name :
         {"circle", "xor", "blobs", "spirals", "moons", "sine", "plane", "teacher"}) {
      QTest::newRow(name) << name;
    }
  }
  void presetsSuitEveryDataSet() {
    QFETCH(QString, dataset);
    core::ExperimentConfig base = app::defaultExperiment();
    core::setSetting(base, "data.dataset", dataset.toStdString());
    for (const Preset& p : presets()) {
      const core::ExperimentConfig c = p.make(base);
      core::validate(c);
      // Runs, and round-trips through a configuration file.
      auto run = app::TrainingRun::create(c);
      for (int i = 0; i < 3; ++i) QVERIFY(run->step().record.finite);
      QVERIFY(app::configFromJson(app::configToJson(c)) == c);
    }
  }

  void plannedStepsCountsBatches() {
    core::ExperimentConfig c;
    c.data.samples = 600;
    c.split.validationFraction = 0.2;  // 480 training samples
    c.training.batchSize = 32;         // 15 steps per epoch
    c.training.epochs = 10;
    QCOMPARE(plannedSteps(c), std::int64_t(150));
    c.training.batchSize = 100;  // 5 steps (the last one of 80)
    QCOMPARE(plannedSteps(c), std::int64_t(50));
  }

  // Pressing Play shows learning at once: the spirals are mostly separated within 2000
  // steps (a few seconds at the dashboard's full speed).
  void defaultExperimentLearnsQuickly() {
    auto run = app::TrainingRun::create(app::defaultExperiment());
    double first = 0.0;
    for (int i = 0; i < 2000; ++i) {
      const auto& probe = run->step();
      QVERIFY(probe.record.finite);
      if (i == 0) first = probe.record.loss.total();
    }
    QVERIFY(run->lastEpoch().has_value());
    QVERIFY2(run->lastEpoch()->loss < 0.5 * first,
             qPrintable(QString("loss %1 -> %2").arg(first).arg(run->lastEpoch()->loss)));
    QVERIFY2(run->lastEpoch()->accuracy > 0.85,
             qPrintable(QString("accuracy %1").arg(run->lastEpoch()->accuracy)));
  }
};

QTEST_GUILESS_MAIN(TestPresets)
#include "tst_presets.moc"
