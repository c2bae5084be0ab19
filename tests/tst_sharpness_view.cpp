// The Sharpness view on a synthetic history: λ_max and its threshold drawn at the estimated
// steps with the loss on the same step axis, the threshold following a learning-rate change,
// the title giving the latest estimate as a multiple of the threshold, the preconditioned
// name for Adam, one colour per run when comparing, and the worker told when the chart is
// shown or hidden and how often to estimate.
#include <QtTest>

#include <QDockWidget>
#include <QMainWindow>

#include <QLineSeries>
#include <QLogValueAxis>
#include <QSignalSpy>
#include <QSpinBox>
#include <QValueAxis>

#include <cmath>

#include "app/history/metric_history.h"
#include "app/worker/snapshot.h"
#include "ui/charts/chart_view.h"
#include "ui/charts/sharpness_view.h"

using namespace gradscope;
using namespace gradscope::app;
using namespace gradscope::ui;

namespace {

constexpr std::int64_t kSteps = 600;
constexpr std::int64_t kEvery = 10;

// Steps 0..kSteps-1 of run `run`: a falling loss, and every kEvery steps a sharpness that
// rises to 2/lr and stays there; the rate halves at step 400 (so 2/lr doubles).
Snapshot history(int run, bool preconditioned = false) {
  Snapshot s;
  s.run = run;
  s.layerCount = 0;
  for (std::int64_t step = 0; step < kSteps; ++step) {
    s.steps.push_back(step);
    for (int m = 0; m < kStepMetricCount; ++m) s.stepValues[std::size_t(m)].push_back(NAN);
    s.stepValues[std::size_t(StepMetric::Loss)].back() =
        0.5 * std::exp(-double(step) / 200.0) * (1.0 + 0.1 * (step % 2));
    const double rate = step < 400 ? 0.1 : 0.05;
    s.stepValues[std::size_t(StepMetric::LearningRate)].back() = rate;
    if (step % kEvery == 0) {
      const double threshold = 2.0 / rate;
      s.sharpness.push_back({step, std::min(threshold, 5.0 + 0.1 * double(step)), threshold,
                             preconditioned, QStringLiteral("2/η")});
    }
  }
  return s;
}

}  // namespace

class TestSharpnessView : public QObject {
  Q_OBJECT
 private slots:
  void drawsSharpnessThresholdAndLoss() {
    MetricHistory h;
    h.append(history(0));
    SharpnessView view;
    view.resize(600, 400);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.refresh(h, 0);
    QLineSeries* lambda = view.sharpnessLine(0);
    QLineSeries* threshold = view.thresholdLine(0);
    QLineSeries* loss = view.lossLine(0);
    QVERIFY(lambda && threshold && loss);
    QVERIFY(lambda->count() >= 2 && threshold->count() >= 2 && loss->count() >= 2);
    // The threshold follows the rate: 20 before step 400, 40 from it.
    double before = 0, after = 0;
    for (const QPointF& p : threshold->points()) {
      if (p.x() < 400) before = std::max(before, p.y());
      if (p.x() >= 400) after = std::max(after, p.y());
    }
    QCOMPARE(before, 20.0);
    QCOMPARE(after, 40.0);
    // Sharpness and loss share the step axis.
    QCOMPARE(lambda->attachedAxes().first(), loss->attachedAxes().first());
    QVERIFY(qobject_cast<QLogValueAxis*>(loss->attachedAxes().last()));
    // The title: the last estimate (40 = 1.00 x 2/lr).
    QVERIFY2(view.chartView()->title().contains(QStringLiteral("1.00 × 2/η")),
             qPrintable(view.chartView()->title()));
    QCOMPARE(lambda->name(), QStringLiteral("λ_max"));
    QCOMPARE(threshold->name(), QStringLiteral("2/η"));
  }

  void preconditionedNamed() {
    MetricHistory h;
    h.append(history(0, true));
    SharpnessView view;
    view.resize(600, 400);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.refresh(h, 0);
    QCOMPARE(view.sharpnessLine(0)->name(), QStringLiteral("λ_max(P⁻¹H)"));
  }

  void overlaysRunsInTheirColours() {
    MetricHistory h;
    h.append(history(0));
    h.append(history(1));
    auto table = std::make_shared<RunTable>();
    for (int i = 0; i < 2; ++i) {
      RunEntry e;
      e.id = i;
      e.name = i == 0 ? QStringLiteral("lr 0.1") : QStringLiteral("lr 0.2");
      e.colour = i;
      table->runs.push_back(e);
    }
    SharpnessView view;
    view.setRunTable(table);
    view.resize(600, 400);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.refresh(h, 0);
    QVERIFY(view.overlaysRuns());
    QCOMPARE(view.sharpnessLine(1)->name(), QStringLiteral("lr 0.2"));
    QVERIFY(view.sharpnessLine(0)->pen().color() != view.sharpnessLine(1)->pen().color());
    QCOMPARE(view.thresholdLine(1)->pen().color(), view.sharpnessLine(1)->pen().color());
  }

  void tellsTheWorkerWhenShown() {
    SharpnessView view;
    QSignalSpy spy(&view, &SharpnessView::estimationRequested);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QVERIFY(!spy.isEmpty());
    QCOMPARE(spy.last().at(0).toBool(), true);
    QCOMPARE(spy.last().at(1).toInt(), SharpnessView::kDefaultEvery);
    view.findChild<QSpinBox*>()->setValue(25);
    QCOMPARE(spy.last().at(0).toBool(), true);
    QCOMPARE(spy.last().at(1).toInt(), 25);
    view.hide();
    QCOMPARE(spy.last().at(0).toBool(), false);
  }

  // In the dashboard a dock behind another tab stays visible to Qt (moved out of sight): the
  // estimates follow the dock's tab (setOnScreen), not the show events, and cost nothing
  // while another chart is in front.
  void estimatesOnlyWhileItsTabIsInFront() {
    QMainWindow window;
    auto* view = new SharpnessView;
    auto* sharpness = new QDockWidget(QStringLiteral("Sharpness"), &window);
    sharpness->setWidget(view);
    auto* other = new QDockWidget(QStringLiteral("Other"), &window);
    other->setWidget(new QWidget);
    window.addDockWidget(Qt::RightDockWidgetArea, sharpness);
    window.addDockWidget(Qt::RightDockWidgetArea, other);
    window.tabifyDockWidget(sharpness, other);
    QObject::connect(sharpness, &QDockWidget::visibilityChanged, view,
                     [view](bool visible) { view->setOnScreen(visible); });
    QSignalSpy spy(view, &SharpnessView::estimationRequested);
    window.resize(600, 400);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    other->raise();
    QTRY_VERIFY(!spy.isEmpty() && !spy.last().at(0).toBool());
    QVERIFY(view->isVisible());  // what show events would have gone by
    view->findChild<QSpinBox*>()->setValue(30);
    QCOMPARE(spy.last().at(0).toBool(), false);
    sharpness->raise();
    QTRY_VERIFY(spy.last().at(0).toBool());
    QCOMPARE(spy.last().at(1).toInt(), 30);
  }
};

QTEST_MAIN(TestSharpnessView)
#include "tst_sharpness_view.moc"
