// The training worker driven from another thread through the controller: snapshots carry
// every step exactly once, pause stops within one step, single steps and epochs, a live
// activation change takes effect at the step it was applied, reset reproduces step 0, a
// divergence pauses with its cause and publishes no NaN, bad settings are refused by name,
// and a storm of random live changes is every one acknowledged (run under ThreadSanitizer
// by scripts/test).
#include <QtTest>

#include <cmath>

#include "app/worker/training_controller.h"
#include "app/worker/training_worker.h"

using namespace gradscope;
using namespace gradscope::app;

namespace {

// Conditions, not times: generous for a busy machine or a ThreadSanitizer build; a passing
// run waits only as long as it must.
constexpr int kWaitMs = 60000;

core::ExperimentConfig smallConfig() {
  core::ExperimentConfig c;
  c.data.kind = core::DatasetKind::Circle;
  c.data.samples = 256;
  c.model.hiddenLayers = 3;
  c.model.width = 8;
  c.training.batchSize = 16;
  // Planned far beyond what a test trains, so that no run finishes before a pause lands.
  c.training.epochs = core::kMaxEpochs;
  return c;
}

// Collects everything the worker publishes.
struct Recorder {
  std::vector<SnapshotPtr> snapshots;
  std::vector<std::int64_t> steps;
  std::vector<double> losses;
  std::vector<Event> events;
  RunState state = RunState::Idle;
  QString status;
  std::int64_t currentStep = 0;
  int acknowledged = 0;
  QStringList changes;
  QString failedField;

  explicit Recorder(TrainingController& c) {
    QObject::connect(&c, &TrainingController::snapshotReady, &c, [this](const SnapshotPtr& s) {
      if (s->reset) {
        steps.clear();
        losses.clear();
      }
      snapshots.push_back(s);
      steps.insert(steps.end(), s->steps.begin(), s->steps.end());
      const auto& loss = s->stepValues[std::size_t(StepMetric::Loss)];
      losses.insert(losses.end(), loss.begin(), loss.end());
      events.insert(events.end(), s->events.begin(), s->events.end());
      state = s->state;
      status = s->status;
      currentStep = s->currentStep;
    });
    QObject::connect(&c, &TrainingController::configApplied, &c,
                     [this](const core::ExperimentConfig&, const QStringList& list) {
                       ++acknowledged;
                       changes << list;
                     });
    QObject::connect(&c, &TrainingController::commandFailed, &c,
                     [this](const QString& field, const QString&) { failedField = field; });
  }
};

}  // namespace

class TestTrainingWorker : public QObject {
  Q_OBJECT
 private slots:
  void everyStepArrivesOnceAndPauseIsPrompt() {
    TrainingController controller(smallConfig());
    Recorder r(controller);
    QTRY_COMPARE_WITH_TIMEOUT(r.acknowledged, 1, kWaitMs);  // initialised
    controller.start();
    QTRY_VERIFY_WITH_TIMEOUT(r.steps.size() > 300, 10000);
    controller.pause();
    // Generous: a loaded machine (the whole suite runs in parallel) may delay delivery.
    QTRY_COMPARE_WITH_TIMEOUT(r.state, RunState::Paused, 15000);
    const std::int64_t pausedAt = r.currentStep;
    // Nothing ran after the pause was acknowledged: the worker answers a capture only after
    // every chunk queued before it, and its run is still at the paused step.
    QSignalSpy captured(&controller, &TrainingController::sessionCaptured);
    controller.captureSession(7);
    QTRY_COMPARE_WITH_TIMEOUT(captured.count(), 1, kWaitMs);
    const auto session = captured.first().at(1).value<SessionPtr>();
    QVERIFY(session && !session->runs.empty());
    QCOMPARE(session->runs[0].state.value(QStringLiteral("step")).toInteger(), pausedAt);
    QCOMPARE(r.currentStep, pausedAt);
    QCOMPARE(std::int64_t(r.steps.size()), pausedAt);
    for (std::size_t i = 0; i < r.steps.size(); ++i) QCOMPARE(r.steps[i], std::int64_t(i));
    for (double loss : r.losses) QVERIFY(std::isfinite(loss));
    // Each snapshot batches many steps: far fewer snapshots than steps.
    QVERIFY(r.snapshots.size() < r.steps.size() / 2);
  }

  // The LR range test runs in chunks: a step command sent after it is served while it runs,
  // and a reset cancels it (its result would belong to weights that are gone).
  void rangeTestLetsCommandsThroughAndResetCancelsIt() {
    core::ExperimentConfig c = smallConfig();
    c.model.width = 64;
    c.model.hiddenLayers = 6;
    TrainingController controller(c);
    Recorder r(controller);
    std::vector<core::LrRangeTestResult> results;
    QObject::connect(&controller, &TrainingController::lrRangeTestFinished, &controller,
                     [&](const core::LrRangeTestResult& result) { results.push_back(result); });
    QTRY_COMPARE_WITH_TIMEOUT(r.acknowledged, 1, kWaitMs);
    core::LrRangeTestSettings endless;
    endless.minRate = 1e-7;
    endless.maxRate = 1e-6;  // too small to diverge: it runs all its steps
    endless.steps = 100000;
    controller.runLrRangeTest(endless);
    controller.stepBatch();
    controller.stepBatch();
    QTRY_COMPARE_WITH_TIMEOUT(r.currentStep, std::int64_t(2), kWaitMs);
    QVERIFY(results.empty());  // still running: the steps did not wait for it
    controller.reset();
    core::LrRangeTestSettings quick;
    quick.steps = 40;
    controller.runLrRangeTest(quick);
    QTRY_COMPARE_WITH_TIMEOUT(results.size(), std::size_t(1), kWaitMs);
    QVERIFY(results.front().rates.size() <= 40);  // the quick one: the long one was cancelled
    QVERIFY(results.front().fromInitialWeights);
  }

  // Play after the plan's end extends the plan by half (said in the status, marked as a
  // change) instead of training one epoch past it.
  void playAfterTheEndExtendsThePlan() {
    core::ExperimentConfig c = smallConfig();
    c.training.epochs = 4;  // 13 steps an epoch
    TrainingController controller(c);
    Recorder r(controller);
    QTRY_COMPARE_WITH_TIMEOUT(r.acknowledged, 1, kWaitMs);
    controller.start();
    QTRY_COMPARE_WITH_TIMEOUT(r.state, RunState::Finished, 15000);
    QCOMPARE(r.currentStep, std::int64_t(4 * 13));
    controller.start();
    QTRY_COMPARE_WITH_TIMEOUT(controller.config().training.epochs, 6, 15000);
    QTRY_COMPARE_WITH_TIMEOUT(r.state, RunState::Finished, 15000);
    QCOMPARE(r.currentStep, std::int64_t(6 * 13));
    const auto extended = std::count_if(r.events.begin(), r.events.end(), [](const Event& e) {
      return e.kind == EventKind::SettingChanged && e.text.contains(QStringLiteral("4 → 6"));
    });
    QCOMPARE(extended, 1);
  }

  void singleStepsAndEpochs() {
    TrainingController controller(smallConfig());
    Recorder r(controller);
    QTRY_COMPARE_WITH_TIMEOUT(r.acknowledged, 1, kWaitMs);
    for (int i = 0; i < 5; ++i) controller.stepBatch();
    QTRY_COMPARE_WITH_TIMEOUT(r.currentStep, std::int64_t(5), kWaitMs);
    controller.stepEpoch();  // 256 * 0.8 = 205 samples / 16 = 13 steps per epoch
    QTRY_COMPARE_WITH_TIMEOUT(r.currentStep, std::int64_t(13), kWaitMs);
    controller.stepEpoch();
    QTRY_COMPARE_WITH_TIMEOUT(r.currentStep, std::int64_t(26), kWaitMs);
    QCOMPARE(r.state, RunState::Paused);
  }

  void activationChangeTakesEffectAtItsStep() {
    TrainingController controller(smallConfig());
    Recorder r(controller);
    QTRY_COMPARE_WITH_TIMEOUT(r.acknowledged, 1, kWaitMs);
    for (int i = 0; i < 100; ++i) controller.stepBatch();
    QTRY_COMPARE_WITH_TIMEOUT(r.currentStep, std::int64_t(100), kWaitMs);
    core::ExperimentConfig relu = smallConfig();
    relu.model.hiddenActivation = {core::ActivationKind::Relu};
    controller.applyConfig(relu);
    for (int i = 0; i < 20; ++i) controller.stepBatch();
    QTRY_COMPARE_WITH_TIMEOUT(r.currentStep, std::int64_t(120), kWaitMs);
    QTRY_COMPARE_WITH_TIMEOUT(r.acknowledged, 2, kWaitMs);
    QVERIFY(r.changes.join(' ').contains("relu"));
    // "inactive" is measured for ReLU-like layers only: NaN before step 100, a value after.
    int checked = 0;
    for (const SnapshotPtr& s : r.snapshots) {
      for (std::size_t i = 0; i < s->steps.size(); ++i) {
        const double inactive = s->layerValue(LayerMetric::Inactive, i, 0);
        QCOMPARE(std::isnan(inactive), s->steps[i] < 100);
        ++checked;
      }
    }
    QCOMPARE(checked, 120);
    bool marked = false;
    for (const Event& e : r.events) marked |= e.step == 100 && e.text.contains("relu");
    QVERIFY(marked);
  }

  void resetReproducesStepZero() {
    TrainingController controller(smallConfig());
    Recorder r(controller);
    QTRY_COMPARE_WITH_TIMEOUT(r.acknowledged, 1, kWaitMs);
    for (int i = 0; i < 30; ++i) controller.stepBatch();
    QTRY_COMPARE_WITH_TIMEOUT(r.currentStep, std::int64_t(30), kWaitMs);
    const std::vector<double> first(r.losses.begin(), r.losses.begin() + 30);
    controller.reset();
    QTRY_COMPARE_WITH_TIMEOUT(r.currentStep, std::int64_t(0), kWaitMs);
    for (int i = 0; i < 30; ++i) controller.stepBatch();
    QTRY_COMPARE_WITH_TIMEOUT(r.currentStep, std::int64_t(30), kWaitMs);
    QCOMPARE(r.losses.size(), std::size_t(30));
    for (int i = 0; i < 30; ++i) QCOMPARE(r.losses[std::size_t(i)], first[std::size_t(i)]);
  }

  void reinitialiseNowKeepsTheRunGoing() {
    TrainingController controller(smallConfig());
    Recorder r(controller);
    QTRY_COMPARE_WITH_TIMEOUT(r.acknowledged, 1, kWaitMs);
    for (int i = 0; i < 20; ++i) controller.stepBatch();
    QTRY_COMPARE_WITH_TIMEOUT(r.currentStep, std::int64_t(20), kWaitMs);
    core::ExperimentConfig he = smallConfig();
    he.model.initializer = {core::InitializerKind::HeNormal};
    controller.applyConfig(he);  // an initialiser change waits for a reset...
    QTRY_COMPARE_WITH_TIMEOUT(r.acknowledged, 2, kWaitMs);
    QVERIFY(r.changes.join(' ').contains("takes effect at reset"));
    controller.reinitialize();  // ...or for "re-initialise now"
    controller.stepBatch();
    QTRY_COMPARE_WITH_TIMEOUT(r.currentStep, std::int64_t(21), kWaitMs);  // the step count goes on
    bool marked = false;
    for (const Event& e : r.events) marked |= e.step == 20 && e.text.contains("he_normal");
    QVERIFY(marked);
    QCOMPARE(r.steps.size(), std::size_t(21));  // the history was not cleared
  }

  void reinitialiseDrawsNewWeights() {
    core::ExperimentConfig c = smallConfig();
    auto run = TrainingRun::create(c);
    for (int i = 0; i < 5; ++i) run->step();
    const Eigen::VectorXd before = run->parameters();
    c.model.initializer = {core::InitializerKind::HeUniform};
    run->apply(c);
    QCOMPARE(run->parameters(), before);  // an initialiser change alone keeps the weights
    run->reinitialize();
    QVERIFY(run->parameters() != before);
    QCOMPARE(run->stepCount(), std::int64_t(5));
    // He uniform bounds for the first kernel (fan_in 2): |w| <= sqrt(6 / 2).
    QVERIFY(run->parameters().head(16).cwiseAbs().maxCoeff() <= std::sqrt(3.0) + 1e-6);
  }

  void divergencePausesWithItsCause() {
    core::ExperimentConfig c = smallConfig();
    c.model.hiddenLayers = 10;
    c.model.width = 32;
    c.model.hiddenActivation = {core::ActivationKind::Relu};
    c.model.initializer = {core::InitializerKind::HeNormal};
    c.data.kind = core::DatasetKind::Sine;
    c.optimizer.learningRate = 1e3;
    TrainingController controller(c);
    Recorder r(controller);
    QTRY_COMPARE_WITH_TIMEOUT(r.acknowledged, 1, kWaitMs);
    controller.start();
    QTRY_COMPARE_WITH_TIMEOUT(r.state, RunState::Diverged, 10000);
    QVERIFY2(r.status.contains("diverged at step"), qPrintable(r.status));
    for (const SnapshotPtr& s : r.snapshots) {
      for (const auto& series : s->stepValues) {
        for (double v : series) QVERIFY(!std::isinf(v));
      }
      for (double v : s->stepValues[std::size_t(StepMetric::Loss)]) QVERIFY(std::isfinite(v));
    }
    bool marked = false;
    for (const Event& e : r.events) marked |= e.kind == EventKind::Diverged;
    QVERIFY(marked);
    // The app stays usable: a smaller rate, and training goes on.
    c.optimizer.learningRate = 1e-3;
    controller.applyConfig(c);
    QTRY_COMPARE_WITH_TIMEOUT(r.state, RunState::Paused, kWaitMs);
    const auto before = r.currentStep;
    controller.stepBatch();
    QTRY_COMPARE_WITH_TIMEOUT(r.currentStep, before + 1, kWaitMs);
  }

  void badSettingsAreRefusedByName() {
    TrainingController controller(smallConfig());
    Recorder r(controller);
    QTRY_COMPARE_WITH_TIMEOUT(r.acknowledged, 1, kWaitMs);
    core::ExperimentConfig bad = smallConfig();
    bad.training.batchSize = 0;
    controller.applyConfig(bad);
    QTRY_COMPARE_WITH_TIMEOUT(r.failedField, QString("batch_size"), kWaitMs);
    QCOMPARE(controller.config().training.batchSize, core::Index(16));
  }

  void slowMotionSpacesStepsByTheClock() {
    // The speed setting on a fake clock: each tick of the slow-motion timer trains the steps
    // the elapsed time allows (20 steps/s: one per 50 ms), however often the timer fires.
    TrainingWorker worker(smallConfig());
    qint64 now = 0;
    worker.setClock([&now] { return now; });
    int ticks = 0;  // each tick of 50 ms publishes a snapshot (every 25 ms at most)
    std::int64_t step = -1;
    QObject::connect(&worker, &TrainingWorker::snapshotReady, &worker, [&](const SnapshotPtr& s) {
      ++ticks;
      step = s->currentStep;
    });
    worker.initialize();
    worker.setSpeed(20.0);
    worker.start();
    // While the clock stands still, ticks train nothing.
    QTRY_VERIFY_WITH_TIMEOUT(ticks >= 3, kWaitMs);
    QCOMPARE(step, std::int64_t(0));
    now = 1000;  // one second: exactly 20 steps
    QTRY_COMPARE_WITH_TIMEOUT(step, std::int64_t(20), kWaitMs);
    int seen = ticks;
    QTRY_VERIFY_WITH_TIMEOUT(ticks >= seen + 3, kWaitMs);
    QCOMPARE(step, std::int64_t(20));
    now = 1075;  // 1.5 steps' worth: one now, the half carried over
    QTRY_COMPARE_WITH_TIMEOUT(step, std::int64_t(21), kWaitMs);
    seen = ticks;
    QTRY_VERIFY_WITH_TIMEOUT(ticks >= seen + 3, kWaitMs);
    QCOMPARE(step, std::int64_t(21));
    now = 1100;  // the carried half and this half make the next step
    QTRY_COMPARE_WITH_TIMEOUT(step, std::int64_t(22), kWaitMs);
    worker.pause();
    QCOMPARE(step, std::int64_t(22));
  }

  void stormOfLiveChanges() {
    const int changes = qEnvironmentVariableIntValue("GRADSCOPE_STRESS_CHANGES") > 0
                            ? qEnvironmentVariableIntValue("GRADSCOPE_STRESS_CHANGES")
                            : 10000;
    // Planned long enough that the run cannot finish its epochs during the storm.
    core::ExperimentConfig base = smallConfig();
    base.training.epochs = core::kMaxEpochs;
    TrainingController controller(base);
    Recorder r(controller);
    QTRY_COMPARE_WITH_TIMEOUT(r.acknowledged, 1, kWaitMs);
    controller.start();
    core::Rng rng(99);
    const core::ActivationKind acts[] = {core::ActivationKind::Tanh, core::ActivationKind::Relu,
                                         core::ActivationKind::Elu, core::ActivationKind::Sigmoid};
    for (int i = 0; i < changes; ++i) {
      core::ExperimentConfig c = base;
      c.model.hiddenActivation = {acts[rng.below(4)]};
      c.optimizer = core::OptimizerSettings::defaultsFor(core::OptimizerKind(rng.below(8)));
      c.optimizer.learningRate = std::pow(10.0, -4.0 + 3.0 * rng.uniform());
      c.training.batchSize = core::Index(1 + rng.below(64));
      if (rng.below(4) == 0) c.training.clip = {core::ClipMode::Norm, 1.0};
      if (rng.below(8) == 0) c.model.batchNorm = core::BatchNormPlacement::AfterActivation;
      controller.applyConfig(c);
      if (i % 1000 == 0) QCoreApplication::processEvents();
    }
    QTRY_COMPARE_WITH_TIMEOUT(r.acknowledged, changes + 1, 120000);
    controller.pause();
    QTRY_VERIFY2_WITH_TIMEOUT(r.state == RunState::Paused || r.state == RunState::Diverged,
                              qPrintable(QString("state %1: %2").arg(int(r.state)).arg(r.status)),
                              15000);
    qInfo("%d live changes acknowledged while training; %lld steps", changes,
          static_cast<long long>(r.currentStep));
  }
};

QTEST_GUILESS_MAIN(TestTrainingWorker)
#include "tst_training_worker.moc"
