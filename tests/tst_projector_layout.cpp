// Every scenario's default dashboard at the projector sizes (1280x720 and 1920x1080) in the
// four themes (light, dark, presentation-light, presentation-dark): the window keeps its
// size, no chart axis title is wider than the plot side it runs
// along (Qt Charts would elide it, "los…"), no two axes' tick labels are wider than their
// room, the Scenarios panel keeps a readable width, and its title and question are larger
// than the body text. Measured with QFontMetrics against the room each label is given, and
// read back from what Qt Charts draws: no tick label or title of a visible chart elided.
#include <QtTest>

#include <QAbstractAxis>
#include <QChart>
#include <QChartView>
#include <QDockWidget>
#include <QGraphicsScene>
#include <QGraphicsSimpleTextItem>
#include <QGraphicsTextItem>
#include <QLabel>
#include <QLayout>
#include <QLogValueAxis>
#include <QValueAxis>

#include "app/scenarios/scenario_library.h"
#include "small_experiment.h"
#include "temporary_settings.h"
#include "ui/charts/dashboard_view.h"
#include "ui/panels/scenario_panel.h"
#include "ui/window/main_window.h"
#include "ui/window/theme.h"

using namespace gradscope;
using namespace gradscope::ui;

namespace {

// The chart's title, or its dock's where the chart has none (a view's only chart).
QString chartName(QChartView* view) {
  if (!view->chart()->title().isEmpty()) return view->chart()->title();
  for (QWidget* w = view; w; w = w->parentWidget()) {
    if (auto* dock = qobject_cast<QDockWidget*>(w)) return dock->windowTitle();
  }
  return QStringLiteral("(untitled chart)");
}

// The problems of one chart, in words (empty when it is fine).
QStringList chartProblems(QChartView* view) {
  QStringList problems;
  QChart* chart = view->chart();
  const QRectF plot = chart->plotArea();
  for (QAbstractAxis* axis : chart->axes()) {
    if (!axis->isVisible() || !axis->isTitleVisible() || axis->titleText().isEmpty()) continue;
    const double room = axis->orientation() == Qt::Horizontal ? plot.width() : plot.height();
    const double width = QFontMetricsF(axis->titleFont()).horizontalAdvance(axis->titleText());
    if (width > room) {
      problems << QStringLiteral("%1: axis title \"%2\" is %3 px wide in %4 px")
                      .arg(chartName(view), axis->titleText())
                      .arg(width, 0, 'f', 0)
                      .arg(room, 0, 'f', 0);
    }
    // Tick labels along a horizontal axis: each gets the space between two ticks.
    if (auto* value = qobject_cast<QValueAxis*>(axis);
        value && axis->orientation() == Qt::Horizontal && value->tickInterval() > 0.0 &&
        value->tickType() == QValueAxis::TicksDynamic) {
      const double ticks = (value->max() - value->min()) / value->tickInterval();
      const QString widest =
          QLocale().toString(std::max(std::abs(value->max()), std::abs(value->min())), 'f', 0);
      const double label = QFontMetricsF(axis->labelsFont()).horizontalAdvance(widest);
      if (ticks >= 1.0 && label > plot.width() / ticks) {
        problems << QStringLiteral("%1: tick labels %2 px wide, %3 px apart")
                        .arg(chartName(view))
                        .arg(label, 0, 'f', 0)
                        .arg(plot.width() / ticks, 0, 'f', 0);
      }
    }
  }
  return problems;
}

// What Qt Charts really draws: a tick label, axis title or chart title it had no room for is
// elided to "..." in the scene. Every visible text of the chart but the legend's must be drawn
// whole.
QStringList elidedTexts(QChartView* view) {
  QStringList problems;
  if (!view->scene()) return problems;
  for (QGraphicsItem* item : view->scene()->items()) {
    // The legend may shorten a long series name; axes and titles may not.
    if (!item->isVisible() || view->chart()->legend()->isAncestorOf(item)) continue;
    QString text;
    if (auto* rich = dynamic_cast<QGraphicsTextItem*>(item)) text = rich->toPlainText();
    if (auto* simple = dynamic_cast<QGraphicsSimpleTextItem*>(item)) text = simple->text();
    // Qt Charts truncates with three dots ("..."), the rest of the product with "…".
    if (text.contains(QChar(0x2026)) || text.contains(QLatin1String("..."))) {
      problems << QStringLiteral("%1: \"%2\" drawn elided").arg(chartName(view), text);
    }
  }
  return problems;
}

// On screen: shown, and its dock in front of its tab group. A dock behind another tab stays
// "visible" to Qt, only moved out of sight; its own visible region says whether it is seen
// (a chart's is empty either way: its viewport covers it).
bool onScreen(QWidget* widget) {
  if (!widget->isVisible()) return false;
  for (QWidget* w = widget; w; w = w->parentWidget()) {
    if (auto* dock = qobject_cast<QDockWidget*>(w)) return !dock->visibleRegion().isEmpty();
  }
  return true;
}

// What the window's height is made of, to name the part that grew it: each bar, the docks
// and the central widget with their minimum heights.
QString heightBudget(MainWindow& window) {
  QStringList parts;
  for (QWidget* child : window.findChildren<QWidget*>(QString(), Qt::FindDirectChildrenOnly)) {
    if (!child->isVisible() || child->isWindow() || child->visibleRegion().isEmpty()) continue;
    parts << QStringLiteral("%1 %2 at y %3 (min %4)")
                 .arg(child->objectName().isEmpty()
                          ? QString::fromLatin1(child->metaObject()->className())
                          : child->objectName())
                 .arg(child->height())
                 .arg(child->y())
                 .arg(child->minimumSizeHint().height());
  }
  return parts.join(QStringLiteral("; "));
}

}  // namespace

class TestProjectorLayout : public QObject {
  Q_OBJECT
 private:
  QTemporaryDir m_settingsDir;
  QFont m_applicationFont;

 private slots:
  void initTestCase() {
    QVERIFY(useTemporarySettings(m_settingsDir));
    m_applicationFont = QApplication::font();
  }

  // Each row a fresh start, as a fresh process would be: presentation mode enlarges the
  // application's font, which a window made afterwards would take for its normal size.
  void init() { QApplication::setFont(m_applicationFont); }

  void everyScenarioFits_data() {
    QTest::addColumn<QSize>("size");
    QTest::addColumn<bool>("dark");
    QTest::addColumn<bool>("presentation");
    // Both projector sizes in the four themes (light, dark and their presentation forms).
    for (const QSize size : {QSize(1280, 720), QSize(1920, 1080)}) {
      for (const bool presentation : {true, false}) {
        for (const bool dark : {true, false}) {
          QTest::addRow("%dx%d %s%s", size.width(), size.height(),
                        presentation ? "presentation-" : "", dark ? "dark" : "light")
              << size << dark << presentation;
        }
      }
    }
  }

  void everyScenarioFits() {
    QFETCH(QSize, size);
    QFETCH(bool, dark);
    QFETCH(bool, presentation);
    MainWindow::Options options;
    options.persistent = false;
    MainWindow window(smallExperiment(), options);
    window.setPresentationMode(presentation);
    window.setDarkTheme(dark);
    window.resize(size);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QStringList problems;   // layout defects: the test fails on any
    QStringList chartText;  // elided chart texts, a narrow Scenarios panel
    // GRADSCOPE_LAYOUT_SCENARIOS=id,id,...: only those (to look into one by hand).
    const QStringList only = qEnvironmentVariable("GRADSCOPE_LAYOUT_SCENARIOS")
                                 .split(QLatin1Char(','), Qt::SkipEmptyParts);
    for (const app::Scenario& scenario : app::ScenarioLibrary::builtIn().scenarios()) {
      if (!only.isEmpty() && !only.contains(scenario.id)) continue;
      QElapsedTimer clock;
      clock.start();
      window.loadScenario(scenario);
      // Populated as a lecturer shows it: an epoch trained, so the axes carry the labels
      // of real data (an empty chart draws only 0 and 1).
      // Waits on what must happen, not on a time: the scenario's fresh run in the dashboard
      // (no step yet), then steps trained (an epoch of a small data set; the first steps of
      // the Fashion-MNIST ones, whose epoch is long) and the run paused; then a few refresh
      // ticks draw the charts and let them lay themselves out.
      auto trainedSteps = [&] {
        return window.history().lastStep(window.run()) - window.history().firstStep(window.run()) +
               1;
      };
      QTRY_VERIFY2_WITH_TIMEOUT(trainedSteps() == 0,
                                qPrintable(scenario.id + QStringLiteral(": not loaded")), 900'000);
      window.stepEpoch();
      // The first step is enough for real axes; some scenarios' steps take seconds each.
      QTRY_VERIFY2_WITH_TIMEOUT(trainedSteps() > 0,
                                qPrintable(scenario.id + QStringLiteral(": no step trained")),
                                900'000);
      window.pause();
      QTRY_VERIFY2_WITH_TIMEOUT(trainedSteps() > 0 && window.runState() != app::RunState::Running,
                                qPrintable(scenario.id + QStringLiteral(": does not pause")),
                                900'000);
      QTest::qWait(150);
      // Charts measured (the Qt Charts ones; the painted views lay out their own text): every
      // default dashboard shows one or two, the loss or the gradient flow at least.
      int checked = 0;
      for (QChartView* view : window.findChildren<QChartView*>()) {
        if (!onScreen(view)) continue;
        ++checked;
        for (const QString& p : chartProblems(view)) chartText << scenario.id + ": " + p;
        for (const QString& p : elidedTexts(view)) chartText << scenario.id + ": " + p;
      }
      qInfo("%s: loaded, trained and paused in %lld ms, %d charts on screen",
            qPrintable(scenario.id), (long long)clock.elapsed(), checked);
      if (checked < 1) {
        problems << QStringLiteral("%1: only %2 charts on screen").arg(scenario.id).arg(checked);
      }
      // The view the scenario asks for is in front of its tab group (not behind another tab
      // after the layout rearranged its rows).
      if (!scenario.view.show.isEmpty()) {
        DashboardView* shown = window.view(scenario.view.show);
        if (!shown || !onScreen(shown->widget())) {
          problems << QStringLiteral("%1: its view \"%2\" is not on screen")
                          .arg(scenario.id, scenario.view.show);
        }
      }
      QDockWidget* scenarios = window.scenarioDock();
      if (scenarios->isVisible() && scenarios->width() < 220) {
        chartText << QStringLiteral("%1: Scenarios panel %2 px wide")
                         .arg(scenario.id)
                         .arg(scenarios->width());
      }
      // The window keeps the screen's size (docks whose minimum sizes add up to more would
      // grow it past the screen's edge, the status bar and the Runs table off screen).
      if (window.height() > size.height() || window.width() > size.width()) {
        problems << QStringLiteral("%1: the window grew to %2x%3")
                        .arg(scenario.id)
                        .arg(window.width())
                        .arg(window.height())
                 << heightBudget(window);
      }
    }
    // Title and question larger than the body text, the question upright.
    auto* title = window.scenarioPanel()->findChild<QLabel*>(QStringLiteral("title"));
    auto* question = window.scenarioPanel()->findChild<QLabel*>(QStringLiteral("question"));
    auto* story = window.scenarioPanel()->findChild<QLabel*>(QStringLiteral("story"));
    QVERIFY(title && question && story);
    // Presentation mode enlarges them more (the back of a lecture hall).
    // (The sizes as drawn: a theme's font may be set in pixels, not points.)
    const auto drawn = [](const QLabel* label) { return QFontInfo(label->font()).pointSizeF(); };
    QVERIFY(drawn(title) >= (presentation ? 1.4 : 1.2) * drawn(story));
    QVERIFY(drawn(question) > drawn(story));
    QVERIFY(!question->font().italic());
    problems.removeDuplicates();
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QLatin1Char('\n'))));
    chartText.removeDuplicates();
    QVERIFY2(chartText.isEmpty(), qPrintable(chartText.join(QLatin1Char('\n'))));
  }
};

QTEST_MAIN(TestProjectorLayout)
#include "tst_projector_layout.moc"
