// EarlyStopping (Keras 3) on scripted metric sequences: the documented example, patience,
// the epoch > 0 rule, min_delta, baseline, modes, restore_best_weights (snapshot and restore
// decisions), start_from_epoch, missing values, the reason text, and state round trips.
// Every expected epoch is derived by hand from Keras 3's on_epoch_end.
#include <QtTest>

#include "core/callbacks/early_stopping.h"

using namespace gradscope::core;

namespace {

struct Run {
  int stoppedAt = -1;          // epoch whose end stopped training, -1 if none
  std::vector<int> snapshots;  // epochs whose weights the caller had to copy
  std::vector<int> improvedAt;
  bool restoreOnStop = false;
};

// Feeds `values` epoch by epoch until the callback says stop, as Keras's fit loop does.
Run run(EarlyStopping& es, const std::vector<std::optional<double>>& values) {
  Run r;
  for (std::size_t e = 0; e < values.size(); ++e) {
    const EarlyStoppingDecision d = es.onEpochEnd(static_cast<std::int64_t>(e), values[e]);
    if (d.snapshotWeights) r.snapshots.push_back(static_cast<int>(e));
    if (d.improved) r.improvedAt.push_back(static_cast<int>(e));
    if (d.stop) {
      r.stoppedAt = static_cast<int>(e);
      r.restoreOnStop = d.restoreBest;
      break;
    }
  }
  return r;
}

std::vector<std::optional<double>> seq(std::initializer_list<double> values) {
  return {values.begin(), values.end()};
}

EarlyStoppingSettings on(Monitor monitor, int patience) {
  EarlyStoppingSettings s;
  s.monitor = monitor;
  s.patience = patience;
  return s;
}

}  // namespace

class TestEarlyStopping : public QObject {
  Q_OBJECT
 private slots:
  void kerasDefaults() {
    const EarlyStoppingSettings s;
    QVERIFY(s.monitor == Monitor::ValLoss);
    QCOMPARE(s.minDelta, 0.0);
    QCOMPARE(s.patience, 0);
    QVERIFY(s.mode == MonitorMode::Auto);
    QVERIFY(!s.baseline.has_value());
    QVERIFY(!s.restoreBestWeights);
    QCOMPARE(s.startFromEpoch, 0);
  }

  void documentedExample() {
    // Keras's docstring: monitor loss, patience 3, a loss that never improves after the
    // first epoch: "Only 4 epochs are run."
    EarlyStopping es(on(Monitor::Loss, 3));
    const Run r = run(es, seq({10, 11, 12, 13, 14, 15, 16, 17, 18, 19}));
    QCOMPARE(r.stoppedAt, 3);  // 0-based: the 4th epoch
    QVERIFY(es.stopped());
    QCOMPARE(es.stoppedEpoch(), std::int64_t(3));
    QCOMPARE(es.bestEpoch(), std::int64_t(0));
    QCOMPARE(*es.best(), 10.0);
    QCOMPARE(es.wait(), std::int64_t(3));
    QCOMPARE(es.reason(),
             std::string("no improvement of loss by more than 0 for 3 epochs; best 10 at epoch "
                         "1; stopped after epoch 4"));
    QCOMPARE(es.summary(), std::string("stopped early at epoch 4, best at epoch 1"));
  }

  void patience_data() {
    QTest::addColumn<int>("patience");
    QTest::addColumn<int>("stoppedAt");
    // e0 best 1.0, e1 best 0.8, then 0.9 0.85 0.95 0.99 never beat 0.8.
    QTest::newRow("0") << 0 << 2;
    QTest::newRow("1") << 1 << 2;
    QTest::newRow("2") << 2 << 3;
    QTest::newRow("4") << 4 << 5;
    QTest::newRow("5") << 5 << -1;
  }
  void patience() {
    QFETCH(int, patience);
    QFETCH(int, stoppedAt);
    EarlyStopping es(on(Monitor::ValLoss, patience));
    const Run r = run(es, seq({1.0, 0.8, 0.9, 0.85, 0.95, 0.99}));
    QCOMPARE(r.stoppedAt, stoppedAt);
    QCOMPARE(es.bestEpoch(), std::int64_t(1));
    QCOMPARE(r.improvedAt, (std::vector<int>{0, 1}));
    QVERIFY(es.reason().empty() == (stoppedAt < 0));
  }

  void neverStopsAtEpochZero() {
    // With patience 0, a non-improving epoch 0 (here after a restored state) does not stop.
    EarlyStopping es(on(Monitor::Loss, 0));
    EarlyStoppingState state;
    state.best = 1.0;
    es.setState(state);
    QVERIFY(!es.onEpochEnd(0, 2.0).stop);
    QVERIFY(es.onEpochEnd(1, 2.0).stop);
  }

  void minDelta() {
    // min_delta 0.1: 0.95 and 0.92 are no improvement on 1.0; patience 2 stops at epoch 2.
    EarlyStoppingSettings s = on(Monitor::ValLoss, 2);
    s.minDelta = 0.1;
    EarlyStopping strict(s);
    QCOMPARE(run(strict, seq({1.0, 0.95, 0.92, 0.85})).stoppedAt, 2);
    QCOMPARE(*strict.best(), 1.0);
    s.minDelta = -0.1;  // Keras takes the absolute value
    EarlyStopping negative(s);
    QCOMPARE(run(negative, seq({1.0, 0.95, 0.92, 0.85})).stoppedAt, 2);
    s.minDelta = 0.01;
    EarlyStopping loose(s);
    const Run r = run(loose, seq({1.0, 0.95, 0.92, 0.85}));
    QCOMPARE(r.stoppedAt, -1);
    QCOMPARE(r.improvedAt, (std::vector<int>{0, 1, 2, 3}));
  }

  void baseline() {
    EarlyStoppingSettings s = on(Monitor::ValLoss, 2);
    s.baseline = 0.5;
    // Improving epochs that miss the baseline do not reset wait, but Keras only checks for a
    // stop on non-improving epochs: 0.9 0.8 0.7 0.6 run on, 0.65 stops (wait 5 >= 2).
    EarlyStopping missing(s);
    const Run r = run(missing, seq({0.9, 0.8, 0.7, 0.6, 0.65, 0.5}));
    QCOMPARE(r.stoppedAt, 4);
    QCOMPARE(missing.wait(), std::int64_t(5));
    QCOMPARE(missing.bestEpoch(), std::int64_t(3));
    QVERIFY(QString::fromStdString(missing.reason()).contains("on the baseline 0.5"));
    // No improvement on the baseline at all: it runs `patience` epochs (documented).
    EarlyStopping flat(s);
    QCOMPARE(run(flat, seq({0.9, 0.95, 0.97, 0.99})).stoppedAt, 1);
    // Beating the baseline resets wait: 0.4 at e1, then two epochs without improvement.
    EarlyStopping reached(s);
    QCOMPARE(run(reached, seq({0.9, 0.4, 0.45, 0.46, 0.47})).stoppedAt, 3);
    QVERIFY(!QString::fromStdString(reached.reason()).contains("baseline"));
  }

  void modes() {
    // val_accuracy in auto mode is maximised.
    EarlyStopping autoMode(on(Monitor::ValAccuracy, 2));
    QVERIFY(autoMode.maximising());
    QCOMPARE(run(autoMode, seq({0.5, 0.6, 0.55, 0.58, 0.7})).stoppedAt, 3);
    QCOMPARE(*autoMode.best(), 0.6);
    QCOMPARE(autoMode.bestEpoch(), std::int64_t(1));
    EarlyStoppingSettings s = on(Monitor::ValAccuracy, 2);
    s.mode = MonitorMode::Min;  // the same sequence minimised
    EarlyStopping minMode(s);
    QCOMPARE(run(minMode, seq({0.5, 0.6, 0.55, 0.58, 0.7})).stoppedAt, 2);
    s = on(Monitor::Loss, 1);
    s.mode = MonitorMode::Max;
    EarlyStopping maxLoss(s);
    QCOMPARE(run(maxLoss, seq({1.0, 2.0, 1.5})).stoppedAt, 2);
    QVERIFY(EarlyStopping(on(Monitor::Accuracy, 0)).maximising());
    QVERIFY(!EarlyStopping(on(Monitor::Loss, 0)).maximising());
  }

  void restoreBestWeights() {
    EarlyStoppingSettings s = on(Monitor::ValLoss, 2);
    s.restoreBestWeights = true;
    EarlyStopping es(s);
    const Run r = run(es, seq({1.0, 0.8, 0.9, 0.85, 0.7}));
    QCOMPARE(r.stoppedAt, 3);
    QCOMPARE(r.snapshots, (std::vector<int>{0, 1}));  // the first epoch, then each new best
    QVERIFY(r.restoreOnStop);
    QVERIFY(es.restoreAtTrainEnd());
    QCOMPARE(es.bestEpoch(), std::int64_t(1));
    QVERIFY(QString::fromStdString(es.reason()).endsWith("weights restored from epoch 2"));
    QCOMPARE(es.summary(), std::string("stopped early at epoch 4, weights of epoch 2"));
    // Without the option: no snapshots, nothing to restore.
    EarlyStopping plain(on(Monitor::ValLoss, 2));
    const Run p = run(plain, seq({1.0, 0.8, 0.9, 0.85, 0.7}));
    QVERIFY(p.snapshots.empty());
    QVERIFY(!p.restoreOnStop);
    QVERIFY(!plain.restoreAtTrainEnd());
    // Keras 3 restores at the end of training even when it never stopped early.
    EarlyStopping finished(s);
    const Run f = run(finished, seq({1.0, 0.8, 0.9, 0.7}));
    QCOMPARE(f.stoppedAt, -1);
    QVERIFY(finished.restoreAtTrainEnd());
    QCOMPARE(finished.bestEpoch(), std::int64_t(3));
  }

  void startFromEpoch() {
    // Epochs 0-2 are warm-up and ignored; epoch 3 sets the best, epoch 4 stops (patience 1).
    EarlyStoppingSettings s = on(Monitor::Loss, 1);
    s.startFromEpoch = 3;
    s.restoreBestWeights = true;
    EarlyStopping es(s);
    {  // a warm-up epoch is not monitored
      const EarlyStoppingDecision d = es.onEpochEnd(0, 5.0);
      QVERIFY(!d.monitored && !d.improved && !d.snapshotWeights && !d.stop);
    }
    const Run r = run(es, seq({5, 4, 3, 10, 11, 12}));
    QCOMPARE(r.stoppedAt, 4);
    QCOMPARE(r.snapshots, (std::vector<int>{3}));
    QCOMPARE(*es.best(), 10.0);
    // Without the warm-up the same sequence stops at epoch 3.
    EarlyStopping early(on(Monitor::Loss, 1));
    QCOMPARE(run(early, seq({5, 4, 3, 10, 11, 12})).stoppedAt, 3);
  }

  void missingValues() {
    EarlyStopping es(on(Monitor::ValLoss, 1));
    const Run r = run(es, {1.0, std::nullopt, std::nullopt, 1.5});
    QCOMPARE(r.stoppedAt, 3);  // the missing epochs neither count nor stop
    EarlyStopping fromReport(on(Monitor::ValAccuracy, 0));
    EpochReport report;
    report.epoch = 0;
    report.accuracy = 0.9;
    QVERIFY(!fromReport.onEpochEnd(report).monitored);
    report.valAccuracy = 0.8;
    QVERIFY(fromReport.onEpochEnd(report).improved);
  }

  void stateRoundTripAndReset() {
    EarlyStoppingSettings s = on(Monitor::ValLoss, 3);
    s.restoreBestWeights = true;
    s.baseline = 0.75;
    const auto values = seq({1.0, 0.7, 0.8, 0.72, 0.74, 0.71, 0.9, 0.95});
    EarlyStopping whole(s);
    const Run expected = run(whole, values);
    EarlyStopping first(s);
    for (int e = 0; e < 4; ++e) first.onEpochEnd(e, values[e]);
    EarlyStopping second(s);
    second.setState(first.state());
    int stoppedAt = -1;
    for (int e = 4; e < static_cast<int>(values.size()) && stoppedAt < 0; ++e) {
      if (second.onEpochEnd(e, values[e]).stop) stoppedAt = e;
    }
    QCOMPARE(expected.stoppedAt, 4);  // wait: 1, 0 (0.7 beats the baseline), 1, 2, 3
    QCOMPARE(stoppedAt, expected.stoppedAt);
    QVERIFY(second.state() == whole.state());
    QCOMPARE(second.reason(), whole.reason());
    second.reset();
    QVERIFY(second.state() == EarlyStoppingState{});
    QVERIFY(!second.stopped());
  }

  void validation() {
    EarlyStoppingSettings s;
    s.patience = -1;
    QVERIFY_THROWS_EXCEPTION(Error, validate(s));
    s = {};
    s.startFromEpoch = -1;
    QVERIFY_THROWS_EXCEPTION(Error, EarlyStopping{s});
    s = {};
    s.baseline = std::nan("");
    try {
      validate(s);
      QFAIL("no exception");
    } catch (const Error& e) {
      QCOMPARE(e.field(), std::string("early_stopping.baseline"));
    }
  }
};

QTEST_GUILESS_MAIN(TestEarlyStopping)
#include "tst_early_stopping.moc"
