// Comparison runs: runs in lockstep see the same data, the same mini-batches in the same
// order and the same initial weights where their layers match (and their own draw where they
// do not), so a run that differs only in its learning rate differs from run 0 only through
// it; a diverging run stops while the others train on; a live edit of run k changes only
// run k; the optimiser race builds the eight optimisers; names say what differs; the results
// table's figures (steps/epochs to target, best/final loss) and the lecture's ratings.
#include <QtTest>

#include <cmath>
#include <map>

#include "app/data/prepared_data.h"
#include "app/runs/lockstep.h"
#include "app/runs/optimizer_race.h"
#include "app/runs/run_naming.h"
#include "app/runs/run_tracker.h"
#include "app/worker/training_controller.h"

using namespace gradscope;
using namespace gradscope::app;

namespace {

// Conditions, not times: generous for a busy machine or a ThreadSanitizer build (whose
// comparison runs step ten times slower); a passing run waits only as long as it must.
constexpr int kWaitMs = 60000;

core::ExperimentConfig smallConfig() {
  core::ExperimentConfig c;
  c.data.kind = core::DatasetKind::Circle;
  c.data.samples = 256;
  c.model.hiddenLayers = 3;
  c.model.width = 8;
  c.training.batchSize = 16;
  c.training.epochs = core::kMaxEpochs;  // no run finishes during a test
  return c;
}

std::vector<double> lossesOf(TrainingRun& run, int steps) {
  std::vector<double> out;
  for (int i = 0; i < steps; ++i) out.push_back(run.step().record.loss.total());
  return out;
}

std::vector<core::ExperimentConfig> configs(std::initializer_list<core::ExperimentConfig> list) {
  return std::vector<core::ExperimentConfig>(list);
}

// Collects what the worker publishes, per run.
struct Recorder {
  std::map<int, std::vector<double>> losses;
  std::map<int, std::vector<std::int64_t>> steps;
  std::map<int, std::vector<Event>> events;
  std::shared_ptr<const RunTable> table;
  RunState state = RunState::Idle;
  QString status;
  int acknowledged = 0;
  QString failedField, failedReason;

  explicit Recorder(TrainingController& c) {
    QObject::connect(&c, &TrainingController::snapshotReady, &c, [this](const SnapshotPtr& s) {
      if (s->reset) {
        losses[s->run].clear();
        steps[s->run].clear();
        events[s->run].clear();
      }
      const auto& loss = s->stepValues[std::size_t(StepMetric::Loss)];
      losses[s->run].insert(losses[s->run].end(), loss.begin(), loss.end());
      steps[s->run].insert(steps[s->run].end(), s->steps.begin(), s->steps.end());
      events[s->run].insert(events[s->run].end(), s->events.begin(), s->events.end());
      if (s->runTable) table = s->runTable;
      state = s->state;
      status = s->status;
    });
    QObject::connect(&c, &TrainingController::configApplied, &c,
                     [this](const core::ExperimentConfig&, const QStringList&) { ++acknowledged; });
    QObject::connect(&c, &TrainingController::commandFailed, &c,
                     [this](const QString& field, const QString& reason) {
                       failedField = field;
                       failedReason = reason;
                     });
  }
  std::int64_t stepsOf(int id) const {
    const RunEntry* e = table ? table->find(id) : nullptr;
    return e ? e->summary.steps : -1;
  }
};

}  // namespace

class TestComparisonRuns : public QObject {
  Q_OBJECT
 private slots:
  void identicalRunsTrainIdentically() {
    // Same data, same batches, same weights: two runs of one configuration are bit-identical.
    auto runs = createLockstepRuns(configs({smallConfig(), smallConfig()}));
    QCOMPARE(runs[0]->dataFingerprint(), runs[1]->dataFingerprint());
    QCOMPARE(runs[0]->parameters(), runs[1]->parameters());
    const auto a = lossesOf(*runs[0], 40);  // 40 steps: three epochs of 13
    const auto b = lossesOf(*runs[1], 40);
    QCOMPARE(runs[0]->sampleOrder(), runs[1]->sampleOrder());
    for (std::size_t i = 0; i < a.size(); ++i) QCOMPARE(a[i], b[i]);
  }

  void runsOfTheSameDataShareItsPreparation() {
    // Split, standardised and converted once for every run that asks for the same data (the
    // eight optimisers on Fashion-MNIST each made their own 170 MB copy), held only while a
    // run uses it, so the cache may not keep it.
    const core::ExperimentConfig c = smallConfig();
    auto a = preparedData(c.data, c.split);
    auto b = preparedData(c.data, c.split);
    QCOMPARE(a.get(), b.get());
    QCOMPARE(a->converted<float>().get(), b->converted<float>().get());
    QCOMPARE(a->converted<float>()->trainX.cols(), a->train().sampleCount());
    QCOMPARE(Eigen::MatrixXd(a->converted<double>()->validX), a->validation().inputs);
    core::SplitOptions other = c.split;
    other.validationFraction = 0.5;
    QVERIFY(preparedData(c.data, other).get() != a.get());
    const std::weak_ptr<const PreparedData> held = a;
    a.reset();
    b.reset();
    QVERIFY(held.expired());  // the cache keeps nothing alive by itself
  }

  void otherDataSettingsGiveOtherData() {
    core::ExperimentConfig noisy = smallConfig();
    noisy.data.noise = 0.3;
    auto runs = createLockstepRuns(configs({smallConfig(), noisy}));
    QVERIFY(runs[0]->dataFingerprint() != runs[1]->dataFingerprint());
  }

  void learningRateIsTheOnlyDifference() {
    core::ExperimentConfig slow = smallConfig();
    core::ExperimentConfig fast = smallConfig();
    fast.optimizer.learningRate = 0.05;
    auto runs = createLockstepRuns(configs({slow, fast}));
    QCOMPARE(runs[0]->parameters(), runs[1]->parameters());
    const std::vector<std::int64_t> order = runs[0]->sampleOrder();
    QCOMPARE(runs[1]->sampleOrder(), order);
    const auto a = lossesOf(*runs[0], 30);
    const auto b = lossesOf(*runs[1], 30);
    // Step 0's loss is measured before the first update: the same weights on the same batch.
    QCOMPARE(a[0], b[0]);
    QVERIFY(a[1] != b[1]);
    QCOMPARE(runs[0]->sampleOrder(), runs[1]->sampleOrder());  // the third epoch's order
    // Each run of the comparison trains exactly as it would alone: the learning rate is all
    // that separates them.
    auto alone = TrainingRun::create(fast);
    const auto c = lossesOf(*alone, 30);
    for (std::size_t i = 0; i < c.size(); ++i) QCOMPARE(b[i], c[i]);
    qInfo("step 0 loss %.6f in both; step 29: lr 0.01 %.6f, lr 0.05 %.6f", a[0], a[29], b[29]);
  }

  void sameInitialWeightsWhereLayersMatch() {
    // One more hidden layer: the three hidden layers and the output layer match.
    core::ExperimentConfig deeper = smallConfig();
    deeper.model.hiddenLayers = 4;
    auto runs = createLockstepRuns(configs({smallConfig(), deeper}));
    const auto first = runs[0]->denseWeights();
    const auto second = runs[1]->denseWeights();
    QCOMPARE(second.size(), std::size_t(5));
    for (int d = 0; d < 3; ++d)
      QCOMPARE(second[std::size_t(d)].kernel, first[std::size_t(d)].kernel);
    QCOMPARE(second.back().kernel, first.back().kernel);
    // Alone, the deeper network draws its output layer after four hidden layers: other
    // values, so the comparison really gave it run 0's.
    auto alone = TrainingRun::create(deeper);
    const auto own = alone->denseWeights();
    QVERIFY(own.back().kernel != first.back().kernel);
    QCOMPARE(second[3].kernel, own[3].kernel);  // the extra layer keeps its own draw
    QCOMPARE(shareInitialWeights(*runs[0], *alone), 4);
  }

  void ownWeightsWhereLayersDiffer() {
    core::ExperimentConfig wider = smallConfig();
    wider.model.width = 16;
    core::ExperimentConfig he = smallConfig();
    he.model.initializer = {core::InitializerKind::HeNormal};
    core::ExperimentConfig seeded = smallConfig();
    seeded.training.seed = 7;
    auto base = TrainingRun::create(smallConfig());
    for (const core::ExperimentConfig& c : {wider, he, seeded}) {
      auto run = TrainingRun::create(c);
      const Eigen::VectorXd own = run->parameters();
      QCOMPARE(shareInitialWeights(*base, *run), 0);
      QCOMPARE(run->parameters(), own);
    }
    // Another seed is another batch order too.
    auto other = TrainingRun::create(seeded);
    QVERIFY(other->sampleOrder() != base->sampleOrder());
  }

  void namesSayWhatDiffers() {
    core::ExperimentConfig sigmoid = smallConfig();
    sigmoid.model.hiddenActivation = {core::ActivationKind::Sigmoid};
    core::ExperimentConfig relu = smallConfig();
    relu.model.hiddenActivation = {core::ActivationKind::Relu};
    RunNames names = nameRunsByDifference({sigmoid, relu});
    QCOMPARE(names.names, QStringList({"sigmoid", "relu"}));
    QCOMPARE(names.title, QString("Hidden activation"));

    core::ExperimentConfig small = relu;
    small.training.batchSize = 64;
    names = nameRunsByDifference({sigmoid, small});
    QCOMPARE(names.names, QStringList({"sigmoid · 16", "relu · 64"}));
    QCOMPARE(names.title, QString("Hidden activation · Batch size"));

    names = nameRunsByDifference({smallConfig(), smallConfig()});
    QCOMPARE(names.names, QStringList({"run 1", "run 2"}));
    QVERIFY(names.title.isEmpty());
    QCOMPARE(differingSettings(sigmoid, relu), QStringList{"model.activation"});
  }

  void trackerMeasuresTheResults() {
    // A loss falling from 1 by 5% a step, epochs of 10 steps, validation 10% above.
    RunTracker early(0.2);
    RunTracker late(0.9);  // told the real target only afterwards
    double loss = 1.0;
    double epochSum = 0.0;
    for (int step = 0; step < 100; ++step) {
      early.addStep(step, loss, 0.001);
      late.addStep(step, loss, 0.001);
      epochSum += loss;
      if (step % 10 == 9) {
        early.addEpoch(step / 10, epochSum / 10, 1.1 * epochSum / 10);
        late.addEpoch(step / 10, epochSum / 10, 1.1 * epochSum / 10);
        epochSum = 0.0;
      }
      loss *= 0.95;
    }
    late.setTargetLoss(0.2);
    const RunSummary& s = early.summary();
    // The smoothed loss lags the raw one: the raw loss is below 0.2 from step 32 (1-based 33).
    QVERIFY2(s.stepsToTarget > 33 && s.stepsToTarget < 50,
             qPrintable(QString::number(s.stepsToTarget)));
    QCOMPARE(late.summary().stepsToTarget, s.stepsToTarget);
    QCOMPARE(late.summary().epochsToTarget, s.epochsToTarget);
    // Epoch e's mean is 0.95^(10e) (1 - 0.95^10) / (10 * 0.05) = 0.80, 0.48, 0.29, 0.17, ...:
    // the fourth epoch is the first below 0.2.
    QCOMPARE(s.epochsToTarget, 4);
    QCOMPARE(s.steps, std::int64_t(100));
    QCOMPARE(s.epochs, 10);
    QCOMPARE(s.initialLoss, 1.0);
    QCOMPARE(s.bestLoss, s.finalLoss);
    QVERIFY(std::abs(s.bestValLoss - 1.1 * s.bestLoss) < 1e-12);
    QVERIFY(std::abs(s.seconds - 0.1) < 1e-9);
    early.markDiverged(100, 0.0);
    QVERIFY(early.summary().diverged);
    QCOMPARE(early.summary().divergedAtStep, std::int64_t(100));
  }

  void raceBuildsEveryRegisteredOptimizer() {
    core::ExperimentConfig base = smallConfig();
    base.training.batchSize = 32;
    const QList<NamedConfig> race = optimizerRace(base);
    // The lecture's eight, then AdamW and Lion: the race reads the registry.
    const QStringList names{"SGD",  "Momentum", "Nesterov", "AdaGrad", "RMSprop",
                            "Adam", "AdaMax",   "Nadam",    "AdamW",   "Lion"};
    const core::OptimizerKind kinds[] = {
        core::OptimizerKind::Sgd,     core::OptimizerKind::Momentum, core::OptimizerKind::Nesterov,
        core::OptimizerKind::Adagrad, core::OptimizerKind::RmsProp,  core::OptimizerKind::Adam,
        core::OptimizerKind::Adamax,  core::OptimizerKind::Nadam,    core::OptimizerKind::AdamW,
        core::OptimizerKind::Lion};
    const int count = int(names.size());
    QCOMPARE(race.size(), count);
    for (int i = 0; i < count; ++i) {
      QCOMPARE(race[i].name, names[i]);
      QVERIFY(race[i].config.optimizer == core::OptimizerSettings::defaultsFor(kinds[i]));
      core::ExperimentConfig rest = race[i].config;
      rest.optimizer = base.optimizer;
      QVERIFY(rest == base);  // nothing else changed
    }
    QCOMPARE(race[0].config.optimizer.learningRate, 0.01);
    QCOMPARE(race[5].config.optimizer.learningRate, 0.001);
    QVERIFY(race[2].config.optimizer.nesterov);

    // In the worker: ten runs, the optimisers in order, all starting from the same loss.
    TrainingController controller(smallConfig());
    Recorder r(controller);
    QTRY_COMPARE_WITH_TIMEOUT(r.acknowledged, 1, kWaitMs);
    controller.setRuns(race);
    QTRY_COMPARE_WITH_TIMEOUT(r.acknowledged, 2, kWaitMs);
    for (int i = 0; i < 5; ++i) controller.stepBatch();
    QTRY_COMPARE_WITH_TIMEOUT(r.stepsOf(count - 1), std::int64_t(5), kWaitMs);
    QCOMPARE(int(r.table->runs.size()), count);
    QVERIFY(r.table->comparesOptimizers);
    for (int i = 0; i < count; ++i) {
      const RunEntry& e = r.table->runs[std::size_t(i)];
      QCOMPARE(e.id, i);
      QCOMPARE(e.name, names[i]);
      QCOMPARE(e.colour, i);
      QVERIFY(e.config.optimizer.kind == kinds[i]);
      QCOMPARE(r.losses[i].size(), std::size_t(5));
      QCOMPARE(r.losses[i][0], r.losses[0][0]);  // same weights, same first batch
    }
    QVERIFY(r.losses[0][1] != r.losses[5][1]);  // SGD and Adam part after one update
  }

  void lectureRatingsAndMeasuredStars() {
    // The lecture's table (Bad *, Average **, Good ***).
    QCOMPARE(lectureRating(core::OptimizerKind::Sgd).speed, 1);
    QCOMPARE(lectureRating(core::OptimizerKind::Sgd).qualityLow, 3);
    QCOMPARE(lectureRating(core::OptimizerKind::Nesterov).speed, 2);
    QCOMPARE(lectureRating(core::OptimizerKind::Adagrad).qualityHigh, 1);
    QCOMPARE(lectureRating(core::OptimizerKind::Adagrad).note, QString("stops too early"));
    QCOMPARE(lectureRating(core::OptimizerKind::Adamax).qualityLow, 2);
    QCOMPARE(lectureRating(core::OptimizerKind::Adamax).qualityHigh, 3);
    QCOMPARE(starText(2, 3), QString("★★ or ★★★"));

    RunTable table;
    auto entry = [](std::int64_t toTarget, double best, bool diverged = false) {
      RunEntry e;
      e.summary.steps = 1000;
      e.summary.stepsToTarget = toTarget;
      e.summary.initialLoss = 1.0;
      e.summary.bestLoss = best;
      e.summary.diverged = diverged;
      return e;
    };
    // Fastest 100 steps, best loss 0.1 (improvement 0.9).
    table.runs = {entry(100, 0.1), entry(140, 0.12), entry(250, 0.2), entry(-1, 0.6),
                  entry(90, 0.1, true)};
    const auto stars = measuredRatings(table);
    QCOMPARE(stars[0].speed, 3);
    QCOMPARE(stars[1].speed, 3);  // 1.4x
    QCOMPARE(stars[2].speed, 2);  // 2.5x
    QCOMPARE(stars[3].speed, 1);  // never reached the target
    QCOMPARE(stars[0].quality, 3);
    QCOMPARE(stars[1].quality, 3);  // misses 0.02 / 0.9 = 2%
    QCOMPARE(stars[2].quality, 2);  // 11%
    QCOMPARE(stars[3].quality, 1);  // 56%
    QCOMPARE(stars[4].speed, 1);    // diverged: fast but worthless
    QCOMPARE(stars[4].quality, 1);
  }

  void runsTrainInLockstepInTheWorker() {
    core::ExperimentConfig tanh = smallConfig();
    core::ExperimentConfig relu = smallConfig();
    relu.model.hiddenActivation = {core::ActivationKind::Relu};
    TrainingController controller(smallConfig());
    Recorder r(controller);
    QTRY_COMPARE_WITH_TIMEOUT(r.acknowledged, 1, kWaitMs);
    controller.setRuns({NamedConfig{{}, tanh}, NamedConfig{{}, relu}});
    QTRY_COMPARE_WITH_TIMEOUT(r.acknowledged, 2, kWaitMs);
    controller.start();
    QTRY_VERIFY_WITH_TIMEOUT(r.stepsOf(1) > 200, 10000);
    controller.pause();
    QTRY_COMPARE_WITH_TIMEOUT(r.state, RunState::Paused, 15000);
    QCOMPARE(r.table->runs[0].name, QString("tanh"));
    QCOMPARE(r.table->runs[1].name, QString("relu"));
    QCOMPARE(r.table->differingSettings, QString("Hidden activation"));
    // One step of every run per step, every step published once per run.
    QCOMPARE(r.steps[0].size(), r.steps[1].size());
    QCOMPARE(r.stepsOf(0), r.stepsOf(1));
    for (std::size_t i = 0; i < r.steps[1].size(); ++i) QCOMPARE(r.steps[1][i], std::int64_t(i));
    // Same weights, same first batch: the activation alone separates the first losses.
    auto alone = TrainingRun::create(relu);
    const auto own = lossesOf(*alone, 50);
    for (std::size_t i = 0; i < own.size(); ++i) QCOMPARE(r.losses[1][i], own[i]);
    QVERIFY(r.losses[0][0] != r.losses[1][0]);
    qInfo("%lld steps of each run in lockstep", static_cast<long long>(r.stepsOf(0)));
  }

  void aDivergingRunDoesNotStopTheOthers() {
    core::ExperimentConfig c = smallConfig();
    c.model.hiddenLayers = 10;
    c.model.width = 32;
    c.model.hiddenActivation = {core::ActivationKind::Relu};
    c.model.initializer = {core::InitializerKind::HeNormal};
    c.data.kind = core::DatasetKind::Sine;
    c.optimizer.learningRate = 1e-3;
    core::ExperimentConfig wild = c;
    wild.optimizer.learningRate = 1e3;
    TrainingController controller(smallConfig());
    Recorder r(controller);
    QTRY_COMPARE_WITH_TIMEOUT(r.acknowledged, 1, kWaitMs);
    controller.setRuns({NamedConfig{{}, c}, NamedConfig{{}, wild}});
    QTRY_COMPARE_WITH_TIMEOUT(r.acknowledged, 2, kWaitMs);
    controller.start();
    QTRY_VERIFY_WITH_TIMEOUT(r.table && r.table->runs[1].summary.diverged, 10000);
    const std::int64_t divergedAt = r.table->runs[1].summary.divergedAtStep;
    QTRY_VERIFY_WITH_TIMEOUT(r.stepsOf(0) > divergedAt + 100, 10000);
    QCOMPARE(r.state, RunState::Running);
    controller.pause();
    QTRY_COMPARE_WITH_TIMEOUT(r.state, RunState::Paused, 15000);
    QCOMPARE(r.stepsOf(1), divergedAt + 1);  // stopped at its divergence (not applied)
    QVERIFY(!r.table->runs[0].summary.diverged);
    bool marked = false;
    for (const Event& e : r.events[1]) marked |= e.kind == EventKind::Diverged;
    QVERIFY(marked);
    for (const Event& e : r.events[0]) QVERIFY(e.kind != EventKind::Diverged);
    for (double v : r.losses[1]) QVERIFY(std::isfinite(v));
    qInfo("lr 1e3 diverged at step %lld; lr 1e-3 trained on to step %lld",
          static_cast<long long>(divergedAt), static_cast<long long>(r.stepsOf(0)));
    // A smaller rate revives it; both train on together again.
    wild.optimizer.learningRate = 1e-3;
    controller.applyRunConfig(1, wild);
    QTRY_VERIFY_WITH_TIMEOUT(!r.table->runs[1].summary.diverged, kWaitMs);
    const std::int64_t before = r.stepsOf(1);
    controller.stepBatch();
    QTRY_COMPARE_WITH_TIMEOUT(r.stepsOf(1), before + 1, kWaitMs);
  }

  void aLiveEditOfOneRunChangesOnlyThatRun() {
    const core::ExperimentConfig c = smallConfig();
    TrainingController controller(c);
    Recorder r(controller);
    QTRY_COMPARE_WITH_TIMEOUT(r.acknowledged, 1, kWaitMs);
    controller.setRuns({NamedConfig{"a", c}, NamedConfig{"b", c}});
    QTRY_COMPARE_WITH_TIMEOUT(r.acknowledged, 2, kWaitMs);
    for (int i = 0; i < 20; ++i) controller.stepBatch();
    QTRY_COMPARE_WITH_TIMEOUT(r.stepsOf(1), std::int64_t(20), kWaitMs);
    core::ExperimentConfig edited = c;
    edited.optimizer.learningRate = 0.1;
    controller.applyRunConfig(1, edited);
    for (int i = 0; i < 20; ++i) controller.stepBatch();
    QTRY_COMPARE_WITH_TIMEOUT(r.stepsOf(1), std::int64_t(40), kWaitMs);
    QCOMPARE(r.acknowledged, 2);  // run 1 is not the selected run: no acknowledgement
    QVERIFY(r.table->runs[0].config == c);
    QCOMPARE(r.table->runs[1].config.optimizer.learningRate, 0.1);
    QCOMPARE(r.table->runs[1].name, QString("b"));  // explicit names stay
    // Run 0 trained exactly as it would alone; run 1 equally up to the edit (step 20's loss
    // is measured before its update), and apart from then on.
    auto alone = TrainingRun::create(c);
    const auto own = lossesOf(*alone, 40);
    for (std::size_t i = 0; i < own.size(); ++i) QCOMPARE(r.losses[0][i], own[i]);
    for (std::size_t i = 0; i <= 20; ++i) QCOMPARE(r.losses[1][i], own[i]);
    QVERIFY(r.losses[1][21] != own[21]);
    bool marked = false;
    for (const Event& e : r.events[1]) marked |= e.step == 20 && e.text.contains("0.1");
    QVERIFY(marked);
    QVERIFY(r.events[0].empty());
    // The selected run is edited by applyConfig.
    controller.selectRun(1);
    QTRY_COMPARE_WITH_TIMEOUT(r.acknowledged, 3, kWaitMs);
    QCOMPARE(controller.config().optimizer.learningRate, 0.1);
  }

  void addRemoveAndTarget() {
    const core::ExperimentConfig c = smallConfig();
    TrainingController controller(c);
    Recorder r(controller);
    QTRY_COMPARE_WITH_TIMEOUT(r.acknowledged, 1, kWaitMs);
    core::ExperimentConfig elu = c;
    elu.model.hiddenActivation = {core::ActivationKind::Elu};
    controller.addRun(NamedConfig{{}, elu});
    QTRY_VERIFY_WITH_TIMEOUT(r.table && r.table->runs.size() == 2, kWaitMs);
    QCOMPARE(r.table->runs[1].name, QString("elu"));
    for (int i = 0; i < 30; ++i) controller.stepBatch();
    QTRY_COMPARE_WITH_TIMEOUT(r.stepsOf(1), std::int64_t(30), kWaitMs);
    controller.setTargetLoss(10.0);  // every loss is below it: reached at step 1, epoch 1
    QTRY_COMPARE_WITH_TIMEOUT(r.table->targetLoss, 10.0, kWaitMs);
    QCOMPARE(r.table->runs[0].summary.stepsToTarget, std::int64_t(1));
    QCOMPARE(r.table->runs[0].summary.epochsToTarget, 1);
    controller.removeRun(0);
    QTRY_COMPARE_WITH_TIMEOUT(int(r.table->runs.size()), 1, kWaitMs);
    QCOMPARE(r.table->runs[0].id, 1);
    QCOMPARE(r.table->selected, 1);  // the selection moved to a run that is left
    controller.stepBatch();
    QTRY_COMPARE_WITH_TIMEOUT(r.stepsOf(1), std::int64_t(31), kWaitMs);  // the other run goes on
    controller.removeRun(1);
    QTRY_COMPARE_WITH_TIMEOUT(r.failedField, QString("run"), kWaitMs);  // the last run stays
    QVERIFY(r.failedReason.contains("last run"));
  }

  void badRunsAreRefusedByName() {
    TrainingController controller(smallConfig());
    Recorder r(controller);
    QTRY_COMPARE_WITH_TIMEOUT(r.acknowledged, 1, kWaitMs);
    QList<NamedConfig> tooMany;  // one more than a comparison holds
    for (int i = 0; i <= kMaxRuns; ++i) tooMany.push_back(NamedConfig{{}, smallConfig()});
    controller.setRuns(tooMany);
    QTRY_COMPARE_WITH_TIMEOUT(r.failedField, QString("runs"), kWaitMs);
    core::ExperimentConfig bad = smallConfig();
    bad.training.batchSize = 0;
    controller.setRuns({NamedConfig{{}, smallConfig()}, NamedConfig{"tiny", bad}});
    QTRY_COMPARE_WITH_TIMEOUT(r.failedField, QString("batch_size"), kWaitMs);
    QVERIFY2(r.failedReason.contains("run 'tiny'"), qPrintable(r.failedReason));
    controller.stepBatch();
    QTRY_COMPARE_WITH_TIMEOUT(r.stepsOf(0), std::int64_t(1), kWaitMs);
    QCOMPARE(int(r.table->runs.size()), 1);  // nothing changed
  }
};

QTEST_GUILESS_MAIN(TestComparisonRuns)
#include "tst_comparison_runs.moc"
