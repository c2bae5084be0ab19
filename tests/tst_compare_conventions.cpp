// "Compare conventions" in the Runs panel: the selected run and the same run under the other
// framework's conventions train side by side, named by what differs; pressed on the PyTorch
// run's panel it goes back to Keras.
#include <QtTest>

#include <QPushButton>
#include <QTemporaryDir>

#include "small_experiment.h"
#include "temporary_settings.h"
#include "ui/panels/config_editor.h"
#include "ui/panels/run_table_model.h"
#include "ui/panels/runs_panel.h"
#include "ui/window/main_window.h"

using namespace gradscope;
using namespace gradscope::ui;

class TestCompareConventions : public QObject {
  Q_OBJECT
 private:
  QTemporaryDir m_settingsDir;

 private slots:
  void initTestCase() { QVERIFY(useTemporarySettings(m_settingsDir)); }

  void startsTheTwinUnderTheOtherConventions() {
    MainWindow::Options options;
    options.persistent = false;
    MainWindow window(smallExperiment(), options);
    window.showAsRestored();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QTRY_VERIFY_WITH_TIMEOUT(window.history().hasRun(0), 10000);
    RunsPanel* panel = window.runsPanel();
    QVERIFY(panel->conventionsButton()->isEnabled());
    QVERIFY(window.configEditor().config().optimizer.conventions == core::Conventions::Keras);

    panel->conventionsButton()->click();
    QTRY_COMPARE_WITH_TIMEOUT(panel->model()->rowCount(), 2, 10000);
    const auto runs = window.controller().runs();
    QCOMPARE(runs.size(), 2);
    QVERIFY(runs[0].config.optimizer.conventions == core::Conventions::Keras);
    QVERIFY(runs[1].config.optimizer.conventions == core::Conventions::PyTorch);
    // Everything else is the same run: data, network, optimiser, rate, seed.
    core::ExperimentConfig back = runs[1].config;
    core::switchConventions(back, core::Conventions::Keras);
    QVERIFY(back == runs[0].config);
    const QString name =
        panel->model()->data(panel->model()->index(1, RunTableModel::Name)).toString();
    QVERIFY2(name.contains(QStringLiteral("pytorch")), qPrintable(name));

    // Both train, in lockstep.
    for (int i = 0; i < 5; ++i) window.stepBatch();
    QTRY_VERIFY_WITH_TIMEOUT(window.history().stepCount(1) == 5, 10000);
    QCOMPARE(window.history().stepCount(0), std::int64_t(5));
  }
};

QTEST_MAIN(TestCompareConventions)
#include "tst_compare_conventions.moc"
