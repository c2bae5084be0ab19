// PlateauReducer (Keras ReduceLROnPlateau) on scripted metric sequences: patience, cooldown,
// min_lr, min_delta, modes, missing values, state round trips and validation. Every expected
// rate is derived by hand from Keras 3's on_epoch_end.
#include <QtTest>

#include <cmath>
#include <limits>

#include "core/callbacks/plateau_reducer.h"

using namespace gradscope::core;

namespace {

struct Run {
  std::vector<double> rates;   // learning rate after each epoch
  std::vector<int> reducedAt;  // epochs with a reduction
};

Run run(PlateauReducer& reducer, const std::vector<double>& values, double lr) {
  Run r;
  for (std::size_t e = 0; e < values.size(); ++e) {
    const PlateauUpdate u = reducer.update(static_cast<std::int64_t>(e), values[e], lr);
    if (u.reduced) r.reducedAt.push_back(static_cast<int>(e));
    lr = u.learningRate;
    r.rates.push_back(lr);
  }
  return r;
}

PlateauSettings lossSettings(int patience, double factor) {
  PlateauSettings s;
  s.monitor = Monitor::Loss;
  s.patience = patience;
  s.factor = factor;
  return s;
}

}  // namespace

class TestPlateauReducer : public QObject {
  Q_OBJECT
 private slots:
  void kerasDefaults() {
    const PlateauSettings s;
    QVERIFY(s.monitor == Monitor::ValLoss);
    QCOMPARE(s.factor, 0.1);
    QCOMPARE(s.patience, 10);
    QVERIFY(s.mode == MonitorMode::Auto);
    QCOMPARE(s.minDelta, 1e-4);
    QCOMPARE(s.cooldown, 0);
    QCOMPARE(s.minLr, 0.0);
    PlateauReducer reducer;
    QCOMPARE(reducer.best(), std::numeric_limits<double>::infinity());
  }

  void patience() {
    // e0 best 1.0, e1 best 0.9, e2 wait 1, e3 wait 2 -> halve; e4 wait 1, e5 best 0.8,
    // e6 wait 1, e7 wait 2 -> halve.
    PlateauReducer reducer(lossSettings(2, 0.5));
    const Run r = run(reducer, {1.0, 0.9, 0.95, 0.95, 0.95, 0.8, 0.85, 0.85}, 1.0);
    QCOMPARE(r.reducedAt, (std::vector<int>{3, 7}));
    QCOMPARE(r.rates, (std::vector<double>{1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.25}));
    QCOMPARE(reducer.best(), 0.8);
    QCOMPARE(reducer.wait(), std::int64_t(0));
    QCOMPARE(reducer.state().reductions, std::int64_t(2));
    QCOMPARE(reducer.state().lastReductionEpoch, std::int64_t(7));
  }

  void cooldown() {
    // Keras decrements the cooldown counter before it checks it, so cooldown 2 leaves one
    // idle epoch after each reduction: with patience 1, reductions at epochs 1, 3 and 5.
    PlateauSettings s = lossSettings(1, 0.1);
    s.cooldown = 2;
    PlateauReducer reducer(s);
    const Run r = run(reducer, std::vector<double>(7, 1.0), 1.0);
    QCOMPARE(r.reducedAt, (std::vector<int>{1, 3, 5}));
    QVERIFY(std::abs(r.rates.back() - 1e-3) < 1e-18);
    // Cooldown 3: reductions at 1, 4.
    s.cooldown = 3;
    PlateauReducer longer(s);
    QCOMPARE(run(longer, std::vector<double>(7, 1.0), 1.0).reducedAt, (std::vector<int>{1, 4}));
    // No cooldown: every epoch after the first.
    s.cooldown = 0;
    PlateauReducer none(s);
    QCOMPARE(run(none, std::vector<double>(4, 1.0), 1.0).reducedAt, (std::vector<int>{1, 2, 3}));
  }

  void improvementDuringCooldownResetsBest() {
    PlateauSettings s = lossSettings(1, 0.5);
    s.cooldown = 5;
    PlateauReducer reducer(s);
    run(reducer, {1.0, 1.0}, 1.0);  // reduction at e1, cooldown 5
    QVERIFY(reducer.inCooldown());
    const PlateauUpdate u = reducer.update(2, 0.5, 0.5);
    QVERIFY(!u.reduced);
    QCOMPARE(reducer.best(), 0.5);
    QCOMPARE(reducer.cooldownCounter(), std::int64_t(4));
  }

  void minLrIsAFloor() {
    // 1 -> 0.5 -> max(0.25, 0.3) = 0.3, then no further cut: 0.3 is not above float32(0.3).
    PlateauSettings s = lossSettings(1, 0.5);
    s.minLr = 0.3;
    PlateauReducer reducer(s);
    const Run r = run(reducer, std::vector<double>(6, 2.0), 1.0);
    QCOMPARE(r.reducedAt, (std::vector<int>{1, 2}));
    QCOMPARE(r.rates.back(), 0.3);
    QVERIFY(reducer.wait() >= 1);  // keeps counting without cutting, as Keras
  }

  void minDelta() {
    // 0.95 is not below 1.0 - 0.1: no improvement, the rate is cut at once with patience 1.
    PlateauSettings s = lossSettings(1, 0.5);
    s.minDelta = 0.1;
    PlateauReducer strict(s);
    QCOMPARE(run(strict, {1.0, 0.95}, 1.0).reducedAt, (std::vector<int>{1}));
    s.minDelta = 0.01;
    PlateauReducer loose(s);
    QVERIFY(run(loose, {1.0, 0.95}, 1.0).reducedAt.empty());
  }

  void modes() {
    // val_accuracy in auto mode is maximised (Keras: "acc" in the name).
    PlateauSettings s;
    s.monitor = Monitor::ValAccuracy;
    s.patience = 2;
    s.factor = 0.5;
    PlateauReducer autoMode(s);
    QVERIFY(autoMode.maximising());
    QCOMPARE(autoMode.best(), -std::numeric_limits<double>::infinity());
    QCOMPARE(run(autoMode, {0.5, 0.6, 0.6, 0.55}, 1.0).reducedAt, (std::vector<int>{3}));
    s.mode = MonitorMode::Min;  // the same sequence, minimised: 0.6 is worse than 0.5
    PlateauReducer minMode(s);
    QCOMPARE(run(minMode, {0.5, 0.6, 0.6, 0.55}, 1.0).reducedAt, (std::vector<int>{2}));
    s.monitor = Monitor::Loss;
    s.mode = MonitorMode::Max;
    PlateauReducer maxLoss(s);
    QVERIFY(maxLoss.maximising());
    QVERIFY(!PlateauReducer(lossSettings(1, 0.5)).maximising());
  }

  void missingValueChangesNothing() {
    PlateauReducer reducer(lossSettings(1, 0.5));
    run(reducer, {1.0}, 1.0);
    const PlateauState before = reducer.state();
    const PlateauUpdate u = reducer.update(1, std::nullopt, 1.0);
    QVERIFY(!u.reduced);
    QCOMPARE(u.learningRate, 1.0);
    QVERIFY(reducer.state() == before);
    // The EpochReport overload reads the monitored metric.
    PlateauSettings s = lossSettings(1, 0.5);
    s.monitor = Monitor::ValLoss;
    PlateauReducer fromReport(s);
    EpochReport report;
    report.loss = 1.0;  // no val_loss this epoch
    QVERIFY(!fromReport.update(report, 1.0).reduced);
    QCOMPARE(fromReport.best(), std::numeric_limits<double>::infinity());
    report.valLoss = 0.7;
    fromReport.update(report, 1.0);
    QCOMPARE(fromReport.best(), 0.7);
  }

  void stateRoundTrip() {
    PlateauSettings s = lossSettings(2, 0.5);
    s.cooldown = 1;
    const std::vector<double> values{1.0, 0.9, 0.95, 0.97, 0.99, 0.98, 0.99, 1.2, 1.3};
    PlateauReducer whole(s);
    const Run expected = run(whole, values, 1.0);
    PlateauReducer first(s);
    const Run head = run(first, {values.begin(), values.begin() + 4}, 1.0);
    PlateauReducer second(s);
    second.setState(first.state());
    double lr = head.rates.back();
    for (std::size_t e = 4; e < values.size(); ++e) {
      lr = second.update(static_cast<std::int64_t>(e), values[e], lr).learningRate;
      QCOMPARE(lr, expected.rates[e]);
    }
    QVERIFY(second.state() == whole.state());
    second.reset();
    QCOMPARE(second.wait(), std::int64_t(0));
    QCOMPARE(second.best(), std::numeric_limits<double>::infinity());
  }

  void settingsChange() {
    PlateauReducer reducer(lossSettings(3, 0.5));
    run(reducer, {1.0, 1.1}, 1.0);
    PlateauSettings s = lossSettings(1, 0.2);  // same direction: the state is kept
    reducer.setSettings(s);
    QCOMPARE(reducer.best(), 1.0);
    QCOMPARE(reducer.wait(), std::int64_t(1));
    QCOMPARE(reducer.update(2, 1.1, 1.0).learningRate, 0.2);
    s.mode = MonitorMode::Max;  // a new direction starts afresh
    reducer.setSettings(s);
    QCOMPARE(reducer.best(), -std::numeric_limits<double>::infinity());
  }

  void validation() {
    PlateauSettings s;
    s.factor = 1.0;  // Keras: "does not support a factor >= 1.0"
    QVERIFY_THROWS_EXCEPTION(Error, PlateauReducer{s});
    try {
      validate(s);
      QFAIL("no exception");
    } catch (const Error& e) {
      QCOMPARE(e.field(), std::string("plateau.factor"));
    }
    s = {};
    s.patience = -1;
    QVERIFY_THROWS_EXCEPTION(Error, validate(s));
    s = {};
    s.minLr = -1;
    QVERIFY_THROWS_EXCEPTION(Error, validate(s));
    s = {};
    s.cooldown = -2;
    QVERIFY_THROWS_EXCEPTION(Error, validate(s));
  }
};

QTEST_GUILESS_MAIN(TestPlateauReducer)
#include "tst_plateau_reducer.moc"
