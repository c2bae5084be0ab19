// The Backprop view with a real trace (scenario 21's 2-3-3-1 network): the walk through the
// step's sub-steps by keyboard, the numbers it writes (the engine's, as the trace holds them),
// the chain-rule tooltip of an edge, choosing a first-layer weight by clicking its edge, the
// refusal of a large network, the layout at dashboard sizes in both themes, the state a
// session keeps, and, in the dashboard, "step with trace" through the worker when scenario 21
// brings the view to the front. With GRADSCOPE_SHOTS=DIR it saves what it drew there as PNGs.
#include <QtTest>

#include <QDir>
#include <QDockWidget>

#include "app/scenarios/scenario_library.h"
#include "app/worker/training_run.h"
#include "core/backprop/backprop_tracer.h"
#include "small_experiment.h"
#include "ui/backprop/backprop_view.h"
#include "ui/window/main_window.h"
#include "ui/window/session_manager.h"
#include "ui/window/theme.h"

using namespace gradscope;
using namespace gradscope::ui;

namespace {

const app::Scenario& backpropScenario() {
  const app::Scenario* s = app::ScenarioLibrary::builtIn().find(QStringLiteral("backprop-by-hand"));
  if (!s) qFatal("no scenario backprop-by-hand");
  return *s;
}

app::BackpropSnapshotPtr snapshotOf(const core::ExperimentConfig& config, int steps = 3) {
  auto run = app::TrainingRun::create(config);
  for (int i = 0; i < steps; ++i) run->step();
  auto snapshot = std::make_shared<app::BackpropSnapshot>();
  snapshot->trace = std::make_shared<const core::BackpropTrace>(run->traceNextStep());
  snapshot->stepTaken = true;
  return snapshot;
}

QString number(double value) {
  QString text = QString::number(value, 'g', 3);
  if (text.startsWith(QLatin1Char('-'))) text.replace(0, 1, QChar(0x2212));
  return text;
}

void saveShot(QWidget* widget, const QString& name) {
  const QString dir = qEnvironmentVariable("GRADSCOPE_SHOTS");
  if (dir.isEmpty()) return;
  QDir().mkpath(dir);
  widget->grab().save(dir + QLatin1Char('/') + name + QStringLiteral(".png"));
}

}  // namespace

class TestBackpropView : public QObject {
  Q_OBJECT
 private slots:
  void walksThroughTheStepByKeyboard() {
    BackpropView view;
    view.resize(900, 560);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QVERIFY(!view.message().isEmpty());  // how to start
    const auto snapshot = snapshotOf(backpropScenario().runs.front().config);
    view.setTrace(snapshot);
    QVERIFY(view.hasTrace());
    QVERIFY(view.message().isEmpty());
    // sample, 3 forward, loss, 3 backward, paths, 3 updates
    QCOMPARE(view.walk().count(), 12);
    QCOMPARE(view.walk().index(), 0);
    QTest::keyClick(&view, Qt::Key_Right);
    QCOMPARE(view.walk().current().kind, BackpropWalk::Kind::Forward);
    QCOMPARE(view.walk().current().layer, 0);
    QTest::keyClick(&view, Qt::Key_Left);
    QTest::keyClick(&view, Qt::Key_Left);  // stays at the first
    QCOMPARE(view.walk().index(), 0);
    QTest::keyClick(&view, Qt::Key_End);
    QCOMPARE(view.walk().current().kind, BackpropWalk::Kind::Update);
    QCOMPARE(view.walk().current().layer, 2);
    QSignalSpy requested(&view, &BackpropView::traceRequested);
    QTest::keyClick(&view, Qt::Key_Return);
    QCOMPARE(requested.count(), 1);
    QCOMPARE(requested.first().at(0).toBool(), true);
  }

  // What the view writes is the trace's numbers: z and a in the forward pass, δ and the
  // gradients in the backward pass, the path sum next to the engine's gradient, old → new.
  void writesTheEnginesNumbers() {
    BackpropView view;
    view.resize(1000, 600);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    const auto snapshot = snapshotOf(backpropScenario().runs.front().config);
    const core::BackpropTrace& t = *snapshot->trace;
    view.setTrace(snapshot);
    QTest::keyClick(&view, Qt::Key_Right);  // forward, first hidden layer
    QString text = view.detailLines().join('\n');
    QVERIFY2(text.contains(number(t.layers[0].z(1, 0))), qPrintable(text));
    QVERIFY(text.contains(number(t.layers[0].a(2, 0))));
    for (int i = 0; i < 4; ++i) QTest::keyClick(&view, Qt::Key_Right);  // backward, output
    QCOMPARE(view.walk().current().kind, BackpropWalk::Kind::Backward);
    text = view.detailLines().join('\n');
    QVERIFY2(text.contains(number(t.layers[2].delta(0, 0))), qPrintable(text));
    QTest::keyClick(&view, Qt::Key_Right);  // backward, second hidden layer
    text = view.detailLines().join('\n');
    QVERIFY(text.contains(number(t.layers[1].upstream(1, 0))));
    QVERIFY(text.contains(number(t.layers[1].delta(1, 0))));
    for (int i = 0; i < 2; ++i) QTest::keyClick(&view, Qt::Key_Right);  // sum over paths
    QCOMPARE(view.walk().current().kind, BackpropWalk::Kind::Paths);
    const core::BackpropPathSum* sum = t.pathSum(0, 0);
    text = view.detailLines().join('\n');
    QVERIFY2(
        text.contains(QStringLiteral("the engine's ∂L/∂w = %1").arg(number(sum->engineGradient))),
        qPrintable(text));
    QCOMPARE(view.detailLines().filter(QStringLiteral(" → o")).size(), 3);  // three paths
    QTest::keyClick(&view, Qt::Key_Right);                                  // update, first layer
    text = view.detailLines().join('\n');
    QVERIFY(text.contains(QStringLiteral("%1 → %2").arg(number(t.layers[0].kernelBefore(1, 2)),
                                                        number(t.layers[0].kernelAfter(1, 2)))));
    QVERIFY(text.contains(QString::fromStdString(t.updateRule)));
  }

  void edgeToolTipAndClickChooseTheWeight() {
    BackpropView view;
    view.resize(1000, 600);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    const auto snapshot = snapshotOf(backpropScenario().runs.front().config);
    view.setTrace(snapshot);
    QVERIFY(!view.edges().empty());
    const BackpropView::Edge* target = nullptr;
    for (const auto& e : view.edges()) {
      if (e.layer == 0 && e.from == 1 && e.to == 2) target = &e;
    }
    QVERIFY(target);
    const QString tip = view.edgeToolTip(*target);
    const auto& layer = snapshot->trace->layers[0];
    QVERIFY2(tip.contains(number(layer.kernelGradient(1, 2))), qPrintable(tip));
    QVERIFY(tip.contains(number(layer.delta(2, 0))));
    QVERIFY(tip.contains(number(snapshot->trace->inputs(1, 0))));
    // Click the middle of the edge (away from where other edges cross it).
    const QPoint at = target->line.pointAt(0.15).toPoint();
    QTest::mouseClick(view.canvas(), Qt::LeftButton, {}, at);
    QCOMPARE(view.chosenInput(), 1);
    QCOMPARE(view.chosenUnit(), 2);
    const QJsonObject state = view.state();
    BackpropView other;
    other.setState(state);
    other.setTrace(snapshot);
    QCOMPARE(other.chosenInput(), 1);
    QCOMPARE(other.chosenUnit(), 2);
  }

  void refusesALargeNetworkPlainly() {
    BackpropView view;
    auto snapshot = std::make_shared<app::BackpropSnapshot>();
    snapshot->refusal = QString::fromStdString(
        *core::backpropRefusal(app::networkFor(smallExperiment(), 2, 1, core::TaskKind::Binary)));
    view.setTrace(snapshot);
    QVERIFY(!view.hasTrace());
    QVERIFY(view.message().contains(QStringLiteral("at most 4")));
    QVERIFY(view.edges().empty());
  }

  // At the sizes a dashboard cell and a floated panel have on 1280x720 and 1920x1080, in light
  // and presentation-dark: the cards fit, do not overlap, and the panel does not cover them.
  void layoutFitsInBothThemes_data() {
    QTest::addColumn<QSize>("size");
    QTest::addColumn<bool>("presentation");
    QTest::newRow("floated 1280x720") << QSize(900, 520) << false;
    QTest::newRow("floated 1280x720 presentation") << QSize(1000, 620) << true;
    QTest::newRow("cell 1920x1080") << QSize(760, 460) << false;
    QTest::newRow("floated 1920x1080 presentation") << QSize(1500, 900) << true;
  }
  void layoutFitsInBothThemes() {
    QFETCH(QSize, size);
    QFETCH(bool, presentation);
    ThemeManager::instance().setPresentation(presentation);
    ThemeManager::instance().setDark(presentation);
    BackpropView view;
    view.resize(size);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    const auto snapshot = snapshotOf(backpropScenario().runs.front().config);
    view.setTrace(snapshot);
    QVERIFY2(!view.cards().empty(), "too small to draw");
    for (const auto& a : view.cards()) {
      QVERIFY(view.canvas()->rect().contains(a.rect));
      QVERIFY(!a.rect.intersects(view.detailRect()));
      for (const auto& b : view.cards()) {
        if (&a != &b) QVERIFY(!a.rect.intersects(b.rect));
      }
    }
    const QString tag = QStringLiteral("%1x%2_%3")
                            .arg(size.width())
                            .arg(size.height())
                            .arg(presentation ? "presentation-dark" : "light");
    for (int i = 0; i < view.walk().count(); ++i) {
      view.setState(QJsonObject{{"sub_step", i}});
      if (i == 2 || i == 6 || i == 8 || i == 9 || i == 10)
        saveShot(&view, QStringLiteral("backprop_%1_%2").arg(tag).arg(i, 2, 10, QLatin1Char('0')));
    }
    ThemeManager::instance().setPresentation(false);
    ThemeManager::instance().setDark(false);
  }

  // In the dashboard: scenario 21 brings the view to the front, which asks the worker for a
  // preview; Step takes the traced step.
  void dashboardStepsWithTrace() {
    MainWindow::Options options;
    options.persistent = false;
    MainWindow window(smallExperiment(), options);
    window.resize(1280, 720);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    auto* view = dynamic_cast<BackpropView*>(window.view(QStringLiteral("Backprop")));
    QVERIFY(view);
    window.loadScenario(backpropScenario());
    QTRY_VERIFY_WITH_TIMEOUT(view->isVisible(), 5000);
    QTRY_VERIFY_WITH_TIMEOUT(view->hasTrace(), 10000);
    QCOMPARE(view->trace()->step, std::int64_t(0));
    QCOMPARE(int(view->trace()->layers.size()), 3);
    // Too small in its cell at 1280x720: a click opens it larger, where it draws the network.
    QVERIFY(view->cards().empty());
    QTest::mouseClick(view->canvas(), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!view->cards().empty(), 5000);
    view->requestStep();
    QTRY_COMPARE_WITH_TIMEOUT(view->trace()->step, std::int64_t(0), 10000);
    view->requestStep();  // the run took step 0: this traces step 1
    QTRY_COMPARE_WITH_TIMEOUT(view->trace()->step, std::int64_t(1), 10000);
    saveShot(&window, QStringLiteral("backprop_dashboard_1280x720"));

    // The session keeps the view's place: sub-step, sample and chosen weight.
    view->chooseWeight(1, 2);
    view->setState(QJsonObject{{"sub_step", 8}, {"weight", QJsonArray{1, 2}}});
    QCOMPARE(view->walk().index(), 8);
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("backprop.gradscope"));
    bool saved = false;
    window.sessions().saveTo(path, [&](bool ok, const QString&) { saved = ok; });
    QTRY_VERIFY_WITH_TIMEOUT(saved, 10000);
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QJsonObject state = QJsonDocument::fromJson(file.readAll())
                                  .object()
                                  .value(QStringLiteral("views"))
                                  .toObject()
                                  .value(QStringLiteral("Backprop"))
                                  .toObject();
    QCOMPARE(state.value(QStringLiteral("sub_step")).toInt(), 8);
    QCOMPARE(state.value(QStringLiteral("weight")).toArray(), (QJsonArray{1, 2}));

    MainWindow reopened(smallExperiment(), options);
    reopened.resize(1280, 720);
    reopened.show();
    QVERIFY(QTest::qWaitForWindowExposed(&reopened));
    auto* again = dynamic_cast<BackpropView*>(reopened.view(QStringLiteral("Backprop")));
    QSignalSpy opened(&reopened.sessions(), &SessionManager::sessionOpened);
    QVERIFY(reopened.sessions().open(path));
    QTRY_COMPARE_WITH_TIMEOUT(opened.count(), 1, 10000);
    // The state waits for the first trace the view shows (a preview keeps the place).
    auto preview = std::make_shared<app::BackpropSnapshot>(
        *snapshotOf(backpropScenario().runs.front().config));
    preview->stepTaken = false;
    again->setTrace(preview);
    QCOMPARE(again->walk().index(), 8);
    QCOMPARE(again->chosenInput(), 1);
    QCOMPARE(again->chosenUnit(), 2);
  }
};

QTEST_MAIN(TestBackpropView)
#include "tst_backprop_view.moc"
