// The trainer's live changes and callbacks: swapping the optimiser keeps the weights and
// starts fresh state (a hyper-parameter change keeps it), a schedule swapped mid-run starts
// at the current step and a 1cycle spans the remaining planned steps, 1cycle's momentum
// reaches the optimiser, early stopping stops and restores the best weights, the plateau
// rule cuts the rate, clipped steps are counted, and the generic callback hook sees every
// step and epoch in Keras's order.
#include <QtTest>

#include <cmath>

#include "core/data/data_generators.h"
#include "core/data/data_split.h"
#include "core/model/experiment_config.h"
#include "core/model/trainer.h"

using namespace gradscope::core;

namespace {

struct Setup {
  SplitData data;
  NetworkSpec spec;
};

Setup setup(double validation = 0.25) {
  DataSpec d;
  d.kind = DatasetKind::Moons;
  d.samples = 128;
  Setup s;
  s.data = splitData(generate(d), SplitOptions{validation, 1, true});
  ModelConfig model;
  model.hiddenLayers = 2;
  model.width = 8;
  s.spec = buildNetworkSpec(model, 2, 1, TaskKind::Binary);
  return s;
}

Trainer<double> trainer(const Setup& s, OptimizerSettings opt, TrainingSettings training = {},
                        ScheduleSettings schedule = {}) {
  training.batchSize = 32;
  return Trainer<double>(s.spec, LossKind::BinaryCrossentropy, s.data.train, s.data.validation, opt,
                         schedule, training);
}

struct Log : TrainingCallback {
  std::vector<std::string> calls;
  void onStepEnd(const StepReport& r) override {
    calls.push_back("step " + std::to_string(r.step));
  }
  void onEpochEnd(const EpochReport& r) override {
    calls.push_back("epoch " + std::to_string(r.epoch));
  }
};

}  // namespace

class TestTrainer : public QObject {
  Q_OBJECT
 private slots:
  void optimiserSwapKeepsWeightsAndStartsFresh() {
    const Setup s = setup();
    auto t = trainer(s, OptimizerSettings::defaultsFor(OptimizerKind::Adam));
    for (int i = 0; i < 5; ++i) t.step();
    QCOMPARE(t.optimizer().iterations(), std::int64_t(5));
    const Vector<double> weights = t.network().parameters();

    OptimizerSettings faster = t.optimizer().settings();
    faster.learningRate = 0.01;  // same kind: state kept
    t.setOptimizerSettings(faster);
    QCOMPARE(t.optimizer().iterations(), std::int64_t(5));
    QVERIFY(!t.optimizer().state().vectors.empty());
    QCOMPARE(t.network().parameters(), weights);

    t.setOptimizerSettings(OptimizerSettings::defaultsFor(OptimizerKind::RmsProp));
    QVERIFY(t.optimizer().kind() == OptimizerKind::RmsProp);
    QCOMPARE(t.optimizer().iterations(), std::int64_t(0));
    QVERIFY(t.optimizer().state().vectors.empty());
    QCOMPARE(t.network().parameters(), weights);
    t.step();
    QCOMPARE(t.optimizer().iterations(), std::int64_t(1));
  }

  void scheduleSwapStartsAtTheCurrentStep() {
    const Setup s = setup(0.0);  // 128 samples / 32 = 4 steps per epoch
    TrainingSettings training;
    training.epochs = 10;  // 40 planned steps
    auto t = trainer(s, OptimizerSettings::defaultsFor(OptimizerKind::Sgd), training);
    for (int i = 0; i < 8; ++i) t.step();
    ScheduleSettings cycle;
    cycle.kind = ScheduleKind::OneCycle;
    cycle.totalSteps = 0;  // span the remaining 32 planned steps
    cycle.maxRate = 0.1;
    t.setSchedule(cycle);
    QCOMPARE(t.scheduleOrigin(), std::int64_t(8));
    const StepRecord first = t.step();
    QVERIFY(std::abs(first.learningRate - 0.01) < 1e-12);  // 1cycle starts at max / 10
    // Reference definition for 32 steps: last = 32 // 10 + 1 = 4, half = (32 - 4) // 2 = 14.
    double rate = 0.0;
    for (int i = 1; i <= 14; ++i) rate = t.step().learningRate;  // schedule steps 1..14
    QVERIFY(std::abs(rate - 0.1) < 1e-12);                       // the peak at step `half`
  }

  void oneCycleMomentumReachesTheOptimiser() {
    const Setup s = setup(0.0);
    ScheduleSettings cycle;
    cycle.kind = ScheduleKind::OneCycle;
    cycle.totalSteps = 40;
    cycle.maxRate = 0.1;
    cycle.cycleMomentum = true;
    auto t = trainer(s, OptimizerSettings::defaultsFor(OptimizerKind::Momentum), {}, cycle);
    const StepRecord r0 = t.step();
    QVERIFY(r0.momentum.has_value());
    QVERIFY(std::abs(*r0.momentum - 0.95) < 1e-12);
    QCOMPARE(t.optimizer().settings().momentum, *r0.momentum);
    // 40 steps: last = 40 // 10 + 1 = 5, half = (40 - 5) // 2 = 17, so the momentum falls
    // linearly from 0.95 to 0.85 over steps 0..17; at step 9 it is 0.95 - 0.1 * 9 / 17.
    for (int i = 1; i <= 9; ++i) t.step();
    QVERIFY(std::abs(t.optimizer().settings().momentum - (0.95 - 0.1 * 9.0 / 17.0)) < 1e-12);
    for (int i = 10; i <= 17; ++i) t.step();
    QVERIFY(std::abs(t.optimizer().settings().momentum - 0.85) < 1e-12);
  }

  void earlyStoppingRestoresTheBestWeights() {
    const Setup s = setup();
    TrainingSettings training;
    training.epochs = 500;
    EarlyStoppingSettings es;
    es.monitor = Monitor::ValLoss;
    es.patience = 3;
    es.restoreBestWeights = true;
    training.earlyStopping = es;
    // A large rate overfits and oscillates quickly on this small set.
    OptimizerSettings opt = OptimizerSettings::defaultsFor(OptimizerKind::Adam);
    opt.learningRate = 0.05;
    auto t = trainer(s, opt, training);
    Vector<double> best;
    double bestLoss = INFINITY;
    int bestEpoch = -1;
    while (t.stopReason() == StopReason::None && t.epoch() < 500) {
      const StepRecord r = t.step();
      if (r.epochEnd && t.lastEpoch()->validation->loss < bestLoss) {
        bestLoss = t.lastEpoch()->validation->loss;
        best = t.network().parameters();
        bestEpoch = t.lastEpoch()->epoch;
      }
    }
    QVERIFY(t.stopReason() == StopReason::EarlyStopping);
    // Keras: the run stops at the end of the patience-th epoch without improvement.
    QCOMPARE(t.lastEpoch()->epoch, bestEpoch + 3);
    QCOMPARE(t.earlyStopping()->bestEpoch(), std::int64_t(bestEpoch));
    QCOMPARE(t.network().parameters(), best);
    QVERIFY(std::abs(t.evaluateValidation().loss - bestLoss) < 1e-12);
    qInfo("%s", t.stopMessage().c_str());
  }

  void plateauCutsTheRate() {
    const Setup s = setup();
    TrainingSettings training;
    PlateauSettings plateau;
    plateau.monitor = Monitor::Loss;
    plateau.patience = 0;
    // Nothing improves by 1e9, so from the second epoch on (the first sets the best) every
    // epoch cuts the rate.
    plateau.minDelta = 1e9;
    plateau.factor = 0.5;
    training.plateau = plateau;
    OptimizerSettings opt = OptimizerSettings::defaultsFor(OptimizerKind::Sgd);
    opt.learningRate = 0.08;
    auto t = trainer(s, opt, training);
    QCOMPARE(t.currentLearningRate(), 0.08);
    while (t.epoch() < 1) t.step();
    QVERIFY(!t.lastEpoch()->learningRateReduced);
    QCOMPARE(t.currentLearningRate(), 0.08);
    while (t.epoch() < 3) t.step();
    QVERIFY(t.lastEpoch()->learningRateReduced);
    QVERIFY(std::abs(t.currentLearningRate() - 0.02) < 1e-12);
    QVERIFY(std::abs(t.step().learningRate - 0.02) < 1e-12);
  }

  void clippedStepsAreCounted() {
    const Setup s = setup();
    TrainingSettings training;
    training.clip = {ClipMode::GlobalNorm, 1e-6};  // every step clips
    auto t = trainer(s, OptimizerSettings::defaultsFor(OptimizerKind::Sgd), training);
    for (int i = 0; i < 7; ++i) {
      const StepRecord r = t.step();
      QVERIFY(r.clip.clipped);
      QVERIFY(r.clip.normBefore > r.clip.normAfter);
      QVERIFY(std::abs(r.clip.normAfter - 1e-6) < 1e-12);
    }
    QCOMPARE(t.clippedSteps(), std::int64_t(7));
    t.setClip({ClipMode::None, 1.0});
    QVERIFY(!t.step().clip.clipped);
    QCOMPARE(t.clippedSteps(), std::int64_t(7));
  }

  void callbacksSeeEveryStepThenTheEpoch() {
    const Setup s = setup(0.0);  // 4 steps per epoch
    auto t = trainer(s, OptimizerSettings::defaultsFor(OptimizerKind::Sgd));
    Log log;
    t.addCallback(&log);
    for (int i = 0; i < 8; ++i) t.step();
    const std::vector<std::string> expected{"step 0", "step 1", "step 2", "step 3", "epoch 0",
                                            "step 4", "step 5", "step 6", "step 7", "epoch 1"};
    QVERIFY(log.calls == expected);
    t.removeCallback(&log);
    t.step();
    QCOMPARE(log.calls.size(), expected.size());
  }
};

QTEST_GUILESS_MAIN(TestTrainer)
#include "tst_trainer.moc"
