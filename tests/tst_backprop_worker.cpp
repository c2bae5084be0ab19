// "Step with trace" through the controller: the worker answers with the trace of the selected
// run's next step and takes that step, so the run's weights afterwards are exactly the
// trace's "new" weights; a preview traces without stepping; a network too large is refused
// with the sizes the view takes.
#include <QtTest>

#include "app/sessions/json_fields.h"
#include "app/worker/training_controller.h"

using namespace gradscope;
using namespace gradscope::app;

namespace {

core::ExperimentConfig smallConfig(int width) {
  core::ExperimentConfig c;
  c.data.kind = core::DatasetKind::Circle;
  c.data.samples = 64;
  c.model.hiddenLayers = 1;
  c.model.width = width;
  c.model.hiddenActivation.kind = core::ActivationKind::Tanh;
  c.training.batchSize = 4;
  c.training.epochs = 100;
  return c;
}

// The traced weights after the update, in the network's flat order (per Dense layer: the
// kernel column by column, Keras layout stored column-major, then the bias).
std::vector<double> tracedAfter(const core::BackpropTrace& trace) {
  std::vector<double> flat;
  for (const core::BackpropTraceLayer& layer : trace.layers) {
    flat.insert(flat.end(), layer.kernelAfter.data(),
                layer.kernelAfter.data() + layer.kernelAfter.size());
    flat.insert(flat.end(), layer.biasAfter.data(),
                layer.biasAfter.data() + layer.biasAfter.size());
  }
  return flat;
}

std::vector<double> sessionParameters(TrainingController& controller) {
  QSignalSpy captured(&controller, &TrainingController::sessionCaptured);
  controller.captureSession(1);
  if (!captured.wait(10000)) return {};
  const auto session = captured.first().at(1).value<SessionPtr>();
  return readNumbers(session->runs[0].state.value(QStringLiteral("parameters")), "parameters");
}

std::int64_t sessionStep(TrainingController& controller) {
  QSignalSpy captured(&controller, &TrainingController::sessionCaptured);
  controller.captureSession(2);
  if (!captured.wait(10000)) return -1;
  const auto session = captured.first().at(1).value<SessionPtr>();
  return session->runs[0].state.value(QStringLiteral("step")).toInteger();
}

}  // namespace

class TestBackpropWorker : public QObject {
  Q_OBJECT
 private slots:
  void stepWithTraceTakesTheTracedStep() {
    core::ExperimentConfig config = smallConfig(3);
    config.precision = core::Precision::Float64;  // sessions save doubles exactly
    TrainingController controller(config);
    QSignalSpy traced(&controller, &TrainingController::backpropTraced);
    controller.traceBackprop(true);
    QVERIFY(traced.wait(10000));
    const auto snapshot = traced.first().at(0).value<BackpropSnapshotPtr>();
    QVERIFY(snapshot && snapshot->trace);
    QVERIFY(snapshot->refusal.isEmpty());
    QVERIFY(snapshot->stepTaken);
    QCOMPARE(snapshot->trace->step, std::int64_t(0));
    QCOMPARE(snapshot->trace->samples, 4);
    QCOMPARE(int(snapshot->trace->layers.size()), 2);
    QTRY_COMPARE_WITH_TIMEOUT(sessionStep(controller), std::int64_t(1), 10000);
    const std::vector<double> after = tracedAfter(*snapshot->trace);
    QCOMPARE(sessionParameters(controller), after);

    // A preview traces step 1 and leaves the run at step 1.
    controller.traceBackprop(false);
    QVERIFY(traced.wait(10000));
    const auto preview = traced.last().at(0).value<BackpropSnapshotPtr>();
    QVERIFY(preview->trace && !preview->stepTaken);
    QCOMPARE(preview->trace->step, std::int64_t(1));
    QCOMPARE(sessionStep(controller), std::int64_t(1));
  }

  // Two Steps in quick succession trace two consecutive steps: the second waits for the
  // first's step to be taken.
  void consecutiveStepsTraceConsecutiveSteps() {
    TrainingController controller(smallConfig(3));
    QSignalSpy traced(&controller, &TrainingController::backpropTraced);
    controller.traceBackprop(true);
    controller.traceBackprop(true);
    QTRY_COMPARE_WITH_TIMEOUT(traced.count(), 2, 10000);
    QCOMPARE(traced.at(0).at(0).value<BackpropSnapshotPtr>()->trace->step, std::int64_t(0));
    QCOMPARE(traced.at(1).at(0).value<BackpropSnapshotPtr>()->trace->step, std::int64_t(1));
    QTRY_COMPARE_WITH_TIMEOUT(sessionStep(controller), std::int64_t(2), 10000);
  }

  // A trace asked for while an epoch of 16,000 steps is pending (the Backprop tab opened after
  // "Step epoch") waits for those steps instead of taking them all at once: Pause is heard,
  // and the trace is then of the step after the one the run paused at.
  void aTraceWaitsForPendingStepsAndPauseIsHeard() {
    core::ExperimentConfig config = smallConfig(3);
    config.data.samples = 20000;
    config.training.batchSize = 1;
    TrainingController controller(config);
    QSignalSpy traced(&controller, &TrainingController::backpropTraced);
    controller.stepEpoch();
    controller.traceBackprop(false);
    controller.pause();
    QVERIFY(traced.wait(10000));
    const auto snapshot = traced.first().at(0).value<BackpropSnapshotPtr>();
    QVERIFY(snapshot && snapshot->trace);
    QVERIFY(!snapshot->stepTaken);
    const std::int64_t paused = sessionStep(controller);
    QVERIFY2(paused < 8000, qPrintable(QStringLiteral("paused at step %1").arg(paused)));
    QCOMPARE(snapshot->trace->step, paused);
  }

  void largeNetworkIsRefusedWithTheSizesTaken() {
    TrainingController controller(smallConfig(8));
    QSignalSpy traced(&controller, &TrainingController::backpropTraced);
    controller.traceBackprop(true);
    QVERIFY(traced.wait(10000));
    const auto snapshot = traced.first().at(0).value<BackpropSnapshotPtr>();
    QVERIFY(!snapshot->trace);
    QVERIFY(!snapshot->stepTaken);
    QVERIFY2(snapshot->refusal.contains(QStringLiteral("2-8-1")), qPrintable(snapshot->refusal));
    QVERIFY(snapshot->refusal.contains(QStringLiteral("at most 4")));
    QCOMPARE(sessionStep(controller), std::int64_t(0));
  }
};

QTEST_GUILESS_MAIN(TestBackpropWorker)
#include "tst_backprop_worker.moc"
