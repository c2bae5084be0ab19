// The LR range test: it leaves the user's model untouched, stops on divergence, and on an
// easy problem suggests a rate within a factor of 10 of the best constant rate found by a
// sweep with the same step budget (the sweep's numbers are printed).
#include <QtTest>

#include <cmath>

#include "core/data/data_generators.h"
#include "core/data/data_split.h"
#include "core/model/experiment_config.h"
#include "core/schedules/lr_range_test.h"

using namespace gradscope::core;

namespace {

struct Problem {
  SplitData data;
  NetworkSpec spec;
};

Problem easyProblem() {
  DataSpec data;
  data.kind = DatasetKind::Moons;
  data.samples = 512;
  data.noise = 0.1;
  data.seed = 7;
  Problem p;
  p.data = splitData(generate(data), SplitOptions{0.0, 7, true});
  ModelConfig model;
  model.hiddenLayers = 2;
  model.width = 16;
  model.hiddenActivation = {ActivationKind::Tanh};
  p.spec = buildNetworkSpec(model, 2, 1, TaskKind::Binary);
  return p;
}

Trainer<float> makeTrainer(const Problem& p, double rate) {
  OptimizerSettings sgd = OptimizerSettings::defaultsFor(OptimizerKind::Sgd);
  sgd.learningRate = rate;
  TrainingSettings training;
  training.batchSize = 32;
  training.seed = 3;
  return Trainer<float>(p.spec, LossKind::BinaryCrossentropy, p.data.train, p.data.validation, sgd,
                        ScheduleSettings{}, training);
}

}  // namespace

class TestLrRangeTest : public QObject {
  Q_OBJECT
 private slots:
  void leavesTheModelUntouched() {
    const Problem p = easyProblem();
    Trainer<float> trainer = makeTrainer(p, 0.01);
    for (int i = 0; i < 5; ++i) trainer.step();
    const Vector<float> before = trainer.network().parameters();
    const auto stepBefore = trainer.stepCount();
    const LrRangeTestResult result = runLrRangeTest(trainer, LrRangeTestSettings{});
    QVERIFY(!result.rates.empty());
    QCOMPARE(trainer.network().parameters(), before);
    QCOMPARE(trainer.stepCount(), stepBefore);
  }

  void copiesReadTheSameSamples() {
    // The copy the range test trains shares the samples instead of copying them (170 MB for
    // Fashion-MNIST in float), and trains apart from the original all the same.
    const Problem p = easyProblem();
    Trainer<float> trainer = makeTrainer(p, 0.01);
    Trainer<float> copy(trainer);
    QCOMPARE(&copy.trainingInputs(), &trainer.trainingInputs());
    QCOMPARE(&copy.trainingTargets(), &trainer.trainingTargets());
    const Vector<float> before = trainer.network().parameters();
    copy.step();
    QCOMPARE(trainer.network().parameters(), before);
    QVERIFY(copy.network().parameters() != before);
  }

  void ratesGrowExponentiallyAndDivergenceStops() {
    const Problem p = easyProblem();
    const Trainer<float> trainer = makeTrainer(p, 0.01);
    LrRangeTestSettings settings;
    settings.minRate = 1e-6;
    settings.maxRate = 1e3;  // far beyond stability: the test must stop early
    settings.steps = 400;
    const LrRangeTestResult result = runLrRangeTest(trainer, settings);
    QVERIFY(result.diverged);
    QVERIFY(int(result.rates.size()) < settings.steps);
    QCOMPARE(result.rates.front(), 1e-6);
    // Constant ratio between consecutive rates: (1e9)^(1/399).
    const double ratio = std::pow(1e9, 1.0 / 399.0);
    for (std::size_t i = 1; i < result.rates.size(); ++i) {
      QVERIFY(std::abs(result.rates[i] / result.rates[i - 1] - ratio) < 1e-9);
    }
    QVERIFY(result.suggestedMaxRate > 0.0);
    QCOMPARE(result.suggestedMaxRate, result.minimumLossRate / 10.0);
    QVERIFY(result.steepestRate <= result.minimumLossRate);
  }

  void suggestionIsNearTheBestConstantRate() {
    const Problem p = easyProblem();
    const int budget = 300;
    LrRangeTestSettings settings;
    settings.minRate = 1e-5;
    settings.maxRate = 100.0;
    settings.steps = budget;
    const LrRangeTestResult result = runLrRangeTest(makeTrainer(p, 0.01), settings);

    // The sweep: constant rates at half-decade steps, each trained for the same budget.
    double bestRate = 0.0, bestLoss = std::numeric_limits<double>::infinity();
    QString table;
    for (double exponent = -4.0; exponent <= 1.51; exponent += 0.5) {
      const double rate = std::pow(10.0, exponent);
      Trainer<float> trainer = makeTrainer(p, rate);
      bool finite = true;
      for (int i = 0; i < budget && finite; ++i) finite = trainer.step().finite;
      const double loss = finite ? trainer.evaluateTraining().loss : INFINITY;
      table += QString("  lr %1 -> loss %2\n").arg(rate, 0, 'g', 3).arg(loss, 0, 'g', 4);
      if (loss < bestLoss) {
        bestLoss = loss;
        bestRate = rate;
      }
    }
    const double factor =
        std::max(result.suggestedMaxRate / bestRate, bestRate / result.suggestedMaxRate);
    qInfo().noquote() << "constant-rate sweep, SGD, moons, " << budget << " steps:\n"
                      << table
                      << QString(
                             "best constant rate %1; range test: minimum at %2, suggested %3, "
                             "steepest %4; factor %5 (needs <= 10)")
                             .arg(bestRate, 0, 'g', 3)
                             .arg(result.minimumLossRate, 0, 'g', 3)
                             .arg(result.suggestedMaxRate, 0, 'g', 3)
                             .arg(result.steepestRate, 0, 'g', 3)
                             .arg(factor, 0, 'g', 3);
    QVERIFY(factor <= 10.0);
  }

  void configuresOneCycle() {
    LrRangeTestResult result;
    result.suggestedMaxRate = 0.3;
    const ScheduleSettings s = oneCycleFrom(result, 1000);
    QVERIFY(s.kind == ScheduleKind::OneCycle);
    QCOMPARE(s.maxRate, 0.3);
    const auto schedule = makeSchedule(s, 0.01);
    QVERIFY(std::abs(schedule->learningRate(0) - 0.03) < 1e-12);  // min = max / 10
  }

  // The test starts from the weights a reset gives, not from the trained ones: after training
  // its first loss is that of the untrained network (unless asked for the current weights).
  void startsFromTheInitialWeights() {
    const Problem p = easyProblem();
    Trainer<float> trainer = makeTrainer(p, 0.5);
    const double untrained = runLrRangeTest(trainer, LrRangeTestSettings{}).losses.front();
    for (int i = 0; i < 300; ++i) trainer.step();
    const LrRangeTestResult initial = runLrRangeTest(trainer, LrRangeTestSettings{});
    QVERIFY(initial.fromInitialWeights);
    QCOMPARE(initial.startStep, std::int64_t(0));
    QCOMPARE(initial.losses.front(), untrained);
    LrRangeTestSettings current;
    current.start = LrRangeTestStart::CurrentWeights;
    const LrRangeTestResult trained = runLrRangeTest(trainer, current);
    QVERIFY(!trained.fromInitialWeights);
    QCOMPARE(trained.startStep, std::int64_t(300));
    QVERIFY2(trained.losses.front() < 0.5 * untrained,
             qPrintable(QStringLiteral("%1 vs %2").arg(trained.losses.front()).arg(untrained)));
  }

  // A suggestion below the first rate tested is refused, with the reason in words.
  void neverSuggestsOutsideItsRange() {
    LrRangeTestResult r;
    for (int i = 0; i < 50; ++i) {
      r.rates.push_back(1e-5 * std::pow(10.0, i / 49.0));
      // Lowest at the fourth rate (1.5e-5): a tenth of it lies below 1e-5.
      r.smoothedLosses.push_back(1.0 + std::abs(i - 3));
      r.losses.push_back(r.smoothedLosses.back());
    }
    concludeLrRangeTest(r);
    QCOMPARE(r.suggestedMaxRate, 0.0);
    QVERIFY(r.minimumLossRate > 1e-5);
    QVERIFY2(QString::fromStdString(r.rule).contains(QStringLiteral("below the first rate")),
             r.rule.c_str());
    // A loss that never fell: no suggestion either.
    for (double& v : r.smoothedLosses) v = 1.0 + double(&v - r.smoothedLosses.data());
    concludeLrRangeTest(r);
    QCOMPARE(r.suggestedMaxRate, 0.0);
  }

  // Run in pieces, the test gives exactly what it gives at once.
  void piecesMatchTheWholeRun() {
    const Problem p = easyProblem();
    const Trainer<float> trainer = makeTrainer(p, 0.01);
    LrRangeTestSettings settings;
    settings.steps = 200;
    LrRangeTest<float> job(trainer, settings);
    int calls = 0;
    while (!job.advance(7)) ++calls;
    QVERIFY(calls >= 10);
    QCOMPARE(job.result(), runLrRangeTest(trainer, settings));
  }

  void invalidSettingsNameTheField() {
    LrRangeTestSettings s;
    s.minRate = 1.0;
    s.maxRate = 0.1;
    try {
      validate(s);
      QFAIL("no error");
    } catch (const Error& e) {
      QCOMPARE(QString::fromStdString(e.field()), QString("lr_range_test.min_rate"));
    }
  }
};

QTEST_GUILESS_MAIN(TestLrRangeTest)
#include "tst_lr_range_test.moc"
