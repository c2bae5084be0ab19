// The loss surface is computed in the background on a copy of the selected run: the worker
// hands over the copy between two steps, the job computes the slice on a pool thread with
// progress, the run trains on meanwhile (its step count moves while the job runs), a cancel
// ends the job without a result, and a trajectory needs recorded weights.
#include <QtTest>

#include "app/loss_surface/loss_surface_job.h"
#include "app/worker/training_controller.h"
#include "small_experiment.h"

using namespace gradscope;
using namespace gradscope::app;

Q_DECLARE_METATYPE(gradscope::app::LossSurfaceJob::Result)

class TestLossSurfaceJob : public QObject {
  Q_OBJECT
 private slots:
  void initTestCase() { qRegisterMetaType<LossSurfaceJob::Result>(); }

  void computesWhileTheRunTrains() {
    // More samples than the small experiment's, so that every point of the slice costs enough
    // (2,048 samples are evaluated) for the run to publish several steps meanwhile.
    core::ExperimentConfig config = smallExperiment();
    config.data.samples = 2500;
    TrainingController controller(config);
    std::int64_t step = 0;
    connect(&controller, &TrainingController::snapshotReady, this,
            [&step](const SnapshotPtr& s) { step = s->currentStep; });
    controller.start();
    QTRY_VERIFY_WITH_TIMEOUT(step > 50, 10000);

    LossSurfaceJob job(&controller);
    // The steps the run published while the job was computing.
    std::vector<std::int64_t> stepsMeanwhile;
    connect(&controller, &TrainingController::snapshotReady, this,
            [&job, &stepsMeanwhile](const SnapshotPtr& s) {
              if (job.isRunning()) stepsMeanwhile.push_back(s->currentStep);
            });
    QSignalSpy progress(&job, &LossSurfaceJob::progressChanged);
    std::optional<LossSurfaceJob::Result> result;
    connect(&job, &LossSurfaceJob::finished, this,
            [&result](const LossSurfaceJob::Result& r) { result = r; });
    core::LossSurfaceSettings settings;
    settings.resolution = 61;  // long enough that training visibly goes on meanwhile
    job.start(settings);
    QVERIFY(job.isRunning());
    QTRY_VERIFY_WITH_TIMEOUT(result.has_value(), 60000);
    QVERIFY2(result->surface, qPrintable(result->error));
    const core::LossSurface& surface = *result->surface;
    QCOMPARE(surface.map.grid.columns, 61);
    QVERIFY(surface.step > 50);
    QVERIFY(std::isfinite(surface.currentLoss));
    QVERIFY(surface.map.grid.at(30, 30) == surface.currentLoss);
    QVERIFY(progress.count() >= 2);
    // The run trained on while the surface was computed from its copy.
    QVERIFY2(stepsMeanwhile.size() >= 2 && stepsMeanwhile.back() > stepsMeanwhile.front(),
             qPrintable(QString::number(stepsMeanwhile.size())));
    QVERIFY(stepsMeanwhile.back() > surface.step);

    // The trajectory and the line come from the weights recorded along the run.
    result.reset();
    settings.mode = core::LossSurfaceMode::PcaTrajectory;
    settings.resolution = 11;
    job.start(settings);
    QTRY_VERIFY_WITH_TIMEOUT(result.has_value(), 60000);
    QVERIFY2(result->surface, qPrintable(result->error));
    QVERIFY(result->surface->path.size() >= 3);
    QCOMPARE(result->surface->pathSteps.front(), std::int64_t(0));
    QVERIFY(result->surface->explained1 > 0.0);
    result.reset();
    settings.mode = core::LossSurfaceMode::Interpolation;
    job.start(settings);
    QTRY_VERIFY_WITH_TIMEOUT(result.has_value(), 60000);
    QVERIFY2(result->surface, qPrintable(result->error));
    QCOMPARE(result->surface->initialStep, std::int64_t(0));
    QVERIFY(result->surface->lineLoss.front() != result->surface->lineLoss.back());
    controller.pause();
  }

  void cancelEndsWithoutAResult() {
    TrainingController controller(smallExperiment());
    LossSurfaceJob job(&controller);
    std::optional<LossSurfaceJob::Result> result;
    connect(&job, &LossSurfaceJob::finished, this,
            [&result](const LossSurfaceJob::Result& r) { result = r; });
    core::LossSurfaceSettings settings;
    settings.resolution = 201;  // 40,401 points: far longer than the cancel takes
    job.start(settings);
    QTRY_VERIFY_WITH_TIMEOUT(job.isRunning() && !result, 5000);
    QTest::qWait(50);
    job.cancel();
    QTRY_VERIFY_WITH_TIMEOUT(result.has_value(), 10000);
    QVERIFY(result->cancelled);
    QVERIFY(!result->surface);
    QTRY_VERIFY(!job.isRunning());
  }

  void aTrajectoryNeedsRecordedWeights() {
    TrainingController controller(smallExperiment());
    LossSurfaceJob job(&controller);
    std::optional<LossSurfaceJob::Result> result;
    connect(&job, &LossSurfaceJob::finished, this,
            [&result](const LossSurfaceJob::Result& r) { result = r; });
    core::LossSurfaceSettings settings;
    settings.mode = core::LossSurfaceMode::PcaTrajectory;
    job.start(settings);  // at step 0: one recorded sample
    QTRY_VERIFY_WITH_TIMEOUT(result.has_value(), 10000);
    QVERIFY(!result->surface);
    QVERIFY(result->error.startsWith(QStringLiteral("loss_surface.trajectory: ")));
  }
};

QTEST_GUILESS_MAIN(TestLossSurfaceJob)
#include "tst_loss_surface_job.moc"
