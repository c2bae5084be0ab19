// The scenario picker and the Scenarios panel, offscreen: picking a scenario restarts the run
// with its first run's settings and shows its question, story, what to look at and claim; a
// run button loads another run; live changes are made when the run passes their step (or at
// once by their button) and again after a reset.
#include <QtTest>

#include <QCheckBox>
#include <QComboBox>
#include <QDockWidget>
#include <QPushButton>
#include <QStatusBar>
#include <QTemporaryDir>

#include "app/default_experiment.h"
#include "app/scenario_library.h"
#include "ui/config_editor.h"
#include "ui/main_window.h"
#include "ui/scenario_panel.h"

using namespace gradscope;
using namespace gradscope::ui;

class TestScenarioPanel : public QObject {
  Q_OBJECT

 private:
  std::unique_ptr<MainWindow> m_window;
  QTemporaryDir m_settingsDir;
  MainWindow& window() { return *m_window; }

  // Picks the scenario from the toolbar's picker, as a lecturer would.
  void pick(const app::Scenario& scenario) {
    auto* box = window().findChild<QComboBox*>(QStringLiteral("scenarios"));
    QVERIFY(box);
    int index = -1;
    for (int i = 0; i < box->count(); ++i) {
      if (box->itemText(i).endsWith(scenario.title)) index = i;
    }
    QVERIFY2(index > 0, qPrintable(scenario.title));
    box->setCurrentIndex(index);
    emit box->activated(index);
    QCOMPARE(box->currentIndex(), 0);
  }

 private slots:
  void initTestCase() {
    QVERIFY(m_settingsDir.isValid());
    qputenv("XDG_CONFIG_HOME", QFile::encodeName(m_settingsDir.path()));
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("GradScopeTest"));
    MainWindow::Options options;
    options.persistent = false;
    m_window = std::make_unique<MainWindow>(app::defaultExperiment(), options);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    QTRY_VERIFY_WITH_TIMEOUT(window().history().hasRun(0), 10000);
  }

  void cleanupTestCase() { m_window.reset(); }

  void pickerListsEveryScenario() {
    auto* box = window().findChild<QComboBox*>(QStringLiteral("scenarios"));
    QVERIFY(box);
    const auto& scenarios = app::ScenarioLibrary::builtIn().scenarios();
    QVERIFY(scenarios.size() >= 15);
    for (const app::Scenario& s : scenarios) {
      bool found = false;
      for (int i = 0; i < box->count(); ++i) {
        if (box->itemText(i).endsWith(s.title)) {
          found = true;
          QCOMPARE(box->itemData(i, Qt::ToolTipRole).toString(), s.claim);
        }
      }
      QVERIFY2(found, qPrintable(s.title));
    }
    QVERIFY(window().scenarioPanel()->text().contains(QStringLiteral("Pick a scenario")));
  }

  void pickingLoadsTheFirstRunAndItsText() {
    const app::Scenario* s = app::ScenarioLibrary::builtIn().find("relu-and-he");
    QVERIFY(s);
    window().stepBatch();
    QTRY_VERIFY(window().history().stepCount(0) > 0);
    pick(*s);
    QTRY_VERIFY(window().controller().config() == s->runs[0].config);
    QTRY_COMPARE(window().history().stepCount(0), std::int64_t(0));  // restarted
    ScenarioPanel* panel = window().scenarioPanel();
    QCOMPARE(panel->run(), 0);
    for (const QString& part : {s->title, s->question, s->story, s->lookAt, s->claim}) {
      QVERIFY2(panel->text().contains(part), qPrintable(part));
    }
    QVERIFY(window().scenarioDock()->isVisible());
    QVERIFY(window().statusBar()->currentMessage().contains(s->title));

    // The second run's button restarts with the second run.
    auto* second = panel->findChild<QPushButton*>(QStringLiteral("run1"));
    QVERIFY(second);
    QCOMPARE(second->text(), s->runs[1].name);
    second->click();
    QTRY_VERIFY(window().controller().config() == s->runs[1].config);
    QCOMPARE(panel->run(), 1);
  }

  void liveChangesAtTheirStep() {
    const app::Scenario* s = app::ScenarioLibrary::builtIn().find("saturation");
    QVERIFY(s);
    const app::ScenarioAction& action = s->runs[0].actions.front();
    pick(*s);
    QTRY_VERIFY(window().controller().config() == s->runs[0].config);
    ScenarioPanel* panel = window().scenarioPanel();
    QVERIFY(panel->findChild<QPushButton*>(QStringLiteral("action0")));
    QCOMPARE(panel->appliedActions(), 0);
    // Train past the change's step: the activation switches while it trains.
    window().setSpeed(0.0);
    window().play();
    QTRY_VERIFY_WITH_TIMEOUT(window().history().lastStep(0) >= action.atStep, 20000);
    const core::ExperimentConfig expected = app::applyAction(s->runs[0].config, action);
    QTRY_VERIFY(window().controller().config().model.hiddenActivation.kind ==
                expected.model.hiddenActivation.kind);
    QCOMPARE(panel->appliedActions(), 1);
    window().pause();

    // After a reset the change is due again; its button makes it at once.
    window().loadScenario(*s);
    QTRY_VERIFY(window().controller().config() == s->runs[0].config);
    QCOMPARE(panel->appliedActions(), 0);
    panel->findChild<QPushButton*>(QStringLiteral("action0"))->click();
    QTRY_VERIFY(window().controller().config().model.hiddenActivation.kind ==
                expected.model.hiddenActivation.kind);
    QCOMPARE(panel->appliedActions(), 1);
  }

  void rangeTestScenarioOffersTheTest() {
    const app::Scenario* s = app::ScenarioLibrary::builtIn().find("lr-range-test");
    QVERIFY(s);
    pick(*s);
    auto* button = window().scenarioPanel()->findChild<QPushButton*>(QStringLiteral("rangeTest"));
    QVERIFY(button);
    QSignalSpy results(&window(), &MainWindow::lrRangeTestResult);
    button->click();
    QTRY_COMPARE_WITH_TIMEOUT(results.count(), 1, 30000);
  }
};

QTEST_MAIN(TestScenarioPanel)
#include "tst_scenario_panel.moc"
