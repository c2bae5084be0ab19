// The scenario picker and the Scenarios panel, offscreen: picking a single-run scenario
// restarts the run with its settings and shows its question, story, what to look at and claim;
// a scenario with several runs trains them side by side (named as in the scenario) and its run
// buttons show one of them; each run's live changes are made when that run passes their step
// (or at once by their button) and again after loading it again.
#include <QtTest>

#include <QCheckBox>
#include <QComboBox>
#include <QDockWidget>
#include <QPushButton>
#include <QStatusBar>
#include <QTemporaryDir>

#include "app/scenarios/default_experiment.h"
#include "app/scenarios/scenario_library.h"
#include "temporary_settings.h"
#include "ui/panels/config_editor.h"
#include "ui/panels/scenario_panel.h"
#include "ui/window/main_window.h"

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
    QVERIFY(useTemporarySettings(m_settingsDir));
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

  // The run table's runs as (name, config) pairs, in display order.
  static std::vector<std::pair<QString, core::ExperimentConfig>> tableRuns(const app::RunTable& t) {
    std::vector<std::pair<QString, core::ExperimentConfig>> out;
    for (const app::RunEntry& e : t.runs) out.emplace_back(e.name, e.config);
    return out;
  }

  // The scenario's runs as the comparison should hold them: its names and configurations.
  static std::vector<std::pair<QString, core::ExperimentConfig>> scenarioRuns(
      const app::Scenario& s) {
    std::vector<std::pair<QString, core::ExperimentConfig>> out;
    for (const app::ScenarioRun& r : s.runs) out.emplace_back(r.name, r.config);
    return out;
  }

  void singleRunScenarioRestartsTheExperiment() {
    const app::Scenario* s = app::ScenarioLibrary::builtIn().find("vanishing-gradients");
    QVERIFY(s);
    QCOMPARE(s->runs.size(), std::size_t(1));
    window().stepBatch();
    QTRY_VERIFY(window().history().stepCount(0) > 0);
    pick(*s);
    QTRY_VERIFY(window().controller().config() == s->runs[0].config);
    QTRY_COMPARE(window().history().stepCount(0), std::int64_t(0));  // restarted
    QTRY_COMPARE(window().controller().runs().size(), qsizetype(1));
    ScenarioPanel* panel = window().scenarioPanel();
    QVERIFY(!panel->findChild<QPushButton*>(QStringLiteral("run0")));
    for (const QString& part : {s->title, s->question, s->story, s->lookAt, s->claim}) {
      QVERIFY2(panel->text().contains(part), qPrintable(part));
    }
    QVERIFY(window().scenarioDock()->isVisible());
    QVERIFY(window().statusBar()->currentMessage().contains(s->title));
  }

  void multiRunScenarioTrainsItsRunsSideBySide_data() {
    QTest::addColumn<QString>("id");
    QTest::newRow("relu-and-he") << QStringLiteral("relu-and-he");
    QTest::newRow("initialisation-matters") << QStringLiteral("initialisation-matters");
    QTest::newRow("optimiser-race") << QStringLiteral("optimiser-race");
  }

  void multiRunScenarioTrainsItsRunsSideBySide() {
    QFETCH(QString, id);
    const app::Scenario* s = app::ScenarioLibrary::builtIn().find(id);
    QVERIFY(s);
    QVERIFY(s->runs.size() > 1);
    pick(*s);
    // Every run of the scenario, named as in the scenario, in its order, the first one shown.
    QTRY_VERIFY(window().controller().runTable() &&
                tableRuns(*window().controller().runTable()) == scenarioRuns(*s));
    QTRY_VERIFY(window().controller().config() == s->runs[0].config);
    QCOMPARE(window().run(), 0);
    ScenarioPanel* panel = window().scenarioPanel();
    QCOMPARE(panel->run(), 0);
    for (std::size_t i = 0; i < s->runs.size(); ++i) {
      QTRY_VERIFY(window().history().hasRun(int(i)));
    }
    qInfo("%s: %zu runs side by side", qPrintable(s->id), s->runs.size());

    // Training moves every run in lockstep: each has the same number of steps.
    window().stepBatch();
    for (std::size_t i = 0; i < s->runs.size(); ++i) {
      // Seven deep runs of 64 units start with their first step: seconds on a busy machine.
      QTRY_COMPARE_WITH_TIMEOUT(window().history().stepCount(int(i)), std::int64_t(1), 30000);
    }

    // A run's button shows that run; the comparison stays (no restart, same runs).
    const int last = int(s->runs.size()) - 1;
    auto* button = panel->findChild<QPushButton*>(QStringLiteral("run%1").arg(last));
    QVERIFY(button);
    QCOMPARE(button->text(), s->runs.back().name);
    button->click();
    QCOMPARE(window().run(), last);
    QCOMPARE(panel->run(), last);
    QTRY_VERIFY(window().controller().config() == s->runs.back().config);
    QVERIFY(tableRuns(*window().controller().runTable()) == scenarioRuns(*s));
    for (std::size_t i = 0; i < s->runs.size(); ++i) {
      QCOMPARE(window().history().stepCount(int(i)), std::int64_t(1));  // not restarted
    }
    // Selecting elsewhere (the Runs table) moves the panel's choice along.
    window().selectRun(0);
    QCOMPARE(panel->run(), 0);
    // (the buttons are rebuilt; the old ones go at the next turn of the event loop)
    QTRY_VERIFY(panel->findChild<QPushButton*>(QStringLiteral("run0"))->isChecked());
  }

  void loadingAScenarioAtAnotherRunShowsIt() {
    const app::Scenario* s = app::ScenarioLibrary::builtIn().find("relu-and-he");
    QVERIFY(s);
    window().loadScenario(*s, 1);
    QTRY_VERIFY(window().controller().runTable() &&
                tableRuns(*window().controller().runTable()) == scenarioRuns(*s));
    QTRY_COMPARE(window().run(), 1);
    QTRY_VERIFY(window().controller().config() == s->runs[1].config);
    QCOMPARE(window().scenarioPanel()->run(), 1);
  }

  void liveChangesAtTheirStepInEveryRun() {
    const app::Scenario* s = app::ScenarioLibrary::builtIn().find("saturation");
    QVERIFY(s);
    QVERIFY(s->runs.size() > 1);
    pick(*s);
    QTRY_VERIFY(window().controller().runTable() &&
                tableRuns(*window().controller().runTable()) == scenarioRuns(*s));
    ScenarioPanel* panel = window().scenarioPanel();
    QVERIFY(panel->findChild<QPushButton*>(QStringLiteral("action0")));
    std::int64_t lastAction = 0;
    for (std::size_t i = 0; i < s->runs.size(); ++i) {
      QVERIFY(!s->runs[i].actions.empty());
      QCOMPARE(panel->appliedActions(int(i)), 0);
      lastAction = std::max(lastAction, s->runs[i].actions.front().atStep);
    }
    // Train past the changes' steps: each run switches its own activation while it trains.
    window().setSpeed(0.0);
    window().play();
    for (std::size_t i = 0; i < s->runs.size(); ++i) {
      QTRY_VERIFY_WITH_TIMEOUT(window().history().lastStep(int(i)) >= lastAction, 30000);
    }
    for (std::size_t i = 0; i < s->runs.size(); ++i) {
      const core::ExperimentConfig expected =
          app::applyAction(s->runs[i].config, s->runs[i].actions.front());
      QVERIFY(expected.model.hiddenActivation.kind !=
              s->runs[i].config.model.hiddenActivation.kind);
      QTRY_VERIFY(
          window().controller().runTable()->find(int(i))->config.model.hiddenActivation.kind ==
          expected.model.hiddenActivation.kind);
      QCOMPARE(panel->appliedActions(int(i)), 1);
      qInfo("%s: run '%s' switched at step %lld", qPrintable(s->id), qPrintable(s->runs[i].name),
            static_cast<long long>(s->runs[i].actions.front().atStep));
    }
    window().pause();

    // After loading again the changes are due again; a button makes the shown run's at once,
    // and only that run's.
    window().loadScenario(*s, 1);
    QTRY_COMPARE(window().run(), 1);
    QTRY_VERIFY(window().controller().config() == s->runs[1].config);
    for (std::size_t i = 0; i < s->runs.size(); ++i) QCOMPARE(panel->appliedActions(int(i)), 0);
    panel->findChild<QPushButton*>(QStringLiteral("action0"))->click();
    const core::ExperimentConfig expected =
        app::applyAction(s->runs[1].config, s->runs[1].actions.front());
    QTRY_VERIFY(window().controller().config().model.hiddenActivation.kind ==
                expected.model.hiddenActivation.kind);
    QCOMPARE(panel->appliedActions(1), 1);
    QCOMPARE(panel->appliedActions(0), 0);
    QVERIFY(window().controller().runTable()->find(0)->config == s->runs[0].config);
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
