// Every scenario's text against what its default view shows, rendered headless as a lecturer
// runs it: the scenario loaded, trained at full speed to the end of its planned epochs (or its
// early stop or divergence), the views drawn; then the quantities the text names are read back
// from the views (the gradient-flow bars, the saturation bars, the Runs table's status, the
// loss axis, the legend). A scenario whose text promises what its view does not show fails.
//
// Trained here: vanishing gradients, ReLU and He, exploding gradients (its first three steps,
// as its text asks, then to the end), saturation, dying ReLU, early stopping. The others are
// checked for the views their text names (log axis, target loss) without training; their
// claims are measured by tst_scenarios. The Fashion-MNIST scenarios are not trained here (an
// epoch of 55,000 images is minutes on a loaded machine).
#include <QtTest>

#include <QChart>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLegend>
#include <QLegendMarker>
#include <QTableView>

#include <cmath>

#include "app/scenarios/scenario_library.h"
#include "small_experiment.h"
#include "temporary_settings.h"
#include "ui/charts/chart_view.h"
#include "ui/charts/gradient_flow_view.h"
#include "ui/charts/heatmap_view.h"
#include "ui/charts/loss_view.h"
#include "ui/charts/saturation_view.h"
#include "ui/panels/run_table_model.h"
#include "ui/panels/runs_panel.h"
#include "ui/window/main_window.h"

using namespace gradscope;
using namespace gradscope::ui;

namespace {

constexpr int kTrainTimeout = 600'000;  // a loaded machine trains slowly; never hit when well

template <typename View>
View* findView(MainWindow& window) {
  for (QObject* child : window.findChildren<QObject*>()) {
    if (auto* view = dynamic_cast<View*>(child)) return view;
  }
  return nullptr;
}

QString bars(const std::vector<double>& values) {
  QStringList text;
  for (double v : values) text << QString::number(v, 'g', 3);
  return text.join(QStringLiteral(", "));
}

}  // namespace

class TestScenarioViews : public QObject {
  Q_OBJECT
 private:
  QTemporaryDir m_settingsDir;
  std::unique_ptr<MainWindow> m_window;

  MainWindow& window() { return *m_window; }

  std::int64_t trainedSteps(int run) {
    return window().history().lastStep(run) - window().history().firstStep(run) + 1;
  }

  // Loads scenario `id` and waits for its fresh runs.
  const app::Scenario& load(const QString& id) {
    const app::Scenario* scenario = app::ScenarioLibrary::builtIn().find(id);
    if (!scenario) qFatal("no scenario %s", qPrintable(id));
    window().loadScenario(*scenario);
    // Its fresh runs in the Runs table (the old table stays until the worker sends them).
    auto fresh = [&] {
      const app::RunTable* table = window().runsPanel()->model()->runTable();
      if (!table || table->runs.size() != scenario->runs.size()) return false;
      for (std::size_t r = 0; r < table->runs.size(); ++r) {
        const app::RunEntry& run = table->runs[r];
        if (run.summary.steps != 0 || run.summary.finished || run.summary.diverged) return false;
        if (table->runs.size() > 1 && run.name != scenario->runs[r].name) return false;
      }
      return trainedSteps(window().run()) == 0;
    };
    if (!QTest::qWaitFor(fresh, kTrainTimeout)) qFatal("%s: not loaded", qPrintable(id));
    return *scenario;
  }

  // Plays until every run stopped (its planned epochs, an early stop or a divergence), then
  // lets the views draw the last steps.
  bool playToEnd() {
    window().play();
    // Every run of the Runs table finished (its plan or an early stop) or diverged.
    auto allStopped = [&] {
      const app::RunTable* table = window().runsPanel()->model()->runTable();
      if (!table || table->runs.empty()) return false;
      for (const app::RunEntry& run : table->runs) {
        if (!run.summary.finished && !run.summary.diverged) return false;
      }
      return true;
    };
    if (!QTest::qWaitFor(allStopped, kTrainTimeout)) return false;
    settle();
    return true;
  }

  // A few refresh ticks of every view (slow views draw every fifth tick).
  void settle() {
    QTest::qWait(400);
    QCoreApplication::processEvents();
  }

  QString status(int row) {
    RunTableModel* model = window().runsPanel()->model();
    return model->data(model->index(row, RunTableModel::Status)).toString();
  }

  std::vector<double> gradientFlow() {
    auto* flow = findView<GradientFlowView>(window());
    return flow ? flow->values() : std::vector<double>{};
  }

 private slots:
  void initTestCase() {
    QVERIFY(useTemporarySettings(m_settingsDir));
    MainWindow::Options options;
    options.persistent = false;
    m_window = std::make_unique<MainWindow>(smallExperiment(), options);
    m_window->resize(1920, 1080);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
  }

  void cleanupTestCase() { m_window.reset(); }

  // The views a text names without training: a loss "(log scale)" is drawn on a log axis, a
  // linear one is not; a claim's target loss is the Runs table's.
  void textNamesTheViewsItSets() {
    auto* loss = findView<LossView>(window());
    QVERIFY(loss);
    auto* target = window().runsPanel()->findChild<QDoubleSpinBox*>();
    for (const app::Scenario& scenario : app::ScenarioLibrary::builtIn().scenarios()) {
      load(scenario.id);
      const bool saysLog = scenario.lookAt.contains(QStringLiteral("Loss (log scale)")) ||
                           scenario.lookAt.contains(QStringLiteral("Loss chart (log scale)"));
      QVERIFY2(loss->logScale() == saysLog,
               qPrintable(scenario.id + (saysLog ? ": the text says log, the axis is linear"
                                                 : ": a log axis the text does not name")));
      static const QRegularExpression targetIn(
          QStringLiteral("target (?:training )?loss \\(?([0-9.]+)\\)?"));
      const QRegularExpressionMatch match = targetIn.match(scenario.claim);
      if (match.hasMatch() && target) {
        QVERIFY2(qFuzzyCompare(target->value(), match.captured(1).toDouble()),
                 qPrintable(QStringLiteral("%1: the claim's target %2, the Runs table's %3")
                                .arg(scenario.id, match.captured(1))
                                .arg(target->value())));
      }
    }
  }

  // "the bars fall by orders of magnitude from the output towards the input (log scale)"
  void vanishingGradients() {
    load(QStringLiteral("vanishing-gradients"));
    QVERIFY(playToEnd());
    const std::vector<double> flow = gradientFlow();
    qInfo("vanishing-gradients after %lld steps, gradient flow: %s",
          static_cast<long long>(trainedSteps(window().run())), qPrintable(bars(flow)));
    QVERIFY(flow.size() >= 2);
    QVERIFY2(flow.front() * 100.0 < flow.back(), "the bars do not fall towards the input");
  }

  // "the bars stay at about the same height from the input to the output"
  void reluAndHe() {
    load(QStringLiteral("relu-and-he"));
    QVERIFY(playToEnd());
    window().selectRun(0);
    settle();
    const std::vector<double> flow = gradientFlow();
    qInfo("relu-and-he (ReLU + He) gradient flow: %s", qPrintable(bars(flow)));
    QVERIFY(flow.size() >= 2);
    const double ratio = flow.front() / flow.back();
    QVERIFY2(ratio > 0.1 && ratio < 10.0, qPrintable(QString::number(ratio)));
  }

  // "in the first steps (press Step a few times before Play): the bars grow towards the
  // input. Loss (log scale): it climbs until the run diverges and the Runs table names the
  // step; from then on the gradient flow shows the last finite gradients, dominated by the
  // output layer"; the clipnorm run learns.
  void explodingGradients() {
    load(QStringLiteral("exploding-gradients"));
    for (int i = 0; i < 3; ++i) {
      window().stepBatch();
      QVERIFY(QTest::qWaitFor([&] { return trainedSteps(0) == i + 1; }, kTrainTimeout));
    }
    settle();
    std::vector<double> flow = gradientFlow();
    qInfo("exploding-gradients, step 3, gradient flow: %s", qPrintable(bars(flow)));
    QVERIFY(flow.size() >= 2);
    QVERIFY2(flow.front() > 10.0 * flow.back(), "the bars do not grow towards the input");
    QVERIFY(findView<LossView>(window())->logScale());

    QVERIFY(playToEnd());
    window().selectRun(0);
    settle();
    flow = gradientFlow();
    qInfo("exploding-gradients at the end: %s; gradient flow: %s", qPrintable(status(0)),
          qPrintable(bars(flow)));
    QVERIFY2(status(0).startsWith(QStringLiteral("diverged at step")), qPrintable(status(0)));
    QVERIFY(flow.size() >= 2);
    QVERIFY2(flow.front() > 10.0 * flow.back(),
             "the last finite gradients do not grow towards the input");
    QVERIFY2(!status(1).startsWith(QStringLiteral("diverged")), qPrintable(status(1)));
  }

  // "Saturation chart: near 1 in the first layers with sigmoid, then it drops at step 100 when
  // the activation changes"
  void saturation() {
    load(QStringLiteral("saturation"));
    QVERIFY(playToEnd());
    window().selectRun(0);  // sigmoid -> ELU
    settle();
    auto* view = findView<SaturationView>(window());
    QVERIFY(view);
    QVERIFY(!view->bars().empty());
    // The switch was made at its step.
    std::int64_t switchedAt = -1;
    for (const app::Event& e : window().history().events(0)) {
      if (e.text.contains(QStringLiteral("elu"), Qt::CaseInsensitive)) {
        switchedAt = e.step;
        break;
      }
    }
    qInfo("saturation: ELU switch at step %lld, first layer saturated %.3f",
          static_cast<long long>(switchedAt), double(view->bars().front().saturated));
    QVERIFY2(switchedAt >= 100 && switchedAt <= 101, qPrintable(QString::number(switchedAt)));
    QVERIFY(view->bars().front().saturated < 0.6f);
  }

  // "Saturation chart (dead units): the dead fraction jumps in the first steps and stays.
  // Layer heatmap, 'Dead units (ReLU)' in its menu ... Then the leaky ReLU run: no unit dies"
  void dyingRelu() {
    load(QStringLiteral("dying-relu"));
    QVERIFY(playToEnd());
    window().selectRun(0);
    settle();
    auto* view = findView<SaturationView>(window());
    QVERIFY(view);
    double dead = 0.0;
    int hidden = 0;
    for (std::size_t l = 0; l + 1 < view->bars().size(); ++l) {  // the output layer is linear
      if (!view->bars()[l].reluLike()) continue;
      dead += double(view->bars()[l].dead);
      ++hidden;
    }
    QVERIFY(hidden > 0);
    dead /= hidden;
    qInfo("dying-relu: ReLU hidden layers' dead fraction %.3f", dead);
    QVERIFY2(dead >= 0.2, "fewer dead units than the text speaks of");
    auto* heatmap = findView<HeatmapView>(window());
    QVERIFY(heatmap);
    auto* metric = heatmap->findChild<QComboBox*>();
    QVERIFY(metric && metric->findText(QStringLiteral("Dead units (ReLU)")) >= 0);

    window().selectRun(1);
    settle();
    double leakyDead = 0.0;
    for (std::size_t l = 0; l + 1 < view->bars().size(); ++l) {
      const float d = view->bars()[l].dead;
      if (!std::isnan(d)) leakyDead = std::max(leakyDead, double(d));
    }
    qInfo("dying-relu: leaky ReLU's largest dead fraction %.3f", leakyDead);
    QCOMPARE(leakyDead, 0.0);
  }

  // "training and validation loss (dashed, 'validation (dashed)' in the legend) ... The
  // early-stopping run stops by itself: ... its Status in the Runs table say why and which
  // epoch's weights were put back."
  void earlyStopping() {
    load(QStringLiteral("early-stopping"));
    QVERIFY(playToEnd());
    qInfo("early-stopping: %s | %s", qPrintable(status(0)), qPrintable(status(1)));
    // Why and which epoch's weights, in the cell itself (its tooltip has the whole message).
    static const QRegularExpression restored(
        QStringLiteral("^stopped early at epoch \\d+, weights of epoch \\d+$"));
    QVERIFY2(restored.match(status(0)).hasMatch(), qPrintable(status(0)));
    RunTableModel* model = window().runsPanel()->model();
    QVERIFY(model->data(model->index(0, RunTableModel::Status), Qt::ToolTipRole)
                .toString()
                .contains(QStringLiteral("no improvement of val_loss")));
    // Drawn whole at the projector's 1280 px too, not "early stopping: no improvement of…".
    const QSize before = window().size();
    window().resize(1280, 720);
    settle();
    QTableView* table = window().runsPanel()->tableView();
    const int room = table->columnWidth(RunTableModel::Status) - 8;  // the cell's margins
    const int needed = table->fontMetrics().horizontalAdvance(status(0));
    window().resize(before);
    QVERIFY2(needed <= room, qPrintable(QStringLiteral("%1 px in %2").arg(needed).arg(room)));
    auto* loss = findView<LossView>(window());
    QVERIFY(loss);
    bool keyShown = false;
    for (QLegendMarker* marker : loss->chartView()->chart()->legend()->markers()) {
      if (marker->isVisible() && marker->label() == QStringLiteral("validation (dashed)")) {
        keyShown = true;
      }
    }
    QVERIFY2(keyShown, "no 'validation (dashed)' in the loss chart's legend");
  }
};

QTEST_MAIN(TestScenarioViews)
#include "tst_scenario_views.moc"
