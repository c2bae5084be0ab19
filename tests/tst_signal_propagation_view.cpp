// The Signal propagation view: it shows the worker's result for the run it is asked to draw
// (one dot and one curve point per hidden layer, the verdict, the phase diagram with the
// initialiser's cross inside the plot), one panel in a dashboard cell and all four in a large
// view, and it keeps the result across the reset that precedes the new one. With
// GRADSCOPE_VIEW_SHOTS set to a folder it also saves each panel and the large view, light and
// presentation-dark, to look at.
#include <QtTest>

#include <QLineSeries>
#include <QScatterSeries>

#include "app/history/metric_history.h"
#include "app/worker/snapshot.h"
#include "core/model/experiment_config.h"
#include "core/signal/signal_propagation.h"
#include "ui/charts/chart_view.h"
#include "ui/charts/phase_diagram_canvas.h"
#include "ui/charts/signal_propagation_view.h"
#include "ui/window/theme.h"

using namespace gradscope;
using ui::SignalPropagationView;

namespace {

// A 12-layer tanh network of 64 units with He initialisation (sigma_w^2 = 2: chaotic).
std::shared_ptr<const core::SignalPropagation> analysis() {
  core::ModelConfig model;
  model.hiddenLayers = 12;
  model.width = 64;
  model.hiddenActivation = {core::ActivationKind::Tanh};
  model.initializer = {core::InitializerKind::HeNormal};
  core::Network<float> net(core::buildNetworkSpec(model, 8, 1, core::TaskKind::Binary));
  core::Rng rng(3);
  net.initialize(rng);
  core::Matrix<float> x(8, 64), y(1, 64);
  for (core::Index i = 0; i < x.size(); ++i) x(i) = float(rng.normal(0.0, 1.0));
  for (core::Index i = 0; i < y.size(); ++i) y(i) = float(i % 2);
  return std::make_shared<core::SignalPropagation>(
      core::analyseSignalPropagation(net, x, y, core::LossKind::BinaryCrossentropy));
}

app::Snapshot snapshotOf(int run, std::shared_ptr<const core::SignalPropagation> result) {
  app::Snapshot s;
  s.run = run;
  s.signalPropagation = std::move(result);
  return s;
}

void shoot(QWidget* widget, const QString& name) {
  const QString folder = qEnvironmentVariable("GRADSCOPE_VIEW_SHOTS");
  if (folder.isEmpty()) return;
  const QString theme = ui::theme().dark ? QStringLiteral("dark") : QStringLiteral("light");
  QVERIFY(widget->grab().save(folder + QLatin1Char('/') + name + QLatin1Char('_') + theme +
                              QStringLiteral(".png")));
}

}  // namespace

class TestSignalPropagationView : public QObject {
  Q_OBJECT
 private slots:
  void showsTheRunsResult() {
    SignalPropagationView view;
    view.resize(480, 360);
    view.show();
    app::MetricHistory history;
    view.refresh(history, 0);
    QVERIFY(!view.result());
    QVERIFY(view.verdictText().contains(QStringLiteral("when the network is built")));
    const auto result = analysis();
    view.onSnapshot(snapshotOf(1, result));  // another run's: not shown for run 0
    view.refresh(history, 0);
    QVERIFY(!view.result());
    view.onSnapshot(snapshotOf(0, result));
    view.refresh(history, 0);
    QCOMPARE(view.result(), result.get());
    QCOMPARE(view.verdictText(), QString::fromStdString(result->verdict));
    for (auto panel : {SignalPropagationView::Length, SignalPropagationView::Correlation,
                       SignalPropagationView::Gradient}) {
      const QChart* chart = view.chart(panel)->chart();
      int measured = -1, predicted = -1;
      for (QAbstractSeries* s : chart->series()) {
        if (auto* scatter = qobject_cast<QScatterSeries*>(s))
          measured = int(scatter->count());
        else if (auto* line = qobject_cast<QLineSeries*>(s))
          predicted = int(line->count());
      }
      QCOMPARE(measured, 12);
      QCOMPARE(predicted, 12);
    }
    // A reset clears nothing until the new measurement arrives.
    view.clear();
    view.refresh(history, 0);
    QCOMPARE(view.result(), result.get());
  }

  void onePanelInACellAllInALargeView() {
    SignalPropagationView view;
    view.resize(480, 360);
    view.show();
    app::MetricHistory history;
    view.onSnapshot(snapshotOf(0, analysis()));
    view.refresh(history, 0);
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QVERIFY(!view.showsAllPanels());
    QVERIFY(view.chart(SignalPropagationView::Length)->isVisible());
    QVERIFY(!view.phaseDiagram()->isVisible());
    view.setPanel(SignalPropagationView::PhaseDiagram);
    QVERIFY(view.phaseDiagram()->isVisible());
    QVERIFY(!view.chart(SignalPropagationView::Length)->isVisible());
    // The initialiser's cross lies inside the diagram (sigma_w^2 = 2 of at least 4).
    const QPointF cross = view.phaseDiagram()->markerPosition();
    QVERIFY(view.phaseDiagram()->rect().contains(cross.toPoint()));
    QVERIFY(cross.x() < view.phaseDiagram()->width() * 0.75);
    view.resize(SignalPropagationView::kGridWidth + 100, SignalPropagationView::kGridHeight + 60);
    QTRY_VERIFY(view.showsAllPanels());
    for (auto panel : {SignalPropagationView::Length, SignalPropagationView::Correlation,
                       SignalPropagationView::Gradient}) {
      QVERIFY(view.chart(panel)->isVisible());
    }
    QVERIFY(view.phaseDiagram()->isVisible());
    QVERIFY(view.verdictText().contains(QStringLiteral("ξ_c")));
  }

  void screenshots_data() {
    QTest::addColumn<bool>("dark");
    QTest::newRow("light") << false;
    QTest::newRow("presentation-dark") << true;
  }
  void screenshots() {
    QFETCH(bool, dark);
    ui::ThemeManager::instance().setPresentation(dark);
    ui::ThemeManager::instance().setDark(dark);
    SignalPropagationView view;
    app::MetricHistory history;
    view.onSnapshot(snapshotOf(0, analysis()));
    view.resize(1100, 700);
    view.show();
    view.refresh(history, 0);
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QTRY_VERIFY(view.showsAllPanels());
    QTest::qWait(50);
    shoot(&view, QStringLiteral("signal_all"));
    view.resize(420, 320);
    QTRY_VERIFY(!view.showsAllPanels());
    for (int p = 0; p < SignalPropagationView::PanelCount; ++p) {
      view.setPanel(SignalPropagationView::Panel(p));
      QTest::qWait(50);
      shoot(&view, QStringLiteral("signal_panel%1").arg(p));
    }
    ui::ThemeManager::instance().setPresentation(false);
    ui::ThemeManager::instance().setDark(false);
  }
};

QTEST_MAIN(TestSignalPropagationView)
#include "tst_signal_propagation_view.moc"
