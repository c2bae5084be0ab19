// Checkpoints and rewinding (app/worker/checkpoint_store.h): the state reached at step t by
// going back equals the state the run had at t, bit for bit (weights, BatchNorm statistics,
// optimiser slots, random streams, data order, counters), from any checkpoint, across changes
// of settings, a rebuild and new weights made during the run; the store keeps within its
// memory budget by thinning old checkpoints, denser near the present, and every step stays
// reachable.
#include <QJsonArray>
#include <QJsonDocument>
#include <QtTest>

#include <cstring>
#include <map>

#include "app/sessions/run_state_json.h"
#include "app/sessions/session_json.h"
#include "app/worker/checkpoint_store.h"
#include "app/worker/session_runner.h"
#include "app/worker/training_run.h"
#include "small_experiment.h"

using namespace gradscope;
using namespace gradscope::app;
using namespace gradscope::core;

namespace {

// Every field of the state, arrays as the bits of float64 (exact for float32 runs too).
QByteArray bitsOf(const TrainerState& state) {
  return QJsonDocument(trainerStateToJson(state, Precision::Float64))
      .toJson(QJsonDocument::Compact);
}

bool sameBits(const Eigen::VectorXd& a, const Eigen::VectorXd& b) {
  return a.size() == b.size() &&
         std::memcmp(a.data(), b.data(), std::size_t(a.size()) * sizeof(double)) == 0;
}

// A run with every part that has state: BatchNorm, dropout, Adam, a schedule, clipping, early
// stopping keeping the best weights and the plateau rule.
ExperimentConfig busyExperiment(Precision precision) {
  ExperimentConfig c = smallExperiment();
  c.precision = precision;
  c.model.hiddenLayers = 3;
  c.model.width = 8;
  c.model.batchNorm = BatchNormPlacement::BeforeActivation;
  c.model.dropoutRate = 0.1;
  c.optimizer = OptimizerSettings::defaultsFor(OptimizerKind::Adam);
  c.optimizer.learningRate = 0.01;
  c.schedule.kind = ScheduleKind::CosineDecay;
  c.schedule.initialLearningRate = 0.01;
  c.schedule.decaySteps = 400;
  c.training.clip = {ClipMode::GlobalNorm, 1.0};
  EarlyStoppingSettings early;
  early.patience = 1000;
  early.restoreBestWeights = true;
  c.training.earlyStopping = early;
  PlateauSettings plateau;
  plateau.patience = 3;
  plateau.factor = 0.5;
  c.training.plateau = plateau;
  return c;
}

// Trains `steps` steps, feeding the store as the worker does, and keeps every step's state.
std::map<std::int64_t, QByteArray> train(TrainingRun& run, CheckpointStore& store,
                                         std::int64_t steps) {
  std::map<std::int64_t, QByteArray> states;
  states[run.stepCount()] = bitsOf(run.captureState());
  for (std::int64_t i = 0; i < steps; ++i) {
    run.step();
    store.afterStep(run);
    states[run.stepCount()] = bitsOf(run.captureState());
  }
  return states;
}

}  // namespace

class TestCheckpoints : public QObject {
  Q_OBJECT
 private slots:
  void reachesAnyStepBitForBit_data() {
    QTest::addColumn<int>("precision");
    QTest::newRow("float32") << int(Precision::Float32);
    QTest::newRow("float64") << int(Precision::Float64);
  }
  void reachesAnyStepBitForBit() {
    QFETCH(int, precision);
    const auto run = TrainingRun::create(busyExperiment(Precision(precision)));
    CheckpointStore store(CheckpointStore::kDefaultBudgetBytes, 50);
    store.restart(*run);
    const auto states = train(*run, store, 420);
    QCOMPARE(store.steps().front(), std::int64_t(0));
    QCOMPARE(store.steps().back(), std::int64_t(400));
    // On a checkpoint, just after one, just before one, between, the origin and the present;
    // out of order, so that each reach starts from another place.
    for (std::int64_t t : {std::int64_t(333), std::int64_t(0), std::int64_t(420), std::int64_t(1),
                           std::int64_t(49), std::int64_t(50), std::int64_t(51), std::int64_t(401),
                           std::int64_t(7), std::int64_t(250)}) {
      store.reach(*run, t);
      QCOMPARE(run->stepCount(), t);
      if (bitsOf(run->captureState()) != states.at(t)) {
        QFAIL(qPrintable(
            QStringLiteral("the state reached at step %1 differs from the run's").arg(t)));
      }
    }
    // The check can fail: neighbouring steps' states differ.
    QVERIFY(states.at(250) != states.at(251));
  }

  // Settings changed while training (a live rate, an activation swapped in place, a rebuild
  // to another width, new weights) are made again at their steps when replaying.
  void replaysTheChangesMadeDuringTheRun() {
    ExperimentConfig config = smallExperiment();
    const auto run = TrainingRun::create(config);
    CheckpointStore store(CheckpointStore::kDefaultBudgetBytes, 40);
    store.restart(*run);
    std::map<std::int64_t, QByteArray> states;
    // A change made at a step is part of the state reached at that step.
    auto trainOn = [&](std::int64_t steps) {
      for (auto& [step, bits] : train(*run, store, steps)) states.insert_or_assign(step, bits);
    };
    trainOn(125);  // changes between checkpoints, not on them
    config.optimizer.learningRate = 0.2;
    run->apply(config);
    store.recordConfig(*run);
    trainOn(60);
    config.model.hiddenActivation = ActivationSpec{ActivationKind::Relu};
    run->apply(config);
    store.recordConfig(*run);
    trainOn(50);
    config.model.width = 12;  // a rebuild: the hidden kernels change shape
    run->apply(config);
    store.recordConfig(*run);
    trainOn(30);
    run->reinitialize();
    store.recordReinitialize(*run);
    trainOn(44);
    const std::int64_t last = run->stepCount();

    for (std::int64_t t :
         {std::int64_t(124), std::int64_t(126), std::int64_t(3), std::int64_t(185),
          std::int64_t(200), std::int64_t(236), std::int64_t(265), std::int64_t(280), last}) {
      store.reach(*run, t);
      QCOMPARE(run->stepCount(), t);
      if (bitsOf(run->captureState()) != states.at(t)) {
        QFAIL(qPrintable(
            QStringLiteral("the state reached at step %1 differs from the run's").arg(t)));
      }
    }
    // Going back before the rebuild gives the narrower network and the settings of then.
    store.reach(*run, 100);
    QCOMPARE(run->config().model.width, Index(16));
    QCOMPARE(run->config().optimizer.learningRate, 0.05);
    QVERIFY(run->config().model.hiddenActivation.kind == ActivationKind::Tanh);
    store.reach(*run, last);
    QCOMPARE(run->config().model.width, Index(12));
  }

  // Over a long run with a small budget the store thins: it stays within the budget, keeps
  // the origin and the newest, spaces old checkpoints more widely than recent ones, and any
  // step is still reached exactly.
  void thinsWithinTheBudget() {
    const auto run = TrainingRun::create(smallExperiment());
    // A state with its optimiser slots (allocated at the first step).
    const auto sized = TrainingRun::create(smallExperiment());
    sized->step();
    const std::size_t one = CheckpointStore::sizeOf(sized->captureState());
    const std::size_t budget = 24 * one;
    CheckpointStore store(budget, 10);
    store.restart(*run);
    std::map<std::int64_t, QByteArray> kept;
    std::size_t most = 0;
    for (std::int64_t i = 1; i <= 3000; ++i) {
      run->step();
      store.afterStep(*run);
      most = std::max(most, store.bytes());
      if (i % 997 == 0 || i == 3000) kept[i] = bitsOf(run->captureState());
    }
    QVERIFY2(most <= budget,
             qPrintable(QStringLiteral("%1 bytes > budget %2").arg(most).arg(budget)));
    const std::vector<std::int64_t> steps = store.steps();
    QCOMPARE(steps.front(), std::int64_t(0));
    QCOMPARE(steps.back(), std::int64_t(3000));
    QVERIFY2(steps.size() >= 23,
             qPrintable(QString::number(steps.size())));  // no more than it must
    const std::int64_t oldGap = steps[2] - steps[1];
    const std::int64_t newGap = steps[steps.size() - 1] - steps[steps.size() - 2];
    QVERIFY2(oldGap > 4 * newGap,
             qPrintable(QStringLiteral("old gap %1, recent gap %2").arg(oldGap).arg(newGap)));
    for (const auto& [t, bits] : kept) {
      store.reach(*run, t);
      QVERIFY(bitsOf(run->captureState()) == bits);
    }
  }

  void refusesAStepOutOfReach() {
    const auto run = TrainingRun::create(smallExperiment());
    CheckpointStore store;
    for (int i = 0; i < 5; ++i) run->step();
    store.restart(*run);  // the origin is step 5: earlier steps are gone
    for (int i = 0; i < 5; ++i) {
      run->step();
      store.afterStep(*run);
    }
    const Eigen::VectorXd before = run->parameters();
    for (std::int64_t t : {std::int64_t(4), std::int64_t(11)}) {
      try {
        store.reach(*run, t);
        QFAIL("reached a step out of reach");
      } catch (const Error& e) {
        QCOMPARE(QString::fromStdString(e.field()), QStringLiteral("step"));
      }
      QVERIFY(sameBits(run->parameters(), before));
      QCOMPARE(run->stepCount(), std::int64_t(10));
    }
  }

  // Going back and training on: the old future is dropped and the new one recorded, and it
  // is the same future (nothing changed), bit for bit.
  void trainsOnFromAnEarlierStep() {
    const auto run = TrainingRun::create(smallExperiment());
    CheckpointStore store(CheckpointStore::kDefaultBudgetBytes, 25);
    store.restart(*run);
    const auto first = train(*run, store, 200);
    store.reach(*run, 90);
    store.discardAfter(90);
    QCOMPARE(store.lastStep(), std::int64_t(90));
    QCOMPARE(store.steps().back(), std::int64_t(75));
    const auto second = train(*run, store, 110);
    QVERIFY(second.at(200) == first.at(200));
    QCOMPARE(store.steps().back(), std::int64_t(200));
  }

  // The worker: going back to a step and training on gives the same run again (history and
  // state), and a fork there continues beside its parent, in lockstep, with the same batches.
  void theWorkerGoesBackAndForks() {
    SessionRunner runner(smallExperiment());
    runner.train(200);
    const QJsonObject at200 = runner.capture().runs[0].state;
    runner.train(100);
    const QJsonObject at300 = runner.capture().runs[0].state;
    const std::vector<double> losses = runner.history().rawStepSeries(0, StepMetric::Loss, 0, 299);
    QCOMPARE(losses.size(), std::size_t(300));

    runner.worker().goToStep(120);
    QCOMPARE(runner.currentStep(), std::int64_t(120));
    QCOMPARE(runner.history().stepCount(0), std::int64_t(300));  // the future is still shown
    QVERIFY(runner.capture().runs[0].state == at300);            // saving loses nothing
    runner.train(180);
    QCOMPARE(runner.currentStep(), std::int64_t(300));
    QCOMPARE(runner.history().stepCount(0), std::int64_t(300));  // each step once
    QVERIFY(runner.history().rawStepSeries(0, StepMetric::Loss, 0, 299) == losses);
    const Session trainedOn = runner.capture();
    QVERIFY(trainedOn.runs[0].state == at300);
    // The old future stays as a run of its own (here the same as the new one: nothing changed).
    QCOMPARE(int(trainedOn.runs.size()), 2);
    QVERIFY(trainedOn.runs[1].keptFuture);
    QVERIFY(trainedOn.runs[1].state == at300);
    runner.worker().removeRun(1);

    ExperimentConfig relu = runner.config();
    relu.model.hiddenActivation = ActivationSpec{ActivationKind::Relu};
    runner.worker().forkRun(0, 150, relu);
    QCOMPARE(runner.history().stepCount(0), std::int64_t(150));  // the old future is dropped
    runner.train(50);
    const Session both = runner.capture();
    QCOMPARE(int(both.runs.size()), 2);
    QVERIFY(both.runs[0].state == at200);  // the parent goes on as it did
    QVERIFY(both.runs[1].state != at200);
    QCOMPARE(both.runs[1].label, QStringLiteral("relu from step 150"));
    QCOMPARE(both.runs[1].forkParent, 0);
    QCOMPARE(both.runs[1].forkStep, std::int64_t(150));
    QVERIFY(both.runs[1].config.model.hiddenActivation.kind == ActivationKind::Relu);
    // The same mini-batches: the same sample order and position in the epoch.
    QCOMPARE(both.runs[1].state.value("order"), both.runs[0].state.value("order"));
    QCOMPARE(both.runs[1].state.value("position_in_epoch"),
             both.runs[0].state.value("position_in_epoch"));
    // The parent's history goes on after the cut, per-layer series and histograms too.
    const DecimatedSeries after =
        runner.history().layerSeries(0, LayerMetric::GradientNorm, 0, 160, 199, 1);
    QCOMPARE(after.size(), 1);
    QVERIFY(std::isfinite(after.buckets[0].mean));
    // The old future's histograms (steps 150 to 299) went with it; whether new ones follow
    // within 50 steps depends on the costly probes' measured cost, so that is not asked.
    QVERIFY(!runner.history().histogramSteps(0).empty());
    QVERIFY(runner.history().histogramSteps(0).back() <= 199);
    const int fork = both.runs[1].liveId;
    QCOMPARE(runner.history().firstStep(fork), std::int64_t(150));
    QCOMPARE(runner.history().stepCount(fork), std::int64_t(50));
    QVERIFY(runner.history().rawStepSeries(0, StepMetric::Loss, 0, 199) ==
            std::vector<double>(losses.begin(), losses.begin() + 200));
  }

  // Going back, changing a setting and training on: the old future is kept as a run beside
  // the new one, with its history, state and name; it is never trained, refuses changes, is
  // saved as an old future and is dropped by Reset.
  void theOldFutureIsKept() {
    SessionRunner runner(smallExperiment());
    runner.train(200);
    const QJsonObject at200 = runner.capture().runs[0].state;
    const std::vector<double> losses = runner.history().rawStepSeries(0, StepMetric::Loss, 0, 199);
    runner.worker().goToStep(80);
    ExperimentConfig slower = runner.config();
    slower.optimizer.learningRate *= 0.5;
    QVERIFY(runner.applyConfig(slower));
    runner.train(120);

    const Session session = runner.capture();
    QCOMPARE(int(session.runs.size()), 2);
    const SessionRun& kept = session.runs[1];
    QVERIFY(kept.keptFuture);
    QCOMPARE(kept.forkParent, 0);
    QCOMPARE(kept.forkStep, std::int64_t(80));
    QVERIFY(kept.label.endsWith(QStringLiteral(", old future from step 80")));
    QVERIFY(kept.state == at200);  // where it was
    QVERIFY(kept.config.optimizer.learningRate == runner.config().optimizer.learningRate * 2);
    QVERIFY(session.runs[0].state != at200);  // the new future
    // Its history is the run's whole history as it was; the run's own is cut and goes on.
    const int id = kept.liveId;
    QCOMPARE(runner.history().firstStep(id), std::int64_t(0));
    QCOMPARE(runner.history().stepCount(id), std::int64_t(200));
    QVERIFY(runner.history().rawStepSeries(id, StepMetric::Loss, 0, 199) == losses);
    const std::vector<double> now = runner.history().rawStepSeries(0, StepMetric::Loss, 0, 199);
    QVERIFY(std::equal(now.begin(), now.begin() + 80, losses.begin()));
    QVERIFY(now[150] != losses[150]);
    // Never trained, and kept as it was.
    runner.train(10);
    QCOMPARE(runner.history().stepCount(id), std::int64_t(200));
    QVERIFY(runner.capture().runs[1].state == at200);
    QSignalSpy failed(&runner.worker(), &TrainingWorker::commandFailed);
    runner.worker().applyRunConfig(id, slower);
    QCOMPARE(failed.size(), 1);
    QCOMPARE(failed.at(0).at(0).toString(), QStringLiteral("run"));
    // Saved and read back as an old future.
    const QJsonObject json = sessionToJson(session);
    const QJsonObject fork = json.value("runs").toArray().at(1).toObject().value("fork").toObject();
    QCOMPARE(fork.value("old_future").toBool(), true);
    const Session read = sessionFromJson(json);
    QVERIFY(read.runs[1].keptFuture && !read.runs[0].keptFuture);
    // Reset: a past that starts over has no old futures.
    runner.worker().reset();
    QCOMPARE(int(runner.capture().runs.size()), 1);
  }
};

QTEST_GUILESS_MAIN(TestCheckpoints)
#include "tst_checkpoints.moc"
