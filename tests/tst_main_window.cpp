// The dashboard window, offscreen: a control of each type reaches the worker as a command and
// comes back acknowledged; Play fills the history, Reset clears it; the dashboard exports to
// PNG (at the chosen scale), SVG and CSV; presentation mode changes the fonts; a divergence
// shows its message and pauses; malformed configuration files are refused by field.
#include <QtTest>

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QDockWidget>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QMainWindow>
#include <QPushButton>
#include <QSpinBox>
#include <QStatusBar>
#include <QStyleOption>
#include <QTabBar>
#include <QTemporaryDir>
#include <QToolBar>

#include <cmath>

#include "app/scenarios/default_experiment.h"
#include "core/model/settings_schema.h"
#include "small_experiment.h"
#include "temporary_settings.h"
#include "ui/charts/dashboard_view.h"
#include "ui/export/image_export.h"
#include "ui/panels/config_editor.h"
#include "ui/panels/layer_activation_editor.h"
#include "ui/panels/lr_plan_preview.h"
#include "ui/panels/lr_range_test_box.h"
#include "ui/panels/number_spin_box.h"
#include "ui/panels/settings_panel.h"
#include "ui/window/discard_guard.h"
#include "ui/window/dock_tab_fitter.h"
#include "ui/window/main_window.h"
#include "ui/window/session_manager.h"
#include "ui/window/theme.h"

using namespace gradscope;
using namespace gradscope::ui;

namespace {

SettingsPanel* panelFor(MainWindow& window, const QString& key) {
  const core::SettingMeta* meta = core::findSetting(key.toStdString());
  return meta ? window.settingsPanel(QString::fromStdString(meta->group)) : nullptr;
}

// The setting as text, numbers to 12 significant digits (0.2 rather than 0.20000000000000001).
QString settingText(const core::ExperimentConfig& config, const QString& key) {
  core::ExperimentConfig copy = config;
  const core::SettingValue value = core::getSetting(copy, key.toStdString());
  if (const double* x = std::get_if<double>(&value)) return QString::number(*x, 'g', 12);
  return QString::fromStdString(core::formatSettingValue(value));
}

}  // namespace

class TestMainWindow : public QObject {
  Q_OBJECT

 private:
  std::unique_ptr<MainWindow> m_window;
  QTemporaryDir m_dir;
  QTemporaryDir m_settingsDir;

  MainWindow& window() { return *m_window; }
  void waitForWorker() {
    QTRY_VERIFY_WITH_TIMEOUT(window().history().hasRun(0), 10000);
    QTRY_COMPARE(window().configEditor().pending(), 0);
  }
  void pauseAndSettle() {
    window().pause();
    QTRY_VERIFY(window().runState() != app::RunState::Running);
    QTest::qWait(100);
  }

 private slots:
  void initTestCase() {
    // QSettings of this test live in a temporary directory.
    QVERIFY(useTemporarySettings(m_settingsDir));
    QVERIFY(m_dir.isValid());
    MainWindow::Options options;
    options.persistent = false;
    m_window = std::make_unique<MainWindow>(smallExperiment(), options);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    waitForWorker();
  }

  void cleanupTestCase() { m_window.reset(); }

  void docksHaveUniqueNames() {
    QSet<QString> names;
    for (QDockWidget* dock : window().findChildren<QDockWidget*>()) {
      QVERIFY(!dock->objectName().isEmpty());
      QVERIFY2(!names.contains(dock->objectName()), qPrintable(dock->objectName()));
      names.insert(dock->objectName());
    }
    for (const char* group : {"Data", "Network", "Optimiser", "Schedule", "Training"}) {
      QVERIFY(window().settingsPanel(QString::fromLatin1(group)));
    }
  }

  void everySettingHasAControl() {
    for (const core::SettingMeta& meta : core::experimentSettings()) {
      SettingsPanel* panel = panelFor(window(), QString::fromStdString(meta.key));
      QVERIFY2(panel && panel->editorFor(QString::fromStdString(meta.key)), meta.key.c_str());
      const QString tip = panel->editorFor(QString::fromStdString(meta.key))->toolTip();
      QVERIFY(tip.contains(SettingsPanel::effectText(meta.effect).toHtmlEscaped()));
    }
  }

  void controlReachesWorker_data() {
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("value");  // as formatSettingValue prints it
    QTest::newRow("check box") << "training.shuffle"
                               << "false";
    QTest::newRow("spin box") << "training.batch_size"
                              << "8";
    QTest::newRow("log spin box") << "optimizer.learning_rate"
                                  << "0.02";
    QTest::newRow("linear spin box") << "data.noise"
                                     << "0.2";
    QTest::newRow("combo box") << "model.activation"
                               << "relu";
    QTest::newRow("rebuild") << "model.hidden_layers"
                             << "3";
    QTest::newRow("schedule choice") << "schedule.type"
                                     << "piecewise_constant";
    QTest::newRow("list") << "schedule.boundaries"
                          << "100,200";
    QTest::newRow("at reset") << "model.initializer"
                              << "he_normal";
  }
  void controlReachesWorker() {
    QFETCH(QString, key);
    QFETCH(QString, value);
    SettingsPanel* panel = panelFor(window(), key);
    QVERIFY(panel);
    QWidget* editor = panel->editorFor(key);
    QVERIFY(editor);
    QVERIFY2(editor->isEnabled(), "the control should apply to this experiment");
    QSignalSpy applied(&window().controller(), &app::TrainingController::configApplied);
    if (auto* box = qobject_cast<QCheckBox*>(editor)) {
      if (box->isChecked() != (value == QLatin1String("true"))) box->click();
    } else if (auto* spin = qobject_cast<QSpinBox*>(editor)) {
      spin->setValue(value.toInt());  // sent after the debounce
    } else if (auto* number = qobject_cast<QDoubleSpinBox*>(editor)) {
      number->setValue(value.toDouble());
      emit number->editingFinished();  // sent at once
    } else if (auto* combo = qobject_cast<QComboBox*>(editor)) {
      const int index = combo->findText(value);
      QVERIFY(index >= 0);
      combo->setCurrentIndex(index);
      emit combo->activated(index);
    } else if (auto* edit = qobject_cast<QLineEdit*>(editor)) {
      edit->setText(value);
      emit edit->editingFinished();
    } else {
      QFAIL("unexpected control type");
    }
    QTRY_VERIFY(applied.count() > 0);
    QTRY_COMPARE(settingText(window().controller().config(), key), value);
    QCOMPARE(window().configEditor().pending(), 0);
    QVERIFY(panel->errorFor(key).isEmpty());
  }

  void spinBoxEditsAreDebounced() {
    SettingsPanel* panel = panelFor(window(), QStringLiteral("training.batch_size"));
    auto* spin = qobject_cast<QSpinBox*>(panel->editorFor(QStringLiteral("training.batch_size")));
    QVERIFY(spin);
    QSignalSpy applied(&window().controller(), &app::TrainingController::configApplied);
    for (int v = 10; v <= 20; ++v) spin->setValue(v);  // as holding the arrow key
    QTRY_COMPARE(window().controller().config().training.batchSize, core::Index(20));
    QCOMPARE(applied.count(), 1);
  }

  void refusedValueShowsItsReason() {
    const QString key = QStringLiteral("schedule.boundaries");
    SettingsPanel* panel = panelFor(window(), key);
    auto* edit = qobject_cast<QLineEdit*>(panel->editorFor(key));
    QVERIFY(edit);
    const auto before = window().controller().config();
    edit->setText(QStringLiteral("10, fast"));
    emit edit->editingFinished();
    QVERIFY2(panel->errorFor(key).contains(QStringLiteral("not a number")),
             qPrintable(panel->errorFor(key)));
    // Refused before it was sent: no command in flight that could change the configuration.
    QCOMPARE(window().configEditor().pending(), 0);
    QVERIFY(window().controller().config() == before);
    edit->setText(QStringLiteral("100, 200"));
    emit edit->editingFinished();
    QVERIFY(panel->errorFor(key).isEmpty());
  }

  void perLayerActivationsReachTheWorker() {
    auto* editor = window().findChild<LayerActivationEditor*>();
    QVERIFY(editor);
    editor->edit()->setText(QStringLiteral("elu, , sigmoid"));
    emit editor->edit()->editingFinished();
    QTRY_VERIFY(!window().controller().config().model.layerActivations.empty());
    const core::ModelConfig& model = window().controller().config().model;
    QVERIFY(model.activationOf(0).kind == core::ActivationKind::Elu);
    QVERIFY(model.activationOf(1).kind == model.hiddenActivation.kind);
    QVERIFY(model.activationOf(2).kind == core::ActivationKind::Sigmoid);
    editor->edit()->setText(QStringLiteral("relu, swish"));
    emit editor->edit()->editingFinished();
    QVERIFY2(editor->error().contains(QStringLiteral("swish")), qPrintable(editor->error()));
    editor->edit()->setText(QString());
    emit editor->edit()->editingFinished();
    QTRY_VERIFY(window().controller().config().model.layerActivations.empty());
  }

  void irrelevantSettingsAreGreyed() {
    SettingsPanel* panel = panelFor(window(), QStringLiteral("optimizer.beta_1"));
    QVERIFY(!panel->editorFor(QStringLiteral("optimizer.beta_1"))->isEnabled());  // momentum
    QVERIFY(panel->editorFor(QStringLiteral("optimizer.momentum"))->isEnabled());
  }

  void logSpinBoxStepsInQuarterDecades() {
    NumberSpinBox box(true);
    box.setRange(1e-7, 100.0);
    QCOMPARE(box.stepped(0.001, 1), 0.00178);
    QCOMPARE(box.stepped(0.001, 4), 0.01);
    QCOMPARE(box.stepped(0.01, -4), 0.001);
    QCOMPARE(box.textFromValue(1e-5), QStringLiteral("1e-5"));
    QCOMPARE(box.textFromValue(0.05), QStringLiteral("0.05"));
    QCOMPARE(box.valueFromText(QStringLiteral("3e-4")), 3e-4);
  }

  void playFillsHistoryAndResetClears() {
    window().loadExperiment(smallExperiment());
    waitForWorker();
    window().play();
    QTRY_VERIFY_WITH_TIMEOUT(window().history().stepCount(0) > 200, 10000);
    QTRY_VERIFY(window().stats().snapshots > 3);
    QVERIFY(window().statusText().contains(QStringLiteral("Loss ")));
    if (!window().views().empty())
      QTRY_VERIFY(window().stats().fastRefreshes + window().stats().slowRefreshes > 0);
    pauseAndSettle();
    QVERIFY(window().history().stepCount(0) > 200);
    window().reset();
    QTRY_VERIFY(window().history().stepCount(0) < 5);
    QTRY_VERIFY(window().statusText().contains(QStringLiteral("Step 0")));
  }

  void exportsPngSvgAndCsv_data() {
    QTest::addColumn<double>("scale");
    QTest::newRow("1x") << 1.0;
    QTest::newRow("2x") << 2.0;
    QTest::newRow("4x") << 4.0;
  }
  void exportsPngSvgAndCsv() {
    QFETCH(double, scale);
    const QString png = m_dir.filePath(QStringLiteral("dashboard-%1.png").arg(scale));
    QString error;
    QVERIFY2(exportPng(window().dashboardWidget(), png, scale, &error), qPrintable(error));
    const QImage image(png);
    QVERIFY(!image.isNull());
    QCOMPARE(image.size(), (QSizeF(window().dashboardWidget()->size()) * scale).toSize());

    if (scale == 1.0) {
      const QString svg = m_dir.filePath(QStringLiteral("dashboard.svg"));
      QVERIFY2(exportSvg(window().dashboardWidget(), svg, &error), qPrintable(error));
      QFile file(svg);
      QVERIFY(file.open(QIODevice::ReadOnly));
      const QByteArray text = file.readAll();
      QVERIFY(text.startsWith("<?xml"));
      QVERIFY(text.contains("<svg"));
      // A single view too (the charts' context menu uses the same functions).
      if (!window().views().empty()) {
        QWidget* view = window().views().front()->widget();
        const QString one = m_dir.filePath(QStringLiteral("view.png"));
        QVERIFY2(exportPng(view, one, 2.0, &error), qPrintable(error));
        QCOMPARE(QImage(one).size(), view->size() * 2);
      }
    }
  }

  void exportsHistoryCsv() {
    window().stepEpoch();
    QTRY_VERIFY_WITH_TIMEOUT(window().history().stepCount(0) >= 5, 10000);
    pauseAndSettle();
    const QString path = m_dir.filePath(QStringLiteral("history.csv"));
    QString error;
    const QStringList files = window().exportHistoryCsv(path, &error);
    QVERIFY2(files == QStringList{path}, qPrintable(error));
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly | QIODevice::Text));
    const QList<QByteArray> lines = file.readAll().split('\n');
    const QList<QByteArray> header = lines.front().split(',');
    QVERIFY(lines.front().startsWith(
        QByteArray("step,epoch,loss,data_loss,accuracy,learning_rate,momentum,"
                   "gradient_norm_before_clip,gradient_norm_after_clip,clipped,val_loss,"
                   "val_accuracy,layer1_gradient_norm,")));
    const int layers = window().history().layerCount(0);
    // The step columns, the per-layer columns, then sharpness and stability_threshold.
    QCOMPARE(header.size(), 12 + layers * app::kLayerMetricCount + 2);
    const qsizetype rows = lines.size() - 2;  // header and the final newline
    QCOMPARE(rows, qsizetype(window().history().stepCount(0)));
    const QList<QByteArray> first = lines[1].split(',');
    QCOMPARE(first.size(), header.size());
    // The validation loss on each epoch's last step, as the history has it.
    const app::EpochSample& epoch = window().history().epochs(0).front();
    const QList<QByteArray> epochRow =
        lines[1 + epoch.lastStep - window().history().firstStep(0)].split(',');
    QCOMPARE(epochRow[10].toDouble(), epoch.valLoss);
    QVERIFY(lines[1].split(',')[10].isEmpty() || epoch.lastStep == window().history().firstStep(0));
    // The last layer's gradient norm at the first step, as the chart's history has it.
    const qsizetype column = header.indexOf(QByteArray("layer") + QByteArray::number(layers) +
                                            QByteArray("_gradient_norm"));
    QVERIFY(column > 0);
    const std::int64_t step0 = window().history().firstStep(0);
    const app::DecimatedSeries norm = window().history().layerSeries(
        0, app::LayerMetric::GradientNorm, layers - 1, step0, step0, 1);
    QCOMPARE(first[column].toFloat(), float(norm.buckets.front().mean));
    QCOMPARE(first[0].toLongLong(), window().history().firstStep(0));
    QCOMPARE(first[1], QByteArray("1"));
    bool ok = false;
    const double loss = first[2].toDouble(&ok);
    QVERIFY(ok && std::isfinite(loss) && loss > 0.0);
    const std::vector<double> exact = window().history().rawStepSeries(
        0, app::StepMetric::Loss, window().history().firstStep(0), window().history().firstStep(0));
    QCOMPARE(loss, exact.front());  // bit for bit
  }

  // "Charts as PNG": the charts alone, without toolbar and control panels; each chart's data
  // as CSV.
  void exportsChartsAloneAndChartData() {
    const QString png = m_dir.filePath(QStringLiteral("charts.png"));
    QString error;
    QVERIFY2(window().exportChartsPng(png, 1.0, &error), qPrintable(error));
    const QImage image(png);
    QVERIFY(!image.isNull());
    const QList<QWidget*> charts = window().visibleCharts();
    QVERIFY(charts.size() >= 4);
    QRect area;
    for (QWidget* c : charts) area |= QRect(c->mapTo(&window(), QPoint()), c->size());
    QCOMPARE(image.size(), area.size());
    for (QDockWidget* dock : window().controlDocks()) {
      if (!dock->isVisible()) continue;
      const QRect control(dock->mapTo(&window(), QPoint()), dock->size());
      QVERIFY2(!area.intersects(control), qPrintable(dock->objectName()));
    }
    QToolBar* bar = window().findChild<QToolBar*>();
    QVERIFY(bar);
    QVERIFY(!area.intersects(QRect(bar->mapTo(&window(), QPoint()), bar->size())));

    const QString csv = m_dir.filePath(QStringLiteral("loss.csv"));
    QVERIFY2(exportChartCsv(window().view(QStringLiteral("Loss"))->widget(), csv, &error),
             qPrintable(error));
    QFile file(csv);
    QVERIFY(file.open(QIODevice::ReadOnly | QIODevice::Text));
    const QList<QByteArray> lines = file.readAll().split('\n');
    QCOMPARE(lines.front(), QByteArray("series,x,y,x axis,y axis"));
    QVERIFY(lines.size() > 3);
    QVERIFY(!exportChartCsv(nullptr, csv, &error));
  }

  // Crowded dock tab rows take a smaller font when every name then fits, the largest that
  // does; with room again they take their own font back; a row that cannot fit even at the
  // smallest font keeps its own and scrolls.
  void crowdedTabRowsFitTheirNames() {
    QMainWindow host;
    DockTabFitter fitter;
    host.setDockNestingEnabled(true);
    host.setTabPosition(Qt::LeftDockWidgetArea, QTabWidget::West);
    host.setCentralWidget(new QLabel(QStringLiteral("charts")));
    std::vector<QDockWidget*> docks;
    for (const char* name :
         {"Data", "Network", "Optimiser", "Schedule", "Training", "Scenarios", "Event log"}) {
      auto* dock = new QDockWidget(QString::fromLatin1(name), &host);
      dock->setObjectName(QString::fromLatin1(name));
      dock->setWidget(new QLabel(QString::fromLatin1(name)));
      host.addDockWidget(Qt::LeftDockWidgetArea, dock);
      if (!docks.empty()) host.tabifyDockWidget(docks.front(), dock);
      docks.push_back(dock);
    }
    QFont large = QApplication::font();
    large.setPointSize(14);
    host.resize(900, 1000);
    host.show();
    QVERIFY(QTest::qWaitForWindowExposed(&host));
    QTabBar* bar = host.findChild<QTabBar*>(QString(), Qt::FindDirectChildrenOnly);
    QVERIFY(bar);
    fitter.fit(bar, large);
    auto allShown = [&] { return bar->tabRect(bar->count() - 1).bottom() <= bar->height(); };
    QCOMPARE(bar->count(), 7);
    QTRY_COMPARE(bar->font().pointSize(), 14);  // room for every name
    QVERIFY(allShown());
    host.resize(900, 560);  // the side of a 1280x720 window in presentation mode
    QTRY_VERIFY(bar->font().pointSize() < 14);
    QVERIFY(bar->font().pointSize() >= DockTabFitter::kSmallestPointSize);
    QTRY_VERIFY2(allShown(), qPrintable(QString::number(bar->font().pointSize())));
    // The largest that fits: one point more would not.
    const int fitted = bar->font().pointSize();
    QFont larger = bar->font();
    larger.setPointSize(fitted + 1);
    int needed = 0;
    for (int i = 0; i < bar->count(); ++i) {
      needed += bar->tabRect(i).height() - bar->fontMetrics().horizontalAdvance(bar->tabText(i)) +
                QFontMetrics(larger).horizontalAdvance(bar->tabText(i));
    }
    QVERIFY2(needed > bar->height(),
             qPrintable(QStringLiteral("%1 > %2").arg(needed).arg(bar->height())));
    host.resize(900, 1000);
    QTRY_COMPARE(bar->font().pointSize(), 14);
    host.resize(900, 200);  // no font fits: its own, and scroll buttons
    QTRY_COMPARE(bar->font().pointSize(), 14);
  }

  void presentationModeChangesFonts() {
    QLabel* label = window().findChild<QLabel*>(QStringLiteral("step"));
    QVERIFY(label);
    const int before = label->font().pointSize();
    window().setPresentationMode(true);
    QVERIFY(theme().presentation);
    QCOMPARE(theme().fontPointSize, 14);
    QCOMPARE(QApplication::font().pointSize(), theme().fontPointSize);
    QTRY_COMPARE(label->font().pointSize(), theme().fontPointSize);
    QVERIFY(label->font().pointSize() > before);
    // The toolbar's speed list shows its longest entry whole at the larger font.
    auto* speed = window().findChild<QComboBox*>(QStringLiteral("speed"));
    QVERIFY(speed);
    int longest = 0;
    for (int i = 0; i < speed->count(); ++i) {
      longest = std::max(longest, speed->fontMetrics().horizontalAdvance(speed->itemText(i)));
    }
    auto textRoom = [speed] {
      QStyleOptionComboBox option;
      option.initFrom(speed);
      return speed->style()
          ->subControlRect(QStyle::CC_ComboBox, &option, QStyle::SC_ComboBoxEditField, speed)
          .width();
    };
    QTRY_VERIFY2(textRoom() >= longest,
                 qPrintable(QStringLiteral("%1 < %2").arg(textRoom()).arg(longest)));
    // Dock tabs keep their whole names in presentation mode (no "Learning r…").
    const auto bars = window().findChildren<QTabBar*>(Qt::FindDirectChildrenOnly);
    QVERIFY(!bars.isEmpty());
    for (const QTabBar* bar : bars) {
      QVERIFY(bar->elideMode() == Qt::ElideNone);
      QVERIFY(bar->usesScrollButtons());
      QVERIFY(bar->font().pointSize() < theme().fontPointSize);
    }
    window().setDarkTheme(true);
    QVERIFY(theme().dark);
    QCOMPARE(QApplication::palette().color(QPalette::Window).lightness() < 100, true);
    window().setDarkTheme(false);
    window().setPresentationMode(false);
    QTRY_COMPARE(label->font().pointSize(), before);
    QVERIFY(!theme().presentation);
  }

  void classroomHidesControls() {
    window().setClassroomMode(true);
    for (QDockWidget* dock : window().controlDocks()) QVERIFY(!dock->isVisible());
    for (DashboardView* view : window().views()) {
      QDockWidget* dock = window().dockOf(view);
      QVERIFY(dock);
    }
    window().setClassroomMode(false);
    bool anyShown = false;
    for (QDockWidget* dock : window().controlDocks()) anyShown |= dock->isVisible();
    QVERIFY(anyShown);
  }

  void shortcuts() {
    // Each key is bound to exactly one action (a second one would make Qt ignore the key as
    // ambiguous), and to the action it should trigger, known by its name or its text.
    const QList<QPair<QString, QString>> expected{{"Space", "play"},
                                                  {"N", "Step"},
                                                  {"R", "Reset"},
                                                  {"Ctrl+S", "Save session"},
                                                  {"Ctrl+O", "Open session…"},
                                                  {"Ctrl+E", "Export…"},
                                                  {"F11", "Presentation mode"}};
    const QList<QAction*> actions = window().findChildren<QAction*>();
    for (const auto& [key, what] : expected) {
      QList<QAction*> bound;
      for (QAction* action : actions) {
        if (action->shortcuts().contains(QKeySequence(key))) bound.push_back(action);
      }
      QVERIFY2(bound.size() == 1,
               qPrintable(QStringLiteral("%1: %2 actions").arg(key).arg(bound.size())));
      const QAction* action = bound.front();
      QVERIFY2(action->objectName() == what || action->text() == what,
               qPrintable(key + " triggers " + action->text()));
    }
  }

  void lrRangeTestSuggestsOneCycle() {
    core::ExperimentConfig c = smallExperiment();
    c.data.kind = core::DatasetKind::Circle;  // a clear minimum of the loss
    window().loadExperiment(c);
    waitForWorker();
    auto* box = window().findChild<LrRangeTestBox*>();
    QVERIFY(box);
    QSignalSpy results(&window(), &MainWindow::lrRangeTestResult);
    box->runButton()->click();
    QTRY_COMPARE_WITH_TIMEOUT(results.count(), 1, 20000);
    QVERIFY(box->hasResult());
    QVERIFY(box->resultText().contains(QStringLiteral("Suggested maximum rate")));
    box->useButton()->click();
    QTRY_VERIFY2(window().controller().config().schedule.kind == core::ScheduleKind::OneCycle,
                 qPrintable(window().statusBar()->currentMessage()));
    QCOMPARE(window().controller().config().schedule.maxRate, box->suggestedMaxRate());
    // The test belongs to the run it measured: a reset clears it (the chart and the box).
    window().reset();
    QVERIFY(!box->hasResult());
    QVERIFY(!box->useButton()->isEnabled());
  }

  // Choosing 1cycle mid-run fits it to the run: the cycle spans the remaining planned steps
  // and peaks at the learning rate in use, and the plan shown covers it whole.
  void oneCycleFitsThePlan() {
    core::ExperimentConfig c = smallExperiment();
    c.training.epochs = 40;
    c.optimizer.learningRate = 0.005;
    window().loadExperiment(c);
    waitForWorker();
    window().stepEpoch();
    QTRY_VERIFY(window().history().stepCount(0) > 0);
    pauseAndSettle();
    QVERIFY(window().configEditor().set("schedule.type", std::string("one_cycle")));
    QTRY_COMPARE(window().configEditor().pending(), 0);
    const core::ExperimentConfig& applied = window().controller().config();
    QVERIFY(applied.schedule.kind == core::ScheduleKind::OneCycle);
    QCOMPARE(applied.schedule.maxRate, 0.005);
    QCOMPARE(applied.schedule.totalSteps, std::int64_t(0));
    QVERIFY(window().statusBar()->currentMessage().contains(QStringLiteral("1cycle")));
    auto* preview = window().findChild<LrPlanPreview*>();
    QVERIFY(preview);
    QTRY_VERIFY(preview->plan() && preview->plan()->firstStep > 0);
    const app::LearningRatePlan& plan = *preview->plan();
    const std::int64_t perEpoch = window().history().stepCount(0);
    const std::int64_t end = plan.firstStep + plan.stride * std::int64_t(plan.rates.size() - 1);
    QVERIFY2(end >= 40 * perEpoch - plan.stride - 1, qPrintable(QString::number(end)));
    const double peak = *std::max_element(plan.rates.begin(), plan.rates.end());
    QVERIFY2(std::abs(peak - 0.005) < 1e-4, qPrintable(QString::number(peak)));
    // The peak lies inside the cycle (near its middle), not at a 1,000-step mark.
    const auto at = std::max_element(plan.rates.begin(), plan.rates.end()) - plan.rates.begin();
    const double middle = double(at) / double(plan.rates.size());
    QVERIFY2(middle > 0.3 && middle < 0.6, qPrintable(QString::number(middle)));
  }

  // Reset asks before it discards a trained, unsaved run; the event log records it.
  void resetAsksBeforeDiscarding() {
    window().loadExperiment(smallExperiment());
    waitForWorker();
    for (int i = 0; i < 3; ++i) window().stepBatch();
    QTRY_COMPARE(window().history().stepCount(0), std::int64_t(3));
    QTRY_VERIFY(window().sessions().isDirty());
    QStringList questions;
    bool answer = false;
    window().discardGuard().setPrompt([&](const QString& text) {
      questions << text;
      return answer;
    });
    QVERIFY(!window().requestReset());
    QCOMPARE(questions.size(), 1);
    QVERIFY2(questions.front().contains(QStringLiteral("3 trained steps")),
             qPrintable(questions.front()));
    QTest::qWait(100);
    QCOMPARE(window().history().stepCount(0), std::int64_t(3));  // kept
    answer = true;
    QVERIFY(window().requestReset());
    QTRY_COMPARE(window().history().stepCount(0), std::int64_t(0));
    QVERIFY(window().eventLog().join('\n').contains(QStringLiteral("discarded")));
    QVERIFY(window().eventLog().join('\n').contains(QStringLiteral("reset")));
    // Nothing trained: nothing to ask.
    QVERIFY(window().requestReset());
    QCOMPARE(questions.size(), 2);
    window().discardGuard().setPrompt([](const QString&) { return true; });
  }

  // An edit that redraws trained weights (the width) asks first; one that keeps them (the
  // learning rate, dropout) does not. Declined, the network and the panels stay as they were.
  void rebuildAsksBeforeDiscarding() {
    window().loadExperiment(smallExperiment());
    waitForWorker();
    for (int i = 0; i < 3; ++i) window().stepBatch();
    QTRY_COMPARE(window().history().stepCount(0), std::int64_t(3));
    QTRY_VERIFY(window().sessions().isDirty());
    QStringList questions;
    bool answer = false;
    window().discardGuard().setPrompt([&](const QString& text) {
      questions << text;
      return answer;
    });
    const core::Index width = window().controller().config().model.width;
    QVERIFY(window().configEditor().set("model.width", std::int64_t(width + 4)));
    QCOMPARE(questions.size(), 1);
    QVERIFY2(questions.front().startsWith(QStringLiteral("Changing")), qPrintable(questions[0]));
    QCOMPARE(window().configEditor().config().model.width, width);  // the panels show it again
    waitForWorker();
    QCOMPARE(window().controller().config().model.width, width);
    QCOMPARE(window().history().stepCount(0), std::int64_t(3));
    QVERIFY(window().configEditor().set("optimizer.learning_rate", 0.02));
    QVERIFY(window().configEditor().set("model.dropout", 0.1));
    QCOMPARE(questions.size(), 1);  // weights kept: nothing asked
    answer = true;
    QVERIFY(window().configEditor().set("model.width", std::int64_t(width + 4)));
    QCOMPARE(questions.size(), 2);
    waitForWorker();
    QTRY_COMPARE(window().controller().config().model.width, width + 4);
    window().discardGuard().setPrompt([](const QString&) { return true; });
  }

  void scenarioPickerAppliesPresets() {
    auto* box = window().findChild<QComboBox*>(QStringLiteral("scenarios"));
    QVERIFY(box);
    QCOMPARE(box->currentIndex(), 0);  // shows "Scenarios…"
    QCOMPARE(box->currentText(), QStringLiteral("Scenarios…"));
    const int dense = box->findText(QStringLiteral("Dense default"));
    QVERIFY(dense >= 0);
    QVERIFY(!box->itemData(dense, Qt::ToolTipRole).toString().isEmpty());
    window().stepBatch();
    QTRY_VERIFY(window().history().stepCount(0) > 0);
    box->setCurrentIndex(dense);
    emit box->activated(dense);
    QTRY_VERIFY(window().controller().config().optimizer.kind == core::OptimizerKind::Nadam);
    const core::ExperimentConfig& c = window().controller().config();
    QVERIFY(c.model.initializer.kind == core::InitializerKind::HeNormal);
    QVERIFY(c.model.hiddenActivation.kind == core::ActivationKind::Elu);
    QVERIFY(c.schedule.kind == core::ScheduleKind::OneCycle);
    QTRY_COMPARE(window().history().stepCount(0), std::int64_t(0));  // restarted
    QCOMPARE(box->currentIndex(), 0);
    const int first = box->findText(QStringLiteral("Default experiment"));
    box->setCurrentIndex(first);
    emit box->activated(first);
    QTRY_VERIFY(window().controller().config() == app::defaultExperiment());
  }

  void configurationRoundTrip() {
    const QString path = m_dir.filePath(QStringLiteral("experiment.json"));
    QString error;
    QVERIFY2(window().saveConfiguration(path, &error), qPrintable(error));
    const core::ExperimentConfig saved = window().configEditor().config();
    window().loadExperiment(app::defaultExperiment());
    waitForWorker();
    QVERIFY2(window().openConfiguration(path, &error), qPrintable(error));
    waitForWorker();
    QVERIFY(window().controller().config() == saved);
  }

  void malformedConfigurationNamesTheField_data() {
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("field");
    QTest::newRow("not json") << QByteArray("{\"format\": ") << "JSON";
    QTest::newRow("format") << QByteArray("{\"format\":\"x\",\"version\":1,\"settings\":{}}")
                            << "format";
    QTest::newRow("type") << QByteArray(
                                 "{\"format\":\"gradscope-config\",\"version\":1,"
                                 "\"settings\":{\"optimizer.learning_rate\":\"fast\"}}")
                          << "settings.optimizer.learning_rate";
    QTest::newRow("range") << QByteArray(
                                  "{\"format\":\"gradscope-config\",\"version\":1,"
                                  "\"settings\":{\"model.dropout\":2}}")
                           << "settings.model.dropout";
    QTest::newRow("unknown") << QByteArray(
                                    "{\"format\":\"gradscope-config\",\"version\":1,"
                                    "\"settings\":{\"model.depth\":2}}")
                             << "settings.model.depth";
  }
  void malformedConfigurationNamesTheField() {
    QFETCH(QByteArray, json);
    QFETCH(QString, field);
    const QString path = m_dir.filePath(QStringLiteral("bad.json"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    file.write(json);
    file.close();
    const core::ExperimentConfig before = window().configEditor().config();
    QString error;
    QVERIFY(!window().openConfiguration(path, &error));
    QVERIFY2(error.contains(field), qPrintable(error));
    QVERIFY(window().configEditor().config() == before);
  }

  void remembersExperimentAndLayout() {
    QVERIFY(QSettings().value(QStringLiteral("experiment/last")).isNull());
    QCOMPARE(MainWindow::startupExperiment() == app::defaultExperiment(), true);
    core::ExperimentConfig c = smallExperiment();
    c.model.hiddenLayers = 6;
    c.optimizer.learningRate = 0.02;
    {
      MainWindow first(c);  // persistent, as the application's
      first.show();
      QVERIFY(QTest::qWaitForWindowExposed(&first));
      QTRY_VERIFY(first.history().hasRun(0));
      first.setClassroomMode(true);
      first.close();
    }
    QString note;
    QVERIFY(MainWindow::startupExperiment(&note) == c);
    QVERIFY(note.isEmpty());
    MainWindow second(MainWindow::startupExperiment());
    QVERIFY(second.classroomMode());
    second.setClassroomMode(false);
    second.close();
    // A damaged entry falls back to the default experiment, with a note.
    QSettings().setValue(QStringLiteral("experiment/last"), QStringLiteral("{\"format\": 1"));
    QVERIFY(MainWindow::startupExperiment(&note) == app::defaultExperiment());
    QVERIFY(!note.isEmpty());
    QSettings().remove(QStringLiteral("experiment/last"));
  }

  void divergenceShowsItsMessageAndPauses() {
    core::ExperimentConfig c = smallExperiment();
    c.data.kind = core::DatasetKind::Sine;
    c.model.hiddenLayers = 10;
    c.model.width = 32;
    c.model.hiddenActivation = {core::ActivationKind::Relu};
    c.model.initializer = {core::InitializerKind::HeNormal};
    c.optimizer.learningRate = 1e3;
    window().loadExperiment(c);
    waitForWorker();
    window().play();
    QTRY_COMPARE_WITH_TIMEOUT(window().runState(), app::RunState::Diverged, 15000);
    QLabel* state = window().findChild<QLabel*>(QStringLiteral("state"));
    QVERIFY(state);
    QVERIFY2(state->text().contains(QStringLiteral("diverged at step")), qPrintable(state->text()));
    QVERIFY(state->styleSheet().contains(theme().warning.name()));
    const std::int64_t steps = window().history().stepCount(0);
    QTest::qWait(200);
    QCOMPARE(window().history().stepCount(0), steps);  // paused
    window().loadExperiment(smallExperiment());
    waitForWorker();
  }
};

QTEST_MAIN(TestMainWindow)
#include "tst_main_window.moc"
