// Comparison runs on screen: the loss chart overlays the runs (one colour and legend entry per
// run, named by what differs) and goes back to the single-run chart; the results table shows
// the figures and, for the optimiser race, the measured stars beside the lecture's; in the
// dashboard the race trains eight runs, selecting a run switches what the panels edit and the
// charts show, removing a run drops it from the history; "Compare…" builds variants in one
// setting and refuses bad values by reason.
//
// With GRADSCOPE_SCREENSHOTS=<directory> it saves the dashboard during the race there.
#include <QtTest>

#include <QComboBox>
#include <QDockWidget>
#include <QLabel>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QPushButton>
#include <QTableView>
#include <QTemporaryDir>

#include <cmath>

#include "app/history/metric_history.h"
#include "app/runs/optimizer_race.h"
#include "app/scenarios/default_experiment.h"
#include "small_experiment.h"
#include "temporary_settings.h"
#include "ui/charts/chart_view.h"
#include "ui/charts/decision_boundary_view.h"
#include "ui/charts/histogram_view.h"
#include "ui/charts/loss_view.h"
#include "ui/panels/compare_dialog.h"
#include "ui/panels/config_editor.h"
#include "ui/panels/number_spin_box.h"
#include "ui/panels/run_table_model.h"
#include "ui/panels/runs_panel.h"
#include "ui/window/main_window.h"
#include "ui/window/theme.h"
#include "ui/window/timeline_bar.h"

using namespace gradscope;
using namespace gradscope::ui;

namespace {

// `steps` steps of a run whose loss falls from `start` by `rate` a step, epochs of 10 steps.
app::Snapshot fallingRun(int id, int steps, double start, double rate) {
  app::Snapshot s;
  s.run = id;
  s.reset = true;
  double loss = start;
  for (int i = 0; i < steps; ++i) {
    s.steps.push_back(i);
    for (auto& series : s.stepValues) series.push_back(0.0);
    s.stepValues[std::size_t(app::StepMetric::Loss)].back() = loss;
    if (i % 10 == 9) {
      app::EpochSample e;
      e.epoch = i / 10;
      e.lastStep = i;
      e.loss = loss;
      e.valLoss = loss * 1.1;
      s.epochs.push_back(e);
    }
    loss *= rate;
  }
  s.currentStep = steps;
  return s;
}

std::shared_ptr<app::RunTable> tableOf(const QStringList& names) {
  auto table = std::make_shared<app::RunTable>();
  for (int i = 0; i < names.size(); ++i) {
    app::RunEntry e;
    e.id = i;
    e.name = names[i];
    e.colour = i;
    table->runs.push_back(e);
  }
  table->differingSettings = QStringLiteral("Hidden activation");
  return table;
}

bool inLegend(ChartView* chart, QAbstractSeries* series) {
  for (QLegendMarker* marker : chart->chart()->legend()->markers(series)) {
    if (marker->isVisible()) return true;
  }
  return false;
}

}  // namespace

class TestRunsView : public QObject {
  Q_OBJECT
 private:
  QTemporaryDir m_settingsDir;

 private slots:
  void initTestCase() { QVERIFY(useTemporarySettings(m_settingsDir)); }

  void lossChartOverlaysTheRuns() {
    app::MetricHistory history;
    history.append(fallingRun(0, 200, 1.0, 0.99));
    history.append(fallingRun(1, 200, 1.0, 0.97));
    LossView view;
    view.resize(600, 400);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.setRunTable(tableOf({"sigmoid", "relu"}));
    QVERIFY(view.comparing());
    QVERIFY(view.overlaysRuns());
    view.refresh(history, 0);
    ChartView* chart = view.chartView();
    for (int i = 0; i < 2; ++i) {
      QLineSeries* line = view.runLine(i);
      QVERIFY(line && line->isVisible());
      QVERIFY(line->count() > 10);
      QCOMPARE(line->pen().color(), theme().runColor(i));
      QTRY_VERIFY(inLegend(chart, line));  // once the legend has laid out its new entries
    }
    QCOMPARE(view.runLine(0)->name(), QString("sigmoid"));
    QCOMPARE(view.runLine(1)->name(), QString("relu"));
    // The faster-falling run ends lower: the lines are the runs' own.
    QVERIFY(view.runLine(1)->points().back().y() < view.runLine(0)->points().back().y());
    // The selected run is drawn thicker.
    QVERIFY(view.runLine(0)->pen().widthF() > view.runLine(1)->pen().widthF());
    QVERIFY(chart->title().contains("Hidden activation"));
    // The single run's own series are out of sight and out of the legend; the dashed lines
    // have one key, "validation (dashed)".
    int singleInLegend = 0;
    QAbstractSeries* validationKey = nullptr;
    for (QAbstractSeries* s : chart->chart()->series()) {
      if (s->name() == QStringLiteral("validation (dashed)")) {
        validationKey = s;
        continue;
      }
      if (s != view.runLine(0) && s != view.runLine(1) && s->isVisible() && inLegend(chart, s)) {
        ++singleInLegend;
      }
    }
    QCOMPARE(singleInLegend, 0);
    QVERIFY(validationKey);
    QTRY_VERIFY(inLegend(chart, validationKey));

    // One run again: the usual chart (training and validation), no run lines.
    view.setRunTable(tableOf({"run"}));
    QVERIFY(!view.comparing());
    view.refresh(history, 0);
    QVERIFY(!view.runLine(0)->isVisible());
    QVERIFY(!inLegend(chart, view.runLine(0)));
    int visible = 0;
    for (QAbstractSeries* s : chart->chart()->series()) visible += s->isVisible() ? 1 : 0;
    QVERIFY(visible >= 2);
  }

  // A log-scale overlay shows a loss far below 1e-3 as it is after one redraw (the axis is
  // fitted before the points are set, which are clamped to its floor).
  void logOverlayIsNotClampedAtTheOldFloor() {
    app::MetricHistory history;
    history.append(fallingRun(0, 600, 1.0, 0.98));  // down to ~5e-6
    history.append(fallingRun(1, 600, 1.0, 0.995));
    LossView view;
    view.resize(600, 400);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.setRunTable(tableOf({"1cycle", "constant"}));
    view.setSmoothing(0.0);
    view.setLogScale(true);
    view.refresh(history, 0);
    double lowest = 1.0;
    for (const QPointF& p : view.runLine(0)->points()) lowest = std::min(lowest, p.y());
    QVERIFY2(lowest < 1e-5, qPrintable(QString::number(lowest)));
  }

  void resultsTableShowsTheFigures() {
    auto table = tableOf({"Adam", "AdaGrad"});
    table->comparesOptimizers = true;
    table->targetLoss = 0.2;
    table->runs[0].config.optimizer.kind = core::OptimizerKind::Adam;
    table->runs[1].config.optimizer.kind = core::OptimizerKind::Adagrad;
    table->runs[0].summary.steps = 500;
    table->runs[0].summary.stepsToTarget = 120;
    table->runs[0].summary.epochsToTarget = 10;
    table->runs[0].summary.initialLoss = 0.7;
    table->runs[0].summary.bestLoss = 0.05;
    table->runs[0].summary.bestValLoss = 0.06;
    table->runs[1].summary.diverged = true;
    table->runs[1].summary.divergedAtStep = 42;
    RunTableModel model;
    model.setRunTable(table);
    QCOMPARE(model.rowCount(), 2);
    auto cell = [&](int row, int column) {
      return model.data(model.index(row, column)).toString();
    };
    QCOMPARE(cell(0, RunTableModel::Name), QString("Adam"));
    QCOMPARE(cell(0, RunTableModel::ToTarget), QString("120 (10)"));
    QCOMPARE(cell(0, RunTableModel::TrainingLoss), QString("0.05 / –"));
    QCOMPARE(cell(0, RunTableModel::ValidationLoss), QString("0.06 / –"));
    QCOMPARE(cell(1, RunTableModel::ToTarget), QString("–"));
    QCOMPARE(cell(1, RunTableModel::Status), QString("diverged at step 42"));
    QCOMPARE(cell(0, RunTableModel::SpeedLecture), QString("★★★"));
    QCOMPARE(cell(0, RunTableModel::QualityLecture), QString("★★ or ★★★"));
    QCOMPARE(cell(1, RunTableModel::QualityLecture), QString("★ (stops too early)"));
    QCOMPARE(cell(0, RunTableModel::SpeedMeasured), QString("★★★"));
    QCOMPARE(cell(1, RunTableModel::SpeedMeasured), QString("★"));
    QVERIFY(model.headerData(RunTableModel::ToTarget, Qt::Horizontal).toString().contains("0.2"));
    QCOMPARE(model.data(model.index(1, RunTableModel::Status), Qt::ForegroundRole).value<QColor>(),
             theme().warning);
  }

  void compareDialogBuildsVariants() {
    const core::ExperimentConfig base = smallExperiment();
    CompareDialog dialog(base, 3);
    dialog.setSetting(QStringLiteral("model.activation"));
    dialog.setValues({QStringLiteral("relu"), QStringLiteral("sigmoid")});
    if (const QByteArray dir = qgetenv("GRADSCOPE_SCREENSHOTS"); !dir.isEmpty()) {
      dialog.show();
      QVERIFY(QTest::qWaitForWindowExposed(&dialog));
      dialog.grab().save(QString::fromLocal8Bit(dir) + "/compare_dialog.png");
    }
    const QList<core::ExperimentConfig> activations = dialog.variants();
    QCOMPARE(activations.size(), 2);
    QVERIFY(activations[0].model.hiddenActivation.kind == core::ActivationKind::Relu ||
            activations[1].model.hiddenActivation.kind == core::ActivationKind::Relu);
    dialog.setSetting(QStringLiteral("optimizer.learning_rate"));
    dialog.setValues({QStringLiteral("0.1"), QStringLiteral("0.001")});
    QCOMPARE(dialog.variants().size(), 2);
    QCOMPARE(dialog.variants()[0].optimizer.learningRate, 0.1);
    dialog.setValues({QStringLiteral("fast")});
    QVERIFY(dialog.variants().isEmpty());
    QVERIFY2(dialog.error().contains("not a number"), qPrintable(dialog.error()));
    dialog.setValues({QStringLiteral("0.1"), QStringLiteral("0.2"), QStringLiteral("0.3"),
                      QStringLiteral("0.4")});
    QVERIFY(dialog.variants().isEmpty());  // only 3 more runs fit
    QVERIFY(dialog.error().contains("at most 3"));
  }

  void statusBarAgreesWithTheRunsTable() {
    // Both show the selected run's step: while it trains, at every moment they show the same
    // one (the table used to refresh a few times a second, the status bar at every snapshot,
    // and a screenshot caught "step 1346" beside "Step 1,396").
    MainWindow::Options options;
    options.persistent = false;
    core::ExperimentConfig config = smallExperiment();
    config.data.samples = 2048;  // epochs long enough to sample while it trains
    config.training.epochs = core::kMaxEpochs;
    MainWindow window(config, options);
    window.showAsRestored();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QTRY_VERIFY_WITH_TIMEOUT(window.history().hasRun(0), 10000);
    RunsPanel* panel = window.runsPanel();
    auto digits = [](QString text) {
      text.remove(QRegularExpression(QStringLiteral("[^0-9]")));
      return text.toLongLong();
    };
    auto tableStep = [&] {
      return digits(
          panel->model()->data(panel->model()->index(0, RunTableModel::Status)).toString());
    };
    auto statusStep = [&] {
      const QStringList parts = window.statusText().split(QStringLiteral("  "));
      const qsizetype at = parts.indexOf(QRegularExpression(QStringLiteral("^Step .*")));
      return at < 0 ? -1 : digits(parts[at]);
    };
    // The timeline under the charts names the same step ("step 1,396").
    auto* timeline = window.findChild<TimelineBar*>();
    QVERIFY(timeline);
    auto timelineStep = [&] {
      for (const QLabel* label : timeline->findChildren<QLabel*>()) {
        if (label->text().startsWith(QStringLiteral("step "))) {
          return digits(label->text().section(QStringLiteral(" of "), 0, 0));
        }
      }
      return qlonglong(-1);
    };
    // The histograms and the decision boundary (views of one step) in front: their titles'
    // steps are never ahead of the status bar's (they read "at step 1,400" and "at step 1,389"
    // beside "Step 1,370").
    auto* histograms = window.findChild<HistogramView*>();
    QVERIFY(histograms);
    for (QDockWidget* dock : window.findChildren<QDockWidget*>()) {
      if (dock->isAncestorOf(histograms)) dock->raise();
    }
    QTRY_VERIFY(histograms->isVisible());
    auto* boundary = window.findChild<DecisionBoundaryView*>();
    QVERIFY(boundary && boundary->isVisible());
    window.play();
    QSet<qlonglong> seen;
    int disagreements = 0;
    QString first;
    int histogramsAhead = 0;
    QString firstAhead;
    for (int i = 0; i < 300 && seen.size() < 8; ++i) {
      QTest::qWait(5);
      const qlonglong table = tableStep(), status = statusStep(), shown = timelineStep();
      seen.insert(status);
      if ((table != status || shown != status) && ++disagreements == 1) {
        first = QStringLiteral("table step %1, status bar step %2, timeline step %3")
                    .arg(table)
                    .arg(status)
                    .arg(shown);
      }
      // The status bar counts steps trained, the histograms name the step of their frame; the
      // decision boundary names the steps trained when its field was computed.
      if (histograms->shownStep() >= status && ++histogramsAhead == 1) {
        firstAhead = QStringLiteral("histograms at step %1, status bar \"Step %2\"")
                         .arg(histograms->shownStep())
                         .arg(status);
      }
      if (boundary->shownStep() > status && ++histogramsAhead == 1) {
        firstAhead = QStringLiteral("decision boundary at step %1, status bar \"Step %2\"")
                         .arg(boundary->shownStep())
                         .arg(status);
      }
    }
    QVERIFY2(histogramsAhead == 0,
             qPrintable(QStringLiteral("%1 times, first %2").arg(histogramsAhead).arg(firstAhead)));
    QVERIFY2(seen.size() >= 4, qPrintable(window.statusText()));  // the check saw it train
    window.pause();                                               // the check saw it train
    QVERIFY2(disagreements == 0,
             qPrintable(QStringLiteral("%1 times, first %2").arg(disagreements).arg(first)));
    // Paused: both at the last step at once, no refresh later.
    QTRY_VERIFY(window.runState() != app::RunState::Running);
    QCOMPARE(tableStep(), statusStep());
    QCOMPARE(timelineStep(), statusStep());
    QCOMPARE(statusStep(), window.history().lastStep(0) + 1);
  }

  void raceInTheDashboard() {
    MainWindow::Options options;
    options.persistent = false;
    MainWindow window(smallExperiment(), options);
    window.showAsRestored();  // the default layout, as a first start shows it
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QTRY_VERIFY_WITH_TIMEOUT(window.history().hasRun(0), 10000);
    RunsPanel* panel = window.runsPanel();
    QVERIFY(panel && window.runsDock()->isVisible());
    QCOMPARE(panel->model()->rowCount(), 1);
    QVERIFY(!panel->removeButton()->isEnabled());  // the last run stays

    panel->startRace();  // every registered optimiser: the lecture's eight, AdamW and Lion
    const int racers = core::kOptimizerKindCount;
    const int last = racers - 1;
    QTRY_COMPARE_WITH_TIMEOUT(panel->model()->rowCount(), racers, 10000);
    for (int i = 0; i < 60; ++i) window.stepBatch();
    QTRY_VERIFY_WITH_TIMEOUT(window.history().stepCount(last) == 60, 15000);
    auto* loss = dynamic_cast<LossView*>(window.view(QStringLiteral("Loss")));
    QVERIFY(loss && loss->comparing());
    QTRY_VERIFY(loss->runLine(last) && loss->runLine(last)->count() > 0);
    QCOMPARE(loss->runLine(3)->name(), QString("AdaGrad"));
    QTableView* table = panel->tableView();
    QVERIFY(!table->isColumnHidden(RunTableModel::SpeedLecture));
    QTRY_COMPARE(panel->model()->data(panel->model()->index(0, RunTableModel::Status)).toString(),
                 QString("step 60"));
    QCOMPARE(panel->runSelector()->count(), racers);
    if (const QByteArray dir = qgetenv("GRADSCOPE_SCREENSHOTS"); !dir.isEmpty()) {
      panel->findChild<NumberSpinBox*>(QStringLiteral("targetLoss"))->setValue(0.6);
      for (int i = 0; i < 1500; ++i) window.stepBatch();
      QTRY_VERIFY_WITH_TIMEOUT(window.history().stepCount(last) == 1560, 60000);
      QTest::qWait(500);
      window.grab().save(QString::fromLocal8Bit(dir) + "/race.png");
    }

    // A row made current in the table (a click, an arrow key) selects its run.
    panel->tableView()->setCurrentIndex(panel->model()->index(2, RunTableModel::Name));
    QCOMPARE(window.run(), 2);
    QTRY_VERIFY(window.controller().config().optimizer.kind == core::OptimizerKind::Nesterov);

    // AdaGrad selected: the panels edit it, the layer charts show it.
    window.selectRun(3);
    QCOMPARE(window.run(), 3);
    QTRY_VERIFY(window.controller().config().optimizer.kind == core::OptimizerKind::Adagrad);
    QTRY_VERIFY(window.configEditor().config().optimizer.kind == core::OptimizerKind::Adagrad);
    QCOMPARE(panel->selectedRun(), 3);
    QVERIFY(loss->runLine(3)->pen().widthF() > loss->runLine(0)->pen().widthF());

    // The status bar speaks of the selected run: its own last loss.
    QTRY_VERIFY(window.statusText().contains(QStringLiteral("Step 60")));
    {
      const std::int64_t last = window.history().lastStep(3);
      const double own =
          window.history().stepSeries(3, app::StepMetric::Loss, last, last, 1).buckets.front().mean;
      QVERIFY2(window.statusText().contains(QString::number(own, 'g', 3).left(4)),
               qPrintable(window.statusText()));
    }

    // Exported, one file per run named by its label.
    {
      QTemporaryDir dir;
      QString error;
      const QStringList files = window.exportHistoryCsv(dir.filePath("race.csv"), &error);
      QVERIFY2(files.size() == racers, qPrintable(error));
      QVERIFY2(files.contains(dir.filePath("race_AdaGrad.csv")), qPrintable(files.join(' ')));
      QVERIFY(files.contains(dir.filePath("race_Adam.csv")));
    }

    // Removed: out of the table and the history; the selection moves to a run that is left.
    panel->removeSelectedRun();
    QTRY_COMPARE(panel->model()->rowCount(), racers - 1);
    QVERIFY(!window.history().hasRun(3));
    QVERIFY(window.run() != 3);
    QVERIFY(window.history().hasRun(window.run()));
    const std::int64_t before = window.history().stepCount(last);
    window.stepBatch();
    QTRY_COMPARE(window.history().stepCount(last), before + 1);

    // A new experiment ends the comparison.
    window.loadExperiment(smallExperiment());
    QTRY_COMPARE(panel->model()->rowCount(), 1);
    QTRY_VERIFY(!loss->comparing());
    QTRY_VERIFY(!window.history().hasRun(last));

    // "Compare…": the selected run and a variant, named by what differs.
    core::ExperimentConfig relu = window.configEditor().config();
    relu.model.hiddenActivation = {core::ActivationKind::Relu};
    panel->compareWith({relu});
    QTRY_COMPARE(panel->model()->rowCount(), 2);
    QCOMPARE(panel->model()->data(panel->model()->index(0, RunTableModel::Name)).toString(),
             QString("tanh"));
    QCOMPARE(panel->model()->data(panel->model()->index(1, RunTableModel::Name)).toString(),
             QString("relu"));
    QCOMPARE(panel->model()->headerData(RunTableModel::Name, Qt::Horizontal).toString(),
             QString("Hidden activation"));
    QVERIFY(table->isColumnHidden(RunTableModel::SpeedLecture));  // not an optimiser race
    if (const QByteArray dir = qgetenv("GRADSCOPE_SCREENSHOTS"); !dir.isEmpty()) {
      panel->findChild<NumberSpinBox*>(QStringLiteral("targetLoss"))->setValue(0.3);
      for (int i = 0; i < 1500; ++i) window.stepBatch();
      QTRY_VERIFY_WITH_TIMEOUT(window.history().stepCount(1) == 1500, 60000);
      QTest::qWait(500);
      window.grab().save(QString::fromLocal8Bit(dir) + "/compare.png");
    }
  }
};

QTEST_MAIN(TestRunsView)
#include "tst_runs_view.moc"
