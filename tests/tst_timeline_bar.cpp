// The timeline under the charts: arrow keys ask for one step back or forward, with Shift one
// epoch; Home and End the first and latest steps; requests stay within the reachable steps;
// the slider maps its positions to steps; the bar says when the runs stand at an earlier step.
// In the window: going back puts one cursor at that step on every chart over steps and draws
// the views of one step (gradient flow, saturation, histograms) at that step, and a fork
// there appears as a second run named by what differs.
#include <QtTest>

#include <QSignalSpy>
#include <QSlider>

#include "app/history/metric_history.h"
#include "core/model/settings_schema.h"
#include "small_experiment.h"
#include "ui/charts/chart_view.h"
#include "ui/charts/gradient_flow_view.h"
#include "ui/charts/histogram_view.h"
#include "ui/charts/saturation_view.h"
#include "ui/panels/run_table_model.h"
#include "ui/panels/runs_panel.h"
#include "ui/window/main_window.h"
#include "ui/window/timeline_bar.h"

using namespace gradscope::ui;

class TestTimelineBar : public QObject {
  Q_OBJECT
 private:
  // The window at 1280x720, its run trained past step 150 and paused.
  static void trainAndPause(MainWindow& window) {
    window.resize(1280, 720);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QTRY_VERIFY_WITH_TIMEOUT(window.history().hasRun(0), 10000);
    window.controller().start();
    QTRY_VERIFY_WITH_TIMEOUT(window.history().stepCount(0) > 150, 20000);
    window.controller().pause();
    QTRY_VERIFY(window.runState() != gradscope::app::RunState::Running);
  }

  // The views of one step draw the step the runs stand at (`step` steps trained: history step
  // step - 1), not the newest one, while the later steps stay stored.
  static void perStepViewsShowStep(MainWindow& window, std::int64_t step) {
    const gradscope::app::MetricHistory& history = window.history();
    QCOMPARE(history.shownStep(0), step - 1);
    QVERIFY(history.lastStep(0) > step);
    using gradscope::app::LayerMetric;
    const int layers = history.layerCount(0);
    QVERIFY(layers >= 2);

    auto* flow = window.findChild<GradientFlowView*>();
    QVERIFY(flow);
    flow->refresh(history, 0);
    QVERIFY2(flow->chartView()->title().contains(QStringLiteral("step %1").arg(step)),
             qPrintable(flow->chartView()->title()));
    for (int l = 0; l < layers; ++l) {
      const std::int64_t from =
          std::max(history.firstStep(0), step - GradientFlowView::kWindowSteps);
      const auto series = history.layerSeries(0, LayerMetric::GradientNorm, l, from, step - 1, 1);
      QVERIFY(!series.empty());
      QCOMPARE(flow->values()[std::size_t(l)], series.buckets.front().mean);
    }

    auto* saturation = window.findChild<SaturationView*>();
    QVERIFY(saturation);
    saturation->refresh(history, 0);
    const std::int64_t from = std::max(history.firstStep(0), step - SaturationView::kRecentSteps);
    const auto saturated = history.layerHeatmap(0, LayerMetric::Saturated, from, step - 1, 1,
                                                gradscope::app::HeatmapReduction::Mean);
    QCOMPARE(int(saturation->bars().size()), layers);
    for (int l = 0; l < layers; ++l) {
      QCOMPARE(saturation->bars()[std::size_t(l)].saturated, saturated.at(l, 0));
    }

    auto* histograms = window.findChild<HistogramView*>();
    QVERIFY(histograms);
    histograms->refresh(history, 0);
    QVERIFY(histograms->followsLatest());
    QVERIFY(histograms->shownStep() >= 0);
    QVERIFY(histograms->shownStep() <= step - 1);
    QCOMPARE(histograms->shownStep(), history.histogramsAt(0, step - 1)->step);
    QVERIFY(history.latestHistograms(0)->step > histograms->shownStep());
  }

 private slots:
  void keysStepAndJumpAnEpoch() {
    TimelineBar bar;
    bar.setSteps(0, 300, 300);
    bar.setStepsPerEpoch(13);
    QVERIFY(!bar.rewound());
    QSignalSpy requested(&bar, &TimelineBar::stepRequested);
    QTest::keyClick(&bar, Qt::Key_Left);
    QTest::keyClick(&bar, Qt::Key_Left, Qt::ShiftModifier);
    QTest::keyClick(&bar, Qt::Key_Right);
    QTest::keyClick(&bar, Qt::Key_Home);
    QTest::keyClick(&bar, Qt::Key_Left);  // nothing before the first step: no request
    QTest::keyClick(&bar, Qt::Key_End);
    QTest::keyClick(&bar, Qt::Key_Right);  // nothing after the latest
    QList<qint64> steps;
    for (const auto& args : requested) steps << args.at(0).toLongLong();
    QCOMPARE(steps, (QList<qint64>{299, 286, 287, 0, 300}));
  }

  void theSliderMapsToSteps() {
    TimelineBar bar;
    bar.setSteps(100, 600, 600);
    auto* slider = bar.findChild<QSlider*>(QStringLiteral("timelineSlider"));
    QVERIFY(slider);
    QCOMPARE(slider->value(), slider->maximum());
    QSignalSpy requested(&bar, &TimelineBar::stepRequested);
    slider->setValue(slider->minimum() + (slider->maximum() - slider->minimum()) / 5);
    QCOMPARE(requested.size(), 1);
    QCOMPARE(requested.at(0).at(0).toLongLong(), qint64(200));
    QVERIFY(bar.rewound());
    // The worker's answer moves the slider without asking again.
    bar.setSteps(100, 600, 200);
    QCOMPARE(requested.size(), 1);
    QCOMPARE(bar.current(), std::int64_t(200));
  }

  // Play from an earlier step: the old future becomes a second run in the Runs table with
  // the whole history the run had, and stays as it was while the run trains on.
  void playingOnKeepsTheOldFuture() {
    MainWindow::Options options;
    options.persistent = false;
    MainWindow window(gradscope::smallExperiment(), options);
    trainAndPause(window);
    if (QTest::currentTestFailed()) return;
    const std::int64_t latest = window.history().stepCount(0);
    const std::vector<double> losses =
        window.history().rawStepSeries(0, gradscope::app::StepMetric::Loss, 0, latest - 1);
    window.controller().goToStep(60);
    auto* bar = window.findChild<TimelineBar*>();
    QTRY_COMPARE(bar->current(), std::int64_t(60));
    window.controller().stepSteps(20);
    QTRY_VERIFY(window.history().hasRun(1));
    QTRY_COMPARE(window.history().stepCount(0), std::int64_t(80));
    QCOMPARE(window.history().stepCount(1), latest);
    QVERIFY(window.history().rawStepSeries(1, gradscope::app::StepMetric::Loss, 0, latest - 1) ==
            losses);
    RunsPanel* panel = window.runsPanel();
    QTRY_COMPARE(panel->model()->rowCount(), 2);
    const QString name =
        panel->model()->data(panel->model()->index(1, RunTableModel::Name)).toString();
    const QString status =
        panel->model()->data(panel->model()->index(1, RunTableModel::Status)).toString();
    QVERIFY2(name.contains(QStringLiteral("old future from step 60")), qPrintable(name));
    QCOMPARE(status, QStringLiteral("old future, kept"));
    // Each row's figures are of its own steps: the run's of its 80 (not "1,977 steps to the
    // target" of a future it no longer has), the old future's of all it trained.
    QTRY_COMPARE(panel->model()->runTable()->runs[0].summary.steps, std::int64_t(80));
    const gradscope::app::RunSummary& now = panel->model()->runTable()->runs[0].summary;
    const gradscope::app::RunSummary& old = panel->model()->runTable()->runs[1].summary;
    QCOMPARE(old.steps, latest);
    QVERIFY(now.stepsToTarget <= 80);
    QVERIFY(now.epochs < old.epochs);
    QVERIFY(now.seconds < old.seconds);
    if (const QByteArray shots = qgetenv("GRADSCOPE_TEST_SHOTS"); !shots.isEmpty()) {
      QTest::qWait(1500);  // the slower views catch up
      window.grab().save(QString::fromLocal8Bit(shots) + QStringLiteral("/old_future.png"));
    }
  }

  void theWindowGoesBackAndForks() {
    MainWindow::Options options;
    options.persistent = false;
    MainWindow window(gradscope::smallExperiment(), options);
    trainAndPause(window);
    if (QTest::currentTestFailed()) return;
    auto* bar = window.findChild<TimelineBar*>();
    QVERIFY(bar);
    const std::int64_t latest = window.history().stepCount(0);
    QTRY_COMPARE(bar->last(), latest);
    window.controller().goToStep(60);
    QTRY_COMPARE(bar->current(), std::int64_t(60));
    QVERIFY(bar->rewound());
    QCOMPARE(window.history().stepCount(0), latest);  // the future is still shown
    int charts = 0;
    for (ChartView* chart : window.findChildren<ChartView*>()) {
      if (!chart->overSteps()) continue;
      ++charts;
      QCOMPARE(chart->markCount(ChartView::MarkGroup::Timeline), 1);
      QCOMPARE(chart->marks(ChartView::MarkGroup::Timeline).front().value, 60.0);
    }
    QVERIFY(charts >= 3);  // loss, learning rate, layer trends, clipping
    perStepViewsShowStep(window, 60);
    if (const QByteArray shots = qgetenv("GRADSCOPE_TEST_SHOTS"); !shots.isEmpty()) {
      window.grab().save(QString::fromLocal8Bit(shots) + QStringLiteral("/timeline.png"));
    }

    gradscope::core::ExperimentConfig relu = window.controller().config();
    gradscope::core::setSetting(relu, "model.activation", std::string("relu"));
    window.controller().forkRun(0, 60, relu);
    QTRY_VERIFY(window.history().hasRun(1));
    QTRY_COMPARE(window.history().stepCount(0), std::int64_t(60));  // the old future dropped
    window.controller().start();
    QTRY_VERIFY_WITH_TIMEOUT(window.history().stepCount(1) > 20, 20000);
    window.controller().pause();
    QTRY_VERIFY(window.runState() != gradscope::app::RunState::Running);
    QCOMPARE(window.history().firstStep(1), std::int64_t(60));
    if (const QByteArray shots = qgetenv("GRADSCOPE_TEST_SHOTS"); !shots.isEmpty()) {
      QTest::qWait(1500);  // the slower views catch up
      window.grab().save(QString::fromLocal8Bit(shots) + QStringLiteral("/fork.png"));
    }
  }
};

QTEST_MAIN(TestTimelineBar)
#include "tst_timeline_bar.moc"
