#include "ui/window/main_window.h"

#include <QAbstractItemView>
#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QComboBox>
#include <QDir>
#include <QDockWidget>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QInputDialog>
#include <QJsonDocument>
#include <QLabel>
#include <QLayout>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QRegularExpression>
#include <QSaveFile>
#include <QScreen>
#include <QSet>
#include <QSettings>
#include <QStandardItemModel>
#include <QStandardPaths>
#include <QStatusBar>
#include <QStyle>
#include <QTabBar>
#include <QTimer>
#include <QToolBar>
#include <QToolButton>

#include <algorithm>
#include <cmath>
#include <utility>

#include "app/history/history_csv.h"
#include "app/runs/run_tracker.h"
#include "app/scenarios/default_experiment.h"
#include "app/sessions/config_file.h"
#include "core/model/settings_schema.h"
#include "ui/charts/chart_view.h"
#include "ui/charts/dashboard_view.h"
#include "ui/charts/decision_boundary_view.h"
#include "ui/charts/loss_view.h"
#include "ui/charts/lr_range_test_view.h"
#include "ui/charts/plot_axes.h"
#include "ui/charts/sharpness_view.h"
#include "ui/charts/view_registry.h"
#include "ui/export/image_export.h"
#include "ui/landscapes/landscape_window.h"
#include "ui/panels/config_editor.h"
#include "ui/panels/event_log_panel.h"
#include "ui/panels/layer_activation_editor.h"
#include "ui/panels/layer_list_editor.h"
#include "ui/panels/layer_selection.h"
#include "ui/panels/lr_plan_preview.h"
#include "ui/panels/lr_range_test_box.h"
#include "ui/panels/runs_panel.h"
#include "ui/panels/scenario_panel.h"
#include "ui/panels/schedule_hold_bar.h"
#include "ui/panels/settings_panel.h"
#include "ui/window/about_box.h"
#include "ui/window/data_opener.h"
#include "ui/window/discard_guard.h"
#include "ui/window/dock_tab_fitter.h"
#include "ui/window/presets.h"
#include "ui/window/session_manager.h"
#include "ui/window/settings_keys.h"
#include "ui/window/theme.h"
#include "ui/window/timeline_bar.h"
#include "ui/window/toolbar_icons.h"

namespace gradscope::ui {

namespace {

// Fast views redraw at each tick with new data (snapshots arrive 30-40 times a second), the
// others at every 5th tick, 8 Hz.
constexpr int kRefreshMilliseconds = 25;
constexpr int kSlowEvery = 5;
constexpr int kLayoutVersion = 2;  // 2: the Runs dock
constexpr int kControlPanelWidth = 330;
constexpr int kTwoRowsMinimumHeight = 900;  // presentation mode: two rows of charts from here
constexpr int kLayoutSettleMilliseconds = 80;
constexpr double kDefaultSpeed = 300.0;  // steps per second

const char* const kGroups[] = {"Data", "Network", "Optimiser", "Schedule", "Training"};

QString fileDirectory() {
  const QString last = QSettings().value(kDirectoryKey).toString();
  if (!last.isEmpty() && QDir(last).exists()) return last;
  const QString documents = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
  return documents.isEmpty() ? QDir::homePath() : documents;
}

QString withSuffix(QString path, const QString& suffix) {
  if (QFileInfo(path).suffix().isEmpty()) path += QLatin1Char('.') + suffix;
  return path;
}

}  // namespace

MainWindow::MainWindow(const core::ExperimentConfig& config, QWidget* parent)
    : MainWindow(config, Options{}, parent) {}

MainWindow::MainWindow(const core::ExperimentConfig& config, const Options& options,
                       QWidget* parent)
    : QMainWindow(parent), m_options(options) {
  setObjectName(QStringLiteral("GradScope"));
  setWindowTitle(tr("GradScope"));
  m_tabFitter = new DockTabFitter(this);  // before any dock is tabified
  setDockNestingEnabled(true);
  setDockOptions(QMainWindow::AnimatedDocks | QMainWindow::AllowTabbedDocks |
                 QMainWindow::AllowNestedDocks);
  m_baseFontSize = QApplication::font().pointSize();

  m_controller = std::make_unique<app::TrainingController>(config, this);
  m_editor = new ConfigEditor(*m_controller, this);
  m_layerSelection = new LayerSelection(this);
  m_landscapeModel = new app::LandscapeModel(this);
  m_sessions = new SessionManager(*this, options.persistent);
  m_data = new DataOpener(*this);
  m_discardGuard = new DiscardGuard(this);
  // Tests and measurements drive the window themselves: nothing to ask there.
  if (!options.persistent) m_discardGuard->setPrompt([](const QString&) { return true; });
  // An edit that redraws trained weights (units, layers, BatchNorm) asks as Reset does.
  m_editor->setDiscardCheck([this](const QString& action) { return confirmDiscard(action); });

  // The docks fill the window: the central widget is an empty placeholder.
  auto* placeholder = new QWidget(this);
  placeholder->setObjectName(QStringLiteral("placeholder"));
  setCentralWidget(placeholder);
  placeholder->hide();

  createActions();
  updateIcons();
  createToolBar();
  createStatusBar();
  createControlPanels();
  createRunsPanel();
  createViews();
  createScenarios();
  createEventLog();
  createMenus();
  arrangeDefaultLayout();
  m_defaultState = saveState(kLayoutVersion);
  m_layoutTimer = new QTimer(this);
  m_layoutTimer->setSingleShot(true);
  m_layoutTimer->setInterval(kLayoutSettleMilliseconds);
  connect(m_layoutTimer, &QTimer::timeout, this, &MainWindow::fitChartArrangement);

  connect(m_controller.get(), &app::TrainingController::snapshotReady, this,
          &MainWindow::handleSnapshot);
  connect(m_controller.get(), &app::TrainingController::lrRangeTestFinished, this,
          &MainWindow::lrRangeTestResult);
  connect(m_editor, &ConfigEditor::fieldFailed, this, &MainWindow::showCommandFailure);
  connect(m_editor, &ConfigEditor::notice, this,
          [this](const QString& text) { statusBar()->showMessage(text, 12000); });

  m_refreshTimer = new QTimer(this);
  m_refreshTimer->setInterval(kRefreshMilliseconds);
  m_refreshTimer->setTimerType(Qt::PreciseTimer);
  connect(m_refreshTimer, &QTimer::timeout, this, &MainWindow::refreshViews);
  m_refreshTimer->start();

  connect(&ThemeManager::instance(), &ThemeManager::changed, this, [this] {
    applyPalette();
    applyFonts();
  });
  restoreSettings();
}

core::ExperimentConfig MainWindow::startupExperiment(QString* note) {
  const QString saved = QSettings().value(kExperimentKey).toString();
  if (saved.isEmpty()) return app::defaultExperiment();
  QJsonParseError parseError;
  const QJsonDocument document = QJsonDocument::fromJson(saved.toUtf8(), &parseError);
  try {
    if (parseError.error != QJsonParseError::NoError || !document.isObject()) {
      throw core::Error("experiment", "the saved experiment is not valid JSON");
    }
    return app::configFromJson(document.object(), core::ExperimentConfig{});
  } catch (const core::Error& e) {
    if (note) {
      *note = tr("The last experiment could not be restored (%1: %2); the default one is "
                 "loaded.")
                  .arg(QString::fromStdString(e.field()), QString::fromStdString(e.reason()));
    }
    return app::defaultExperiment();
  }
}

MainWindow::~MainWindow() {
  m_refreshTimer->stop();
  // Stop the worker before the views it feeds go away.
  disconnect(m_controller.get(), nullptr, this, nullptr);
  m_controller.reset();
}

// ---------------------------------------------------------------------------------- views

void MainWindow::createViews() {
  // Every view comes from the one registry (ui/charts/view_registry.cpp); the window hosts each
  // in its own dock and places it in its registered cell (arrangeDefaultLayout).
  const ViewContext context{m_layerSelection, this, m_controller.get()};
  for (const ViewDescriptor& descriptor : dashboardViews()) {
    addView(descriptor.create(context), descriptor.cell);
  }
  for (DashboardView* v : m_views) {
    // The worker estimates the sharpness only while its chart is shown.
    if (auto* sharpness = dynamic_cast<SharpnessView*>(v)) {
      connect(sharpness, &SharpnessView::estimationRequested, m_controller.get(),
              &app::TrainingController::setSharpnessEstimation);
    }
    auto* rangeTest = dynamic_cast<LrRangeTestView*>(v);
    if (!rangeTest) continue;
    connect(this, &MainWindow::lrRangeTestResult, rangeTest, &LrRangeTestView::setResult);
    connect(this, &MainWindow::lrRangeTestResult, this,
            [this, rangeTest](const core::LrRangeTestResult& result) {
              // The curve comes to the front of its tab group when a test finishes (not when a
              // reset clears it).
              if (result.rates.empty()) return;
              if (QDockWidget* dock = dockOf(rangeTest)) {
                dock->show();
                dock->raise();
              }
            });
  }
}

void MainWindow::addView(DashboardView* view, int cell) {
  if (!view) return;
  auto* dock = new QDockWidget(view->viewTitle(), this);
  dock->setObjectName(view->viewTitle());
  dock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable |
                    QDockWidget::DockWidgetClosable);
  dock->setWidget(view->widget());
  addDockWidget(Qt::RightDockWidgetArea, dock);
  connect(dock, &QDockWidget::visibilityChanged, this,
          [view](bool visible) { view->setOnScreen(visible); });
  m_views.push_back(view);
  m_viewStates.push_back(ViewState{view, dock, 0, cell});
}

DashboardView* MainWindow::view(const QString& title) const {
  for (DashboardView* v : m_views) {
    if (v->viewTitle() == title) return v;
  }
  return nullptr;
}

QDockWidget* MainWindow::dockOf(DashboardView* view) const {
  for (const ViewState& s : m_viewStates) {
    if (s.view == view) return s.dock;
  }
  return nullptr;
}

SettingsPanel* MainWindow::settingsPanel(const QString& group) const {
  for (SettingsPanel* panel : m_panels) {
    if (panel->group() == group) return panel;
  }
  return nullptr;
}

void MainWindow::arrangeDefaultLayout() {
  // Control panels: one tab group on the left, tabs along the window's edge (five names fit
  // there at any width), the Network panel in front.
  setTabPosition(Qt::LeftDockWidgetArea, QTabWidget::West);
  for (int i = 1; i < m_controlDocks.size(); ++i) {
    tabifyDockWidget(m_controlDocks[0], m_controlDocks[i]);
  }
  if (m_scenarioDock && !m_controlDocks.isEmpty()) {
    tabifyDockWidget(m_controlDocks[0], m_scenarioDock);
  }
  if (m_eventLogDock && !m_controlDocks.isEmpty()) {
    tabifyDockWidget(m_controlDocks[0], m_eventLogDock);
  }
  if (m_controlDocks.size() > 1) m_controlDocks[1]->raise();
  if (!m_controlDocks.isEmpty()) {
    resizeDocks({m_controlDocks[0]}, {kControlPanelWidth}, Qt::Horizontal);
  }

  if (m_viewStates.empty()) return;
  if (m_options.allViewsVisible) {
    arrangeGrid();
    if (m_runsDock) m_runsDock->hide();  // the charts' worst case, as before comparisons
    return;
  }
  // Charts: three columns of two cells to the right of the controls; related views share a
  // cell as tabs, in registry order, the first of each cell in front.
  std::vector<std::vector<QDockWidget*>> cells(6);
  for (const ViewState& s : m_viewStates) {
    cells[std::size_t(std::clamp(s.cell, 0, int(cells.size()) - 1))].push_back(s.dock);
  }
  m_arrangement = std::make_unique<ChartArrangement>(this, std::move(cells));
  m_arrangement->arrange();
  m_columns = m_arrangement->columns(ChartArrangement::Rows::Two);
  // The Runs dock under the chart columns, in their area, so that a taller window gives the
  // charts their share.
  if (m_runsDock) addDockWidget(Qt::RightDockWidgetArea, m_runsDock, Qt::Vertical);
  applyDefaultSizes();
}

void MainWindow::applyDefaultSizes() {
  // The controls a fixed width, the chart columns and their cells sharing the rest equally.
  const int controls = m_controlDocks.isEmpty() || m_classroom
                           ? 0
                           : std::min(kControlPanelWidth, int(width() * 0.35));
  QList<QDockWidget*> docks;
  QList<int> widths;
  if (controls > 0) {
    docks << m_controlDocks[0];
    widths << controls;
  }
  const int columns = int(m_columns.size());
  if (columns > 0) {
    // The first column (the loss) a little wider than the others.
    const int rest = width() - controls;
    for (std::size_t c = 0; c < m_columns.size(); ++c) {
      docks << m_columns[c].front();
      const double share = columns == 3 ? (c == 0 ? 0.38 : 0.31) : 1.0 / columns;
      widths << std::max(1, int(rest * share));
    }
  }
  if (!docks.isEmpty()) resizeDocks(docks, widths, Qt::Horizontal);
  for (const auto& column : m_columns) {
    if (column.size() < 2) continue;
    QList<QDockWidget*> cells(column.begin(), column.end());
    QList<int> heights(cells.size(), std::max(1, height() / int(cells.size())));
    resizeDocks(cells, heights, Qt::Vertical);
  }
  fitRunsDock();
}

ChartArrangement::Rows MainWindow::wantedChartRows() const {
  // Two rows of charts at presentation size need a tall screen: at 720 px (the common
  // projector) each plot would be a few text lines high, its axes elided. One row then, the
  // bottom cells' views as tabs beside the top ones.
  return theme().presentation && height() < kTwoRowsMinimumHeight ? ChartArrangement::Rows::One
                                                                  : ChartArrangement::Rows::Two;
}

void MainWindow::fitChartArrangement() {
  if (!m_arrangement || m_options.allViewsVisible) return;
  const std::optional<ChartArrangement::Rows> current = m_arrangement->current();
  if (!current) return;  // a layout the lecturer made stays as it is
  const ChartArrangement::Rows wanted = wantedChartRows();
  // The views in front stay in front (a scenario's, the lecturer's): the new rows would put
  // each group's first view there.
  std::vector<QDockWidget*> fronts;
  for (const ViewState& v : m_viewStates) {
    if (v.dock->isVisible() && !v.dock->visibleRegion().isEmpty()) fronts.push_back(v.dock);
  }
  if (*current != wanted) {
    if (wanted == ChartArrangement::Rows::One) {
      m_arrangement->joinRows();
    } else {
      // Two rows again: the default state, with the control panel in front that was.
      QDockWidget* front = nullptr;
      for (QDockWidget* dock : findChildren<QDockWidget*>()) {
        if (dockWidgetArea(dock) == Qt::LeftDockWidgetArea && dock->isVisible()) front = dock;
      }
      restoreState(m_defaultState, kLayoutVersion);
      setClassroomMode(m_classroom);
      if (front && !m_classroom) front->raise();
    }
    for (QDockWidget* dock : fronts) dock->raise();
  }
  m_columns = m_arrangement->columns(wanted);
  applyDefaultSizes();
  restoreIntendedSize();
}

void MainWindow::restoreIntendedSize() {
  if (!m_intendedSize.isValid() || isMaximized() || isFullScreen()) return;
  if (height() <= m_intendedSize.height() && width() <= m_intendedSize.width()) return;
  // Once the parts fit again (a released pin, a row of charts fewer).
  layout()->activate();
  resize(m_intendedSize.expandedTo(layout()->minimumSize()));
}

void MainWindow::resizeEvent(QResizeEvent* event) {
  QMainWindow::resizeEvent(event);
  // Grown to exactly the layout's minimum: forced by a part, not asked for.
  const QSize now = event->size(), before = event->oldSize();
  const bool forced =
      before.isValid() && ((now.height() > before.height() && now.height() == minimumHeight()) ||
                           (now.width() > before.width() && now.width() == minimumWidth()));
  if (!forced) m_intendedSize = now;
  // Once the resizing settles: the default layout's proportions for the new size (not the
  // leftovers of the old one), and its rows for the new height.
  if (m_layoutTimer) m_layoutTimer->start();
}

void MainWindow::arrangeGrid() {
  // Every chart in its own cell, none behind a tab (for measuring the worst case).
  std::vector<QDockWidget*> docks;
  for (const ViewState& s : m_viewStates) docks.push_back(s.dock);
  const int n = int(docks.size());
  const int columns = n <= 2 ? n : n <= 6 ? 3 : 4;
  const int rows = (n + columns - 1) / columns;
  for (QDockWidget* dock : docks) addDockWidget(Qt::RightDockWidgetArea, dock);
  for (int c = 1; c < columns && c < n; ++c) {
    splitDockWidget(docks[std::size_t(c - 1)], docks[std::size_t(c)], Qt::Horizontal);
  }
  for (int r = 1; r < rows; ++r) {
    for (int c = 0; c < columns; ++c) {
      const int i = r * columns + c;
      if (i >= n) break;
      splitDockWidget(docks[std::size_t(i - columns)], docks[std::size_t(i)], Qt::Vertical);
    }
  }
}

// ---------------------------------------------------------------------------- snapshots

void MainWindow::handleSnapshot(const app::SnapshotPtr& snapshot) {
  if (!snapshot) return;
  QElapsedTimer busy;
  busy.start();
  const app::Snapshot& s = *snapshot;
  if (s.runTable && s.runTable != m_runTable) applyRunTable(s.runTable);
  // The Runs table takes the selected run's tables, so that its figures and the status bar's
  // come from one snapshot (a table that changes the runs is shown at once, above).
  if (s.run == m_run && s.runTable) m_runsPanel->setRunTable(s.runTable);
  m_history.append(s);
  if (!s.events.empty()) {
    const app::RunEntry* entry = m_runTable ? m_runTable->find(s.run) : nullptr;
    const QString name = entry && m_runTable->runs.size() > 1 ? entry->name : QString();
    for (const app::Event& e : s.events) {
      if (e.kind == app::EventKind::ClippingBurst) continue;  // a measurement, not a change
      m_eventLog->append(name, e.step, e.text);
    }
  }
  // The views show the selected run; the others reach them through the history.
  if (s.run == m_run) {
    if (s.layerCount > 0) m_layerSelection->setLayerCount(s.layerCount);
    for (ViewState& v : m_viewStates) {
      // A history cut (the run went on from an earlier step) is redrawn from scratch too.
      if (s.reset || s.discardFrom >= 0) {
        v.view->clear();
        v.drawnRevision = 0;
      }
      v.view->onSnapshot(s);
    }
  }
  if (s.run == m_run) {
    if (SettingsPanel* schedule = settingsPanel(QStringLiteral("Schedule"))) {
      if (auto* preview = schedule->findChild<LrPlanPreview*>()) {
        if (s.learningRatePlan) preview->setPlan(s.learningRatePlan);
        preview->setHeldPlan(s.heldPlan);
        preview->setCurrentStep(s.currentStep);
      }
    }
    updateStatus(snapshot);
  }
  // Every run of a scenario makes its own live changes at its own steps.
  if (const int scenarioRun = scenarioRunOf(s.run); scenarioRun >= 0) {
    if (s.reset) m_scenarioPanel->rearm(scenarioRun);
    m_scenarioPanel->stepReached(scenarioRun, s.currentStep);
  }
  // Trained up to a live change (made just above): play on.
  if (m_playToAction >= 0 && s.run == m_run && s.state == app::RunState::Paused &&
      s.currentStep >= m_playToAction) {
    m_playToAction = -1;
    play();
  }
  ++m_stats.snapshots;
  m_stats.busyNanoseconds += busy.nsecsElapsed();
  emit snapshotHandled(snapshot);
}

void MainWindow::updateTimeline(const app::Snapshot& s) {
  const std::int64_t first = m_history.firstStep(m_run);
  const std::int64_t last = std::max(m_history.lastStep(m_run) + 1, s.currentStep);
  m_timeline->setSteps(first, last, s.currentStep);
  if (const auto& epochs = m_history.epochs(m_run); !epochs.empty()) {
    m_timeline->setStepsPerEpoch(epochs.front().lastStep + 1 - first);
  }
  // One cursor, the same step, on every chart over steps.
  std::vector<ChartMark> cursor;
  if (s.currentStep < last) {
    ChartMark mark;
    mark.value = double(s.currentStep);
    mark.label = tr("step %L1").arg(s.currentStep);
    mark.toolTip = tr("The runs stand at step %L1 (the timeline); Play trains on from here")
                       .arg(s.currentStep);
    mark.color = palette().color(QPalette::Highlight);
    mark.style = Qt::DashLine;
    cursor.push_back(mark);
  }
  for (const ViewState& v : m_viewStates) {
    if (!v.view->widget()) continue;
    for (ChartView* chart : v.view->widget()->findChildren<ChartView*>()) {
      if (chart->overSteps()) chart->setMarks(ChartView::MarkGroup::Timeline, cursor);
    }
  }
}

void MainWindow::forkHere() {
  const app::RunEntry* entry = m_runTable ? m_runTable->find(m_run) : nullptr;
  if (!entry) return;
  const std::int64_t step = m_timeline->current();
  bool ok = false;
  const QString text = QInputDialog::getMultiLineText(
      this, tr("Fork here"),
      tr("Fork \"%1\" at step %L2 with these settings changed, one KEY=VALUE a line\n"
         "(e.g. model.activation=relu or optimizer.learning_rate=0.01):")
          .arg(entry->name)
          .arg(step),
      QString(), &ok);
  if (!ok) return;
  core::ExperimentConfig config = entry->config;
  const QStringList lines = text.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
  for (qsizetype i = 0; i < lines.size(); ++i) {
    const QString line = lines[i].trimmed();
    const qsizetype equals = line.indexOf(QLatin1Char('='));
    const std::string key = line.left(equals).trimmed().toStdString();
    try {
      if (equals < 0) throw core::Error(key, "expected KEY=VALUE");
      const core::SettingMeta* meta = core::findSetting(key);
      if (!meta) throw core::Error(key, "unknown setting");
      core::setSetting(
          config, key,
          core::parseSettingValue(*meta, line.mid(equals + 1).trimmed().toStdString()));
    } catch (const core::Error& e) {
      QMessageBox::warning(
          this, tr("Fork here"),
          tr("Line %1: %2: %3")
              .arg(i + 1)
              .arg(QString::fromStdString(e.field()), QString::fromStdString(e.reason())));
      return;
    }
  }
  m_controller->forkRun(m_run, step, config);
}

void MainWindow::refreshViews() {
  QElapsedTimer busy;
  busy.start();
  bool fastDrawn = false;
  int slowIndex = 0;
  const bool training = m_state == app::RunState::Running;
  for (ViewState& v : m_viewStates) {
    // While training, the views of one step move with the status bar (showReadout).
    if (training && v.view->showsOneStep()) continue;
    const bool fast = v.view->fastRefresh();
    // Slow views are spread over the ticks so that no single tick draws them all.
    const bool due = fast || (m_tick + slowIndex++) % kSlowEvery == 0;
    if (!due || !refreshView(v)) continue;
    if (fast) {
      ++m_stats.fastRefreshes;
      fastDrawn = true;
    } else {
      ++m_stats.slowRefreshes;
    }
  }
  if (fastDrawn) ++m_stats.fastTicks;
  ++m_tick;
  m_stats.busyNanoseconds += busy.nsecsElapsed();
}

bool MainWindow::refreshView(ViewState& v) {
  const std::uint64_t revision =
      v.view->overlaysRuns() ? m_history.latestRevision() : m_history.revision(m_run);
  if (v.drawnRevision == revision) return false;
  QWidget* widget = v.view->widget();
  if (!widget || !widget->isVisible()) return false;  // hidden or behind another tab
  v.view->refresh(m_history, m_run);
  v.drawnRevision = revision;
  return true;
}

void MainWindow::updateStatus(const app::SnapshotPtr& snapshot) {
  const app::Snapshot& s = *snapshot;
  m_readout = snapshot;
  // Running: the figures change faster than anyone reads them, and come with the Runs
  // table's at its next refresh (tableShown). Otherwise both now.
  if (s.state != app::RunState::Running) m_runsPanel->showTableNow();
  if (m_stateLabel->text() != s.status) m_stateLabel->setText(s.status);
  const bool warn = s.state == app::RunState::Diverged;
  const QString style =
      warn ? QStringLiteral("QLabel { color: %1; font-weight: bold; }").arg(theme().warning.name())
           : QString();
  if (m_stateLabel->styleSheet() != style) m_stateLabel->setStyleSheet(style);
  if (m_state != s.state) {
    m_state = s.state;
    updatePlayAction();
  }
}

void MainWindow::showReadout() {
  if (!m_readout) return;
  const app::Snapshot& s = *m_readout;
  auto setText = [](QLabel* label, const QString& text) {
    if (label->text() != text) label->setText(text);
  };
  const core::ExperimentConfig& config = m_controller->config();
  // The epoch being trained (the last one once the planned epochs are done).
  const int epoch = std::min(s.currentEpoch + 1, std::max(1, config.training.epochs));
  setText(m_epochLabel,
          tr("Epoch %L1/%L2").arg(std::max(epoch, s.currentEpoch)).arg(config.training.epochs));
  setText(m_stepLabel, tr("Step %L1").arg(s.currentStep));
  setText(m_rateLabel, s.state == app::RunState::Running
                           ? tr("%L1 steps/s").arg(std::lround(s.stepsPerSecond))
                           : tr("– steps/s"));
  const auto& loss = s.stepValues[std::size_t(app::StepMetric::Loss)];
  const auto& rate = s.stepValues[std::size_t(app::StepMetric::LearningRate)];
  if (!loss.empty()) setText(m_lossLabel, tr("Loss %1").arg(formatReading(loss.back())));
  if (!rate.empty()) setText(m_lrLabel, tr("LR %1").arg(formatReading(rate.back())));
  if (s.reset && loss.empty()) {
    setText(m_lossLabel, tr("Loss –"));
  }
  // The timeline's step with the status bar's and the Runs table's, from the same snapshot;
  // while training, the views of one step too (the history holds that snapshot's steps).
  updateTimeline(s);
  if (m_state == app::RunState::Running) {
    for (ViewState& v : m_viewStates) {
      if (v.view->showsOneStep() && refreshView(v)) ++m_stats.slowRefreshes;
    }
  }
}

void MainWindow::updatePlayAction() {
  const bool running = m_state == app::RunState::Running;
  m_playAction->setText(running ? tr("Pause") : tr("Play"));
  m_playAction->setIcon(toolbarIcon(running ? ToolbarIcon::Pause : ToolbarIcon::Play,
                                    QApplication::palette().color(QPalette::ButtonText)));
  m_playAction->setToolTip(running ? tr("Pause training (Space)") : tr("Start training (Space)"));
}

QString MainWindow::statusText() const {
  return QStringList{m_epochLabel->text(), m_stepLabel->text(), m_rateLabel->text(),
                     m_lossLabel->text(),  m_lrLabel->text(),   m_stateLabel->text()}
      .join(QStringLiteral("  "));
}

void MainWindow::showCommandFailure(const QString& field, const QString& reason) {
  bool shown = false;
  for (SettingsPanel* panel : m_panels) {
    if (panel->hasSetting(field)) {
      panel->showError(field, reason);
      shown = true;
    }
  }
  statusBar()->showMessage(tr("Not applied: %1: %2").arg(field, reason), 10000);
  Q_UNUSED(shown);
}

// ------------------------------------------------------------------------------ controls

void MainWindow::togglePlay() {
  if (m_state == app::RunState::Running) {
    pause();
  } else {
    play();
  }
}

void MainWindow::play() {
  statusBar()->clearMessage();
  // A scenario's live change happens at its step, however fast the runs train: they train
  // up to it, the change is made (stepReached()), and play goes on from there.
  const std::int64_t next = m_scenarioPanel ? m_scenarioPanel->nextAutomaticStep() : -1;
  const std::int64_t current = scenarioRunOf(m_run) >= 0 ? m_history.lastStep(m_run) + 1 : -1;
  m_playToAction = current >= 0 && next > current ? next : -1;
  if (m_playToAction >= 0) {
    m_controller->stepSteps(next - current);
  } else {
    m_controller->start();
  }
  if (m_state != app::RunState::Diverged && m_state != app::RunState::Finished) {
    m_state = app::RunState::Running;  // optimistic: the next snapshot confirms
    updatePlayAction();
  }
}

void MainWindow::pause() {
  m_playToAction = -1;
  m_controller->pause();
  m_state = app::RunState::Paused;
  updatePlayAction();
}

void MainWindow::stepBatch() { m_controller->stepBatch(); }
void MainWindow::stepEpoch() { m_controller->stepEpoch(); }

bool MainWindow::requestReset() {
  if (!confirmDiscard(tr("Reset"))) return false;
  reset();
  return true;
}

void MainWindow::reset() {
  m_playToAction = -1;
  clearLrRangeTest();
  m_controller->reset();
  m_state = app::RunState::Paused;
  updatePlayAction();
}

void MainWindow::setSpeed(double stepsPerSecond) {
  m_speed = std::max(0.0, stepsPerSecond);
  m_controller->setSpeed(m_speed);
  if (m_speedBox) {
    const int index = m_speedBox->findData(m_speed);
    const QSignalBlocker block(m_speedBox);
    if (index >= 0) m_speedBox->setCurrentIndex(index);
  }
}

void MainWindow::loadExperiment(const core::ExperimentConfig& config) {
  if (m_runTable && m_runTable->runs.size() > 1) {
    // A new experiment ends the comparison: one run again.
    loadRuns({app::NamedConfig{QString(), config}});
    return;
  }
  clearLrRangeTest();
  m_editor->apply(config);
  m_controller->reset();
  m_state = app::RunState::Paused;
  updatePlayAction();
}

void MainWindow::loadRuns(const QList<app::NamedConfig>& runs) {
  clearLrRangeTest();
  m_controller->setRuns(runs);
  m_state = app::RunState::Paused;
  updatePlayAction();
}

void MainWindow::addScenario(
    const QString& name, const QString& tooltip,
    std::function<core::ExperimentConfig(const core::ExperimentConfig&)> make) {
  m_scenarios.push_back(Scenario{name, std::move(make)});
  m_scenarioBox->addItem(name, int(m_scenarios.size() - 1));
  m_scenarioBox->setItemData(m_scenarioBox->count() - 1, tooltip, Qt::ToolTipRole);
  m_scenarioBox->setCurrentIndex(0);
  fitScenarioList();
}

void MainWindow::fitScenarioList() {
  QAbstractItemView* list = m_scenarioBox->view();
  list->setMinimumWidth(list->sizeHintForColumn(0) +
                        list->style()->pixelMetric(QStyle::PM_ScrollBarExtent) + 8);
}

void MainWindow::createScenarios() {
  // Presets from the lecture's table, then the scenario library (resources/scenarios).
  for (const Preset& preset : presets()) addScenario(preset.name, preset.description, preset.make);
  const app::ScenarioLibrary& library = app::ScenarioLibrary::builtIn();
  if (!library.scenarios().empty()) m_scenarioBox->insertSeparator(m_scenarioBox->count());
  for (const app::Scenario& s : library.scenarios()) {
    const QString number = s.file.section(QLatin1Char('-'), 0, 0);
    addScenario(QStringLiteral("%1. %2").arg(number.toInt()).arg(s.title), s.claim, {});
    m_scenarios.back().library = &s;
  }
  if (!library.errors().isEmpty()) {
    statusBar()->showMessage(
        tr("Scenario files left out: %1").arg(library.errors().join(QStringLiteral("; "))), 30000);
  }

  m_scenarioPanel = new ScenarioPanel(this);
  m_scenarioPanel->setObjectName(QStringLiteral("scenarioPanel"));
  m_scenarioDock = new QDockWidget(tr("Scenarios"), this);
  m_scenarioDock->setObjectName(QStringLiteral("scenarios"));
  m_scenarioDock->setWidget(m_scenarioPanel);
  m_scenarioDock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable |
                              QDockWidget::DockWidgetClosable);
  addDockWidget(Qt::LeftDockWidgetArea, m_scenarioDock);
  connect(m_scenarioPanel, &ScenarioPanel::runRequested, this, [this](int run) {
    if (!m_scenarioPanel->scenario()) return;
    // The scenario's comparison is still loaded: show that run; otherwise load it again.
    if (scenarioRunOf(run) == run) {
      selectRun(run);
    } else if (confirmDiscard(tr("Loading “%1” again").arg(m_scenarioPanel->scenario()->title))) {
      loadScenario(*m_scenarioPanel->scenario(), run);
    }
  });
  connect(m_scenarioPanel, &ScenarioPanel::actionDue, this, &MainWindow::applyScenarioAction);
  connect(m_scenarioPanel, &ScenarioPanel::rangeTestRequested, this,
          [this](const core::LrRangeTestSettings& settings) {
            m_controller->runLrRangeTest(settings);
          });
}

void MainWindow::loadScenario(const app::Scenario& scenario, int run) {
  const int index = std::clamp(run, 0, int(scenario.runs.size()) - 1);
  m_scenarioSelect = -1;
  m_playToAction = -1;
  if (scenario.runs.size() > 1) {
    // All runs in lockstep, so the loss overlay and the results table compare them; the
    // worker numbers them 0, 1, 2... in the scenario's order.
    QList<app::NamedConfig> runs;
    for (const app::ScenarioRun& r : scenario.runs) runs.push_back({r.name, r.config});
    loadRuns(runs);
    if (index > 0) m_scenarioSelect = index;  // once the new runs are in the run table
  } else {
    loadExperiment(scenario.runs.front().config);
  }
  m_scenarioPanel->setScenario(scenario, index);
  // The views the claim needs: its loss axis and the loss "steps to target" is measured at
  // (the defaults when it names none, so one scenario's view does not stay for the next).
  for (DashboardView* v : m_views) {
    if (auto* loss = dynamic_cast<LossView*>(v))
      loss->setLogScale(scenario.view.logLoss.value_or(false));
    if (auto* boundary = dynamic_cast<DecisionBoundaryView*>(v)) {
      boundary->setMode(scenario.view.regions.value_or(false)
                            ? DecisionBoundaryView::Mode::Regions
                            : DecisionBoundaryView::Mode::Prediction);
    }
  }
  m_controller->setTargetLoss(scenario.view.targetLoss.value_or(app::RunTracker().targetLoss()));
  m_eventLog->append(QString(), -1, tr("scenario loaded: %1").arg(scenario.title));
  m_scenarioDock->show();
  m_scenarioDock->raise();
  // The scenario's dashboard as its text describes it: each cell's first view in front (not
  // the view the previous scenario brought forward), then the one it asks for.
  if (m_arrangement) {
    if (const auto rows = m_arrangement->current()) m_arrangement->raiseFirsts(*rows);
  }
  if (QDockWidget* shown = dockOf(view(scenario.view.show))) {
    shown->show();
    shown->raise();
  }
  statusBar()->showMessage(
      tr("%1: ask the class the question, then press Play").arg(scenario.title), 10000);
}

int MainWindow::scenarioRunOf(int id) const {
  if (!m_scenarioPanel || !m_runTable) return -1;
  const auto& scenario = m_scenarioPanel->scenario();
  if (!scenario) return -1;
  if (scenario->runs.size() == 1) {
    // A single-run scenario is the experiment on screen.
    return m_runTable->runs.size() == 1 && id == m_run ? 0 : -1;
  }
  // A scenario's comparison numbers its runs in order and names them explicitly; a run added,
  // renamed or loaded since is not one of the scenario's.
  if (id < 0 || id >= int(scenario->runs.size())) return -1;
  const app::RunEntry* entry = m_runTable->find(id);
  if (!entry || !entry->namedExplicitly || entry->name != scenario->runs[std::size_t(id)].name) {
    return -1;
  }
  return id;
}

void MainWindow::applyScenarioAction(int scenarioRun, const app::ScenarioAction& action) {
  const auto& scenario = m_scenarioPanel->scenario();
  if (!scenario) return;
  // The run it belongs to: the one on screen for a single-run scenario, else its id.
  const int id = scenario->runs.size() == 1 ? m_run : scenarioRun;
  if (scenarioRunOf(id) != scenarioRun) return;  // the scenario's runs are no longer loaded
  try {
    if (id == m_run) {
      // Through the editor, so the panels show the change.
      m_editor->apply(app::applyAction(m_editor->config(), action));
    } else {
      m_controller->applyRunConfig(id, app::applyAction(m_runTable->find(id)->config, action));
    }
    const QString who = scenario->runs.size() > 1
                            ? QStringLiteral(" (%1)").arg(scenario->runs[std::size_t(id)].name)
                            : QString();
    statusBar()->showMessage(tr("Live change%1: %2").arg(who, action.label), 8000);
  } catch (const core::Error& e) {
    showCommandFailure(QString::fromStdString(e.field()), QString::fromStdString(e.reason()));
  }
}

std::int64_t MainWindow::trainedSteps() const {
  std::int64_t steps = 0;
  if (m_runTable) {
    for (const app::RunEntry& e : m_runTable->runs)
      steps = std::max(steps, m_history.stepCount(e.id));
  } else {
    steps = m_history.stepCount(m_run);
  }
  return steps;
}

QString MainWindow::trainedRunsName() const {
  if (!m_runTable || m_runTable->runs.size() <= 1) return tr("the trained run");
  return tr("the %1 trained runs").arg(m_runTable->runs.size());
}

bool MainWindow::confirmDiscard(const QString& action) {
  const std::int64_t steps = trainedSteps();
  if (!m_discardGuard->confirm(action, steps, trainedRunsName(), m_sessions->isDirty())) {
    statusBar()->showMessage(tr("%1 cancelled: the trained run is kept").arg(action), 6000);
    return false;
  }
  if (steps > 0) {
    m_eventLog->append(QString(), -1,
                       tr("%1: discarded %2 at step %3").arg(action, trainedRunsName()).arg(steps));
  }
  return true;
}

void MainWindow::clearLrRangeTest() { emit lrRangeTestResult(core::LrRangeTestResult{}); }

void MainWindow::createEventLog() {
  m_eventLog = new EventLogPanel(this);
  m_eventLog->setObjectName(QStringLiteral("eventLog"));
  m_eventLogDock = new QDockWidget(tr("Event log"), this);
  m_eventLogDock->setObjectName(QStringLiteral("eventLogDock"));
  m_eventLogDock->setWidget(m_eventLog);
  m_eventLogDock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable |
                              QDockWidget::DockWidgetClosable);
  addDockWidget(Qt::LeftDockWidgetArea, m_eventLogDock);
}

QStringList MainWindow::eventLog() const { return m_eventLog->lines(); }

void MainWindow::setEventLog(const QStringList& lines) { m_eventLog->setLines(lines); }

// ------------------------------------------------------------------------------- widgets

void MainWindow::createActions() {
  m_playAction = new QAction(this);
  m_playAction->setObjectName(QStringLiteral("play"));
  m_playAction->setShortcut(Qt::Key_Space);
  connect(m_playAction, &QAction::triggered, this, &MainWindow::togglePlay);
  updatePlayAction();

  m_stepAction = new QAction(tr("Step"), this);
  m_stepAction->setShortcut(Qt::Key_N);
  m_stepAction->setToolTip(tr("Train one mini-batch (N)"));
  connect(m_stepAction, &QAction::triggered, this, &MainWindow::stepBatch);

  m_forkAction = new QAction(tr("Fork here…"), this);
  m_forkAction->setObjectName(QStringLiteral("forkHere"));
  m_forkAction->setIconText(tr("Fork…"));
  m_forkAction->setToolTip(
      tr("Start a run from the timeline's step with other settings; both go on in lockstep "
         "with the same mini-batches"));
  connect(m_forkAction, &QAction::triggered, this, &MainWindow::forkHere);

  m_epochAction = new QAction(tr("Epoch"), this);
  m_epochAction->setToolTip(tr("Train to the end of the epoch"));
  connect(m_epochAction, &QAction::triggered, this, &MainWindow::stepEpoch);

  m_resetAction = new QAction(style()->standardIcon(QStyle::SP_BrowserReload), tr("Reset"), this);
  m_resetAction->setShortcut(Qt::Key_R);
  m_resetAction->setToolTip(
      tr("New weights from the seed with the current initialiser; the run starts over (R)"));
  connect(m_resetAction, &QAction::triggered, this, &MainWindow::requestReset);

  m_saveAction = new QAction(style()->standardIcon(QStyle::SP_DialogSaveButton),
                             tr("Save configuration…"), this);
  m_saveAction->setIconText(tr("Save"));
  m_saveAction->setToolTip(
      tr("Save only the experiment's settings to a file (a session saves everything)"));
  connect(m_saveAction, &QAction::triggered, this, &MainWindow::saveDialog);

  m_openAction = new QAction(style()->standardIcon(QStyle::SP_DialogOpenButton),
                             tr("Open configuration…"), this);
  m_openAction->setIconText(tr("Open"));
  m_openAction->setToolTip(tr("Open saved experiment settings and restart with them"));
  // The toolbar's Save and Open are the session's (Ctrl+S, Ctrl+O).
  m_sessions->saveAction()->setIcon(m_saveAction->icon());
  m_sessions->saveAction()->setIconText(tr("Save"));
  m_sessions->openAction()->setIcon(m_openAction->icon());
  m_sessions->openAction()->setIconText(tr("Open"));
  connect(m_openAction, &QAction::triggered, this, &MainWindow::openDialog);

  m_exportAction = new QAction(tr("Export…"), this);
  m_exportAction->setShortcut(Qt::CTRL | Qt::Key_E);
  m_exportAction->setToolTip(
      tr("Export the dashboard (PNG at 1x, 2x or 4x, or SVG) or the metric history (CSV) "
         "(Ctrl+E)"));
  connect(m_exportAction, &QAction::triggered, this, &MainWindow::exportDialog);
  m_exportPngAction = new QAction(tr("Dashboard as PNG (2x)…"), this);
  connect(m_exportPngAction, &QAction::triggered, this, [this] {
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export dashboard"), QDir(fileDirectory()).filePath("gradscope-dashboard.png"),
        tr("PNG image (*.png)"));
    if (path.isEmpty()) return;
    QString error;
    if (!exportPng(dashboardWidget(), withSuffix(path, "png"), 2.0, &error)) {
      QMessageBox::warning(this, tr("Export failed"), error);
    }
  });
  m_exportSvgAction = new QAction(tr("Dashboard as SVG…"), this);
  connect(m_exportSvgAction, &QAction::triggered, this, [this] {
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export dashboard"), QDir(fileDirectory()).filePath("gradscope-dashboard.svg"),
        tr("SVG drawing (*.svg)"));
    if (path.isEmpty()) return;
    QString error;
    if (!exportSvg(dashboardWidget(), withSuffix(path, "svg"), &error)) {
      QMessageBox::warning(this, tr("Export failed"), error);
    }
  });
  m_exportCsvAction = new QAction(tr("Metric history as CSV…"), this);
  m_exportCsvAction->setToolTip(
      tr("One tidy table per run, a row per step: step, epoch, loss, data_loss, accuracy, "
         "learning_rate, momentum, gradient_norm_before_clip, gradient_norm_after_clip, "
         "clipped"));
  connect(m_exportCsvAction, &QAction::triggered, this, [this] {
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export metric history"), QDir(fileDirectory()).filePath("gradscope-history.csv"),
        tr("CSV table (*.csv)"));
    if (path.isEmpty()) return;
    QString error;
    if (exportHistoryCsv(withSuffix(path, "csv"), &error).isEmpty()) {
      QMessageBox::warning(this, tr("Export failed"), error);
    }
  });

  m_presentationAction = new QAction(tr("Presentation mode"), this);
  m_presentationAction->setCheckable(true);
  m_presentationAction->setShortcut(Qt::Key_F11);
  m_presentationAction->setToolTip(tr("Larger text and lines for a projector (F11)"));
  connect(m_presentationAction, &QAction::toggled, this, &MainWindow::setPresentationMode);

  m_classroomAction = new QAction(tr("Classroom: hide controls"), this);
  m_classroomAction->setCheckable(true);
  m_classroomAction->setToolTip(
      tr("Hide the control panels so that only the charts and the play controls show"));
  connect(m_classroomAction, &QAction::toggled, this, &MainWindow::setClassroomMode);

  m_resetLayoutAction = new QAction(tr("Reset layout"), this);
  connect(m_resetLayoutAction, &QAction::triggered, this, [this] {
    restoreState(m_defaultState, kLayoutVersion);
    setClassroomMode(false);
    applyDefaultSizes();
    fitChartArrangement();
  });

  m_themeGroup = new QActionGroup(this);
  const QString names[] = {tr("Light"), tr("Dark"), tr("Presentation light"),
                           tr("Presentation dark")};
  for (int i = 0; i < 4; ++i) {
    auto* action = new QAction(names[i], m_themeGroup);
    action->setCheckable(true);
    action->setData(i);
    m_themeActions << action;
    connect(action, &QAction::triggered, this, [this, i] {
      setDarkTheme(i % 2 == 1);
      setPresentationMode(i >= 2);
    });
  }
  m_themeActions[0]->setChecked(true);

  for (QAction* a : {m_playAction, m_stepAction, m_epochAction, m_resetAction, m_saveAction,
                     m_openAction, m_exportAction, m_presentationAction}) {
    addAction(a);  // shortcuts work while the toolbar is hidden too
  }
}

void MainWindow::createToolBar() {
  // The timeline, under the charts.
  QToolBar* timeline = new QToolBar(tr("Timeline"), this);
  timeline->setObjectName(QStringLiteral("timelineBar"));
  timeline->setMovable(false);
  m_timeline = new TimelineBar(timeline);
  timeline->addWidget(m_timeline);
  addToolBar(Qt::BottomToolBarArea, timeline);
  connect(m_timeline, &TimelineBar::stepRequested, this,
          [this](qint64 step) { m_controller->goToStep(step); });
  connect(m_timeline, &TimelineBar::forkRequested, this, &MainWindow::forkHere);

  QToolBar* bar = addToolBar(tr("Training"));
  bar->setObjectName(QStringLiteral("toolbar"));
  bar->setMovable(false);
  bar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
  bar->addAction(m_playAction);
  bar->addAction(m_stepAction);
  bar->addAction(m_epochAction);
  bar->addAction(m_resetAction);
  bar->addAction(m_forkAction);
  bar->addSeparator();

  auto* speedLabel = new QLabel(tr(" Speed "), bar);
  bar->addWidget(speedLabel);
  m_speedBox = new QComboBox(bar);
  m_speedBox->setObjectName(QStringLiteral("speed"));
  // Wide enough for "1,000 steps/s" at the font in use.
  m_speedBox->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
  m_speedBox->setMinimumContentsLength(14);
  m_speedBox->addItem(tr("Full speed"), 0.0);
  for (double rate : {1000.0, 300.0, 100.0, 30.0, 10.0, 3.0, 1.0}) {
    m_speedBox->addItem(rate == 1.0 ? tr("1 step/s") : tr("%L1 steps/s").arg(rate), rate);
  }
  m_speedBox->setToolTip(
      tr("Training speed: as fast as possible, or slowed down to a target number of steps per "
         "second so that a class can follow each update"));
  connect(m_speedBox, &QComboBox::activated, this,
          [this](int index) { setSpeed(m_speedBox->itemData(index).toDouble()); });
  bar->addWidget(m_speedBox);
  bar->addSeparator();

  m_scenarioBox = new QComboBox(bar);
  m_scenarioBox->setObjectName(QStringLiteral("scenarios"));
  // The first entry names the picker (not a placeholder, which the styles draw greyed out as
  // if disabled); it cannot be chosen.
  m_scenarioBox->addItem(tr("Scenarios…"), -1);
  if (auto* model = qobject_cast<QStandardItemModel*>(m_scenarioBox->model())) {
    model->item(0)->setEnabled(false);
  }
  m_scenarioBox->setToolTip(
      tr("Start a ready-made experiment: the default one, the lecture's recommended "
         "configurations, or one of the lecture's claims (the Scenarios panel explains what to "
         "ask and what to look at). The run restarts with it."));
  // As wide as about 18 characters, not as its longest scenario name: at 1280 px in
  // presentation mode that name took the toolbar's room (Open and Export went into its
  // overflow menu and squeezed the speed list); its list shows every name whole
  // (fitScenarioList).
  m_scenarioBox->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
  m_scenarioBox->setMinimumContentsLength(18);
  m_scenarioBox->view()->setTextElideMode(Qt::ElideNone);
  connect(m_scenarioBox, &QComboBox::activated, this, [this](int index) {
    const int id = m_scenarioBox->itemData(index).toInt();
    if (id >= 0 && id < int(m_scenarios.size())) {
      const Scenario& scenario = m_scenarios[std::size_t(id)];
      if (!confirmDiscard(tr("Loading “%1”").arg(scenario.name))) {
        m_scenarioBox->setCurrentIndex(0);
        return;
      }
      try {
        if (scenario.library) {
          loadScenario(*scenario.library);
          m_scenarioBox->setCurrentIndex(0);
          return;
        }
        loadExperiment(scenario.make(m_editor->config()));
        statusBar()->showMessage(tr("%1: press Play").arg(scenario.name), 8000);
      } catch (const core::Error& e) {
        statusBar()->showMessage(tr("%1 not applied: %2: %3")
                                     .arg(scenario.name, QString::fromStdString(e.field()),
                                          QString::fromStdString(e.reason())),
                                 10000);
      }
    }
    m_scenarioBox->setCurrentIndex(0);
  });
  bar->addWidget(m_scenarioBox);
  bar->addSeparator();

  bar->addAction(m_sessions->saveAction());
  bar->addAction(m_sessions->openAction());
  auto* exportButton = new QToolButton(bar);
  exportButton->setDefaultAction(m_exportAction);
  exportButton->setToolButtonStyle(Qt::ToolButtonTextOnly);
  auto* exportMenu = new QMenu(exportButton);
  exportMenu->addAction(m_exportPngAction);
  exportMenu->addAction(m_exportSvgAction);
  exportMenu->addAction(m_exportCsvAction);
  exportButton->setMenu(exportMenu);
  exportButton->setPopupMode(QToolButton::MenuButtonPopup);
  bar->addWidget(exportButton);
}

LandscapeWindow* MainWindow::showLandscapes() {
  if (!m_landscapeWindow) m_landscapeWindow = new LandscapeWindow(m_landscapeModel, this);
  m_landscapeWindow->show();
  m_landscapeWindow->raise();
  m_landscapeWindow->activateWindow();
  return m_landscapeWindow;
}

void MainWindow::createMenus() {
  QMenu* file = menuBar()->addMenu(tr("&File"));
  file->addAction(m_sessions->openAction());
  file->addMenu(m_sessions->recentMenu());
  file->addAction(m_data->openAction());
  file->addMenu(m_data->recentMenu());
  file->addAction(m_sessions->saveAction());
  file->addAction(m_sessions->saveAsAction());
  file->addAction(m_sessions->noteAction());
  file->addSeparator();
  file->addAction(m_saveAction);
  file->addAction(m_openAction);
  file->addSeparator();
  file->addAction(m_exportAction);
  file->addAction(m_exportPngAction);
  file->addAction(m_exportSvgAction);
  file->addAction(m_exportCsvAction);
  file->addSeparator();
  file->addAction(tr("Quit"), QKeySequence::Quit, this, &QWidget::close);

  QMenu* training = menuBar()->addMenu(tr("&Training"));
  training->addAction(m_playAction);
  training->addAction(m_stepAction);
  training->addAction(m_epochAction);
  training->addAction(m_resetAction);
  training->addSeparator();
  training->addAction(m_forkAction);

  QMenu* view = menuBar()->addMenu(tr("&View"));
  view->addActions(m_themeActions);
  view->addSeparator();
  view->addAction(m_presentationAction);
  view->addAction(m_classroomAction);
  view->addSeparator();
  view->addAction(tr("Landscapes: optimisers on 2-D surfaces…"), QKeySequence(tr("Ctrl+L")), this,
                  &MainWindow::showLandscapes);
  QMenu* panels = view->addMenu(tr("Control panels"));
  for (QDockWidget* dock : m_controlDocks) panels->addAction(dock->toggleViewAction());
  panels->addAction(m_scenarioDock->toggleViewAction());
  panels->addAction(m_eventLogDock->toggleViewAction());
  if (m_runsDock) panels->addAction(m_runsDock->toggleViewAction());
  QMenu* charts = view->addMenu(tr("Charts"));
  for (const ViewState& s : m_viewStates) charts->addAction(s.dock->toggleViewAction());
  view->addSeparator();
  view->addAction(m_resetLayoutAction);

  QMenu* help = menuBar()->addMenu(tr("&Help"));
  help->addAction(tr("About GradScope"), this, [this] { showAboutBox(this); });
}

void MainWindow::createStatusBar() {
  QStatusBar* bar = statusBar();
  auto label = [this, bar](const QString& name, int minimumChars) {
    auto* l = new QLabel(bar);
    l->setObjectName(name);
    l->setMinimumWidth(fontMetrics().averageCharWidth() * minimumChars);
    l->setContentsMargins(6, 0, 6, 0);
    bar->addPermanentWidget(l);
    return l;
  };
  m_stateLabel = label(QStringLiteral("state"), 10);
  m_stateLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
  m_epochLabel = label(QStringLiteral("epoch"), 12);
  m_stepLabel = label(QStringLiteral("step"), 11);
  m_rateLabel = label(QStringLiteral("stepsPerSecond"), 11);
  m_lossLabel = label(QStringLiteral("loss"), 11);
  m_lrLabel = label(QStringLiteral("learningRate"), 10);
  m_epochLabel->setText(tr("Epoch –"));
  m_stepLabel->setText(tr("Step 0"));
  m_rateLabel->setText(tr("– steps/s"));
  m_lossLabel->setText(tr("Loss –"));
  m_lrLabel->setText(tr("LR –"));
  m_stateLabel->setText(tr("starting…"));
  m_epochLabel->setToolTip(tr("The epoch being trained, of the planned epochs"));
  m_stepLabel->setToolTip(tr("Mini-batch updates so far"));
  m_lossLabel->setToolTip(tr("Loss of the last mini-batch"));
  m_lrLabel->setToolTip(tr("Learning rate of the last step"));
}

void MainWindow::createControlPanels() {
  for (const char* group : kGroups) {
    const QString name = QString::fromLatin1(group);
    auto* panel = new SettingsPanel(name, *m_editor, this);
    m_panels.push_back(panel);
    if (name == QLatin1String("Data")) {
      auto* openData = new QPushButton(tr("Open data…"), panel);
      openData->setObjectName(QStringLiteral("openDataButton"));
      openData->setToolTip(m_data->openAction()->toolTip());
      connect(openData, &QPushButton::clicked, m_data, [this] { m_data->open(); });
      panel->addExtra(openData, true);
    }
    if (name == QLatin1String("Network")) {
      auto* layers = new LayerActivationEditor(*m_editor, panel);
      layers->setObjectName(QStringLiteral("layerActivations"));
      panel->addExtra(layers);
      auto* layerList = new LayerListEditor(*m_editor, panel);
      layerList->setObjectName(QStringLiteral("layerListEditor"));
      panel->addExtra(layerList);
    }
    if (name == QLatin1String("Schedule")) {
      auto* preview = new LrPlanPreview(panel);
      preview->setObjectName(QStringLiteral("lrPlanPreview"));
      panel->addExtra(preview, true);
      auto* hold = new ScheduleHoldBar(*m_editor, panel);
      hold->setObjectName(QStringLiteral("scheduleHold"));
      panel->addExtra(hold, true);
      auto* rangeTest = new LrRangeTestBox(panel);
      rangeTest->setObjectName(QStringLiteral("lrRangeTest"));
      panel->addExtra(rangeTest, true);
      connect(rangeTest, &LrRangeTestBox::runRequested, m_controller.get(),
              &app::TrainingController::runLrRangeTest);
      connect(this, &MainWindow::lrRangeTestResult, rangeTest, &LrRangeTestBox::setResult);
      connect(rangeTest, &LrRangeTestBox::useForOneCycle, this, [this](double maxRate) {
        core::ExperimentConfig next = m_editor->config();
        try {
          core::setSetting(next, "schedule.type", std::string("one_cycle"));
          core::setSetting(next, "schedule.max_rate", maxRate);
          // The new schedule starts at the current step: the cycle spans the remaining steps.
          const std::int64_t left =
              plannedSteps(next) - std::max<std::int64_t>(0, m_history.lastStep(m_run) + 1);
          core::setSetting(next, "schedule.total_steps", std::max<std::int64_t>(1, left));
          m_editor->apply(next);
        } catch (const core::Error& e) {
          showCommandFailure(QString::fromStdString(e.field()), QString::fromStdString(e.reason()));
        }
      });
    }
    auto* dock = new QDockWidget(name, this);
    dock->setObjectName(QStringLiteral("controls-") + name);
    dock->setWidget(panel);
    dock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable |
                      QDockWidget::DockWidgetClosable);
    addDockWidget(Qt::LeftDockWidgetArea, dock);
    m_controlDocks << dock;
  }
}

// ------------------------------------------------------------------------ comparisons

void MainWindow::createRunsPanel() {
  m_runsPanel = new RunsPanel(*m_controller, *m_editor, this);
  m_runsPanel->setObjectName(QStringLiteral("runsPanel"));
  connect(m_runsPanel, &RunsPanel::tableShown, this, &MainWindow::showReadout);
  m_runsDock = new QDockWidget(tr("Runs"), this);
  m_runsDock->setObjectName(QStringLiteral("runs"));
  m_runsDock->setWidget(m_runsPanel);
  m_runsDock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable |
                          QDockWidget::DockWidgetClosable);
  // Placed under the charts by arrangeDefaultLayout().
  addDockWidget(Qt::RightDockWidgetArea, m_runsDock);
  connect(m_runsPanel, &RunsPanel::runSelected, this, &MainWindow::selectRun);
  connect(m_runsPanel, &RunsPanel::message, this,
          [this](const QString& text) { statusBar()->showMessage(text, 8000); });
}

void MainWindow::applyRunTable(const std::shared_ptr<const app::RunTable>& table) {
  const bool newGeneration = !m_runTable || m_runTable->generation != table->generation;
  const bool resized = !m_runTable || m_runTable->runs.size() != table->runs.size();
  m_runTable = table;
  // Runs that are gone leave the history (a new generation reuses ids: their reset
  // snapshots clear them).
  for (int id : m_history.runs()) {
    if (!table->find(id)) m_history.clearRun(id);
  }
  // The worker chose the run (a new comparison, or the shown run was removed).
  if (newGeneration || !table->find(m_run)) {
    if (table->selected != m_run) {
      m_run = table->selected;
      for (ViewState& v : m_viewStates) {
        v.view->clear();
        v.drawnRevision = 0;
      }
      if (m_history.layerCount(m_run) > 0) {
        m_layerSelection->setLayerCount(m_history.layerCount(m_run));
      }
    }
  }
  if (newGeneration || resized) m_runsPanel->setRunTable(table);
  m_runsPanel->setSelectedRun(m_run);
  if (newGeneration && m_scenarioSelect >= 0) {
    // A scenario asked to show another run than the first once its runs exist.
    const int wanted = std::exchange(m_scenarioSelect, -1);
    if (scenarioRunOf(wanted) == wanted) selectRun(wanted);
  }
  if (const int scenarioRun = scenarioRunOf(m_run); scenarioRun >= 0) {
    m_scenarioPanel->showRun(scenarioRun);
  }
  // Once the new rows are laid out.
  if (resized) QTimer::singleShot(0, this, &MainWindow::fitRunsDock);
}

void MainWindow::fitRunsDock() {
  if (!m_runsDock || !m_runsDock->isVisible() || m_runsDock->isFloating()) return;
  const int rows = m_runTable ? int(m_runTable->runs.size()) : 1;
  const int title = std::max(0, m_runsDock->height() - m_runsPanel->height());
  // At most a third of the window, and never more than the room the other parts leave above
  // their minimum heights: a pinned height past it would grow the window off the screen.
  const int counted = std::max(m_runsDock->minimumHeight(), m_runsDock->minimumSizeHint().height());
  const int room = counted + std::max(0, height() - layout()->minimumSize().height());
  const int wanted = std::min({m_runsPanel->heightFor(rows) + title, int(height() * 0.35), room});
  // resizeDocks() grows a lone bottom dock but does not shrink it: pin the height for one
  // layout pass instead, then let the user resize it again.
  m_runsDock->setFixedHeight(std::max(wanted, m_runsDock->minimumSizeHint().height()));
  QTimer::singleShot(0, this, [this] {
    m_runsDock->setMinimumHeight(0);
    m_runsDock->setMaximumHeight(QWIDGETSIZE_MAX);
    restoreIntendedSize();
  });
}

void MainWindow::selectRun(int id) {
  if (!m_runTable || !m_runTable->find(id)) return;
  m_runsPanel->setSelectedRun(id);
  if (id == m_run) return;
  m_run = id;
  m_controller->selectRun(id);
  if (const int scenarioRun = scenarioRunOf(id); scenarioRun >= 0) {
    m_scenarioPanel->showRun(scenarioRun);
  }
  // Edits from now on start from this run's settings, even before the worker confirms.
  m_editor->adopt(m_runTable->find(id)->config);
  if (m_history.layerCount(id) > 0) m_layerSelection->setLayerCount(m_history.layerCount(id));
  // The status bar speaks of this run now (a stopped run sends no snapshot to say it).
  const std::int64_t last = m_history.lastStep(id);
  if (m_history.stepCount(id) > 0) {
    const app::DecimatedSeries loss =
        m_history.stepSeries(id, app::StepMetric::Loss, last, last, 1);
    m_lossLabel->setText(
        loss.empty() ? tr("Loss –") : tr("Loss %1").arg(formatReading(loss.buckets.front().mean)));
    m_stepLabel->setText(tr("Step %L1").arg(last + 1));
  } else {
    m_lossLabel->setText(tr("Loss –"));
    m_stepLabel->setText(tr("Step %L1").arg(0));
  }
  for (ViewState& v : m_viewStates) {
    v.view->clear();
    v.drawnRevision = 0;
  }
  refreshViews();
}

// ------------------------------------------------------------------ files and exporting

QWidget* MainWindow::dashboardWidget() { return this; }

QList<QWidget*> MainWindow::visibleCharts() const {
  QList<QWidget*> charts;
  for (const ViewState& v : m_viewStates) {
    // Shown and in front of its tab group (a chart behind a tab has no visible region).
    if (v.dock->isVisible() && !v.dock->isFloating() && !v.dock->visibleRegion().isEmpty()) {
      charts << v.dock;
    }
  }
  return charts;
}

bool MainWindow::exportChartsPng(const QString& path, double scale, QString* error) {
  return exportPartsPng(this, visibleCharts(), path, scale, error);
}

bool MainWindow::saveConfiguration(const QString& path, QString* error) {
  return app::saveConfigFile(path, m_editor->config(), error);
}

bool MainWindow::openConfiguration(const QString& path, QString* error) {
  const auto config = app::loadConfigFile(path, error, core::ExperimentConfig{});
  if (!config) return false;
  loadExperiment(*config);
  return true;
}

QStringList MainWindow::exportHistoryCsv(const QString& path, QString* error) {
  QStringList written;
  const std::vector<int> runs = m_history.runs();
  if (runs.empty() || m_history.stepCount(m_run) == 0) {
    if (error) *error = tr("nothing to export yet: train a few steps first");
    return written;
  }
  QSet<QString> used;
  for (int run : runs) {
    QString file = path;
    if (runs.size() > 1) {
      // Named by the run's label ("history_relu.csv"), as the Runs table names it.
      const app::RunEntry* entry = m_runTable ? m_runTable->find(run) : nullptr;
      QString label =
          entry && !entry->name.isEmpty() ? entry->name : QStringLiteral("run%1").arg(run);
      label.replace(QRegularExpression(QStringLiteral("[^A-Za-z0-9_-]+")), QStringLiteral("_"));
      QString unique = label;
      for (int n = 2; used.contains(unique); ++n)
        unique = QStringLiteral("%1_%2").arg(label).arg(n);
      used.insert(unique);
      const QFileInfo info(path);
      file = info.dir().filePath(
          QStringLiteral("%1_%2.%3").arg(info.completeBaseName(), unique, info.suffix()));
    }
    if (!app::writeHistoryCsv(m_history, run, file, error)) return {};
    written << file;
  }
  return written;
}

void MainWindow::exportDialog() {
  const QString png1 = tr("Charts as PNG, 1x (*.png)");
  const QString png2 = tr("Charts as PNG, 2x (*.png)");
  const QString png4 = tr("Charts as PNG, 4x (*.png)");
  const QString window = tr("Whole window as PNG, 2x (*.png)");
  const QString svg = tr("Whole window as SVG (*.svg)");
  const QString csv = tr("Metric history as CSV, one file per run (*.csv)");
  QString filter = png2;
  const QString path = QFileDialog::getSaveFileName(
      this, tr("Export"), QDir(fileDirectory()).filePath(QStringLiteral("gradscope-dashboard")),
      QStringList{png1, png2, png4, window, svg, csv}.join(QStringLiteral(";;")), &filter);
  if (path.isEmpty()) return;
  QSettings().setValue(kDirectoryKey, QFileInfo(path).absolutePath());
  QString error;
  bool ok = true;
  if (filter == csv) {
    ok = !exportHistoryCsv(withSuffix(path, "csv"), &error).isEmpty();
  } else if (filter == svg) {
    ok = exportSvg(dashboardWidget(), withSuffix(path, "svg"), &error);
  } else if (filter == window) {
    ok = exportPng(dashboardWidget(), withSuffix(path, "png"), 2.0, &error);
  } else {
    const double scale = filter == png1 ? 1.0 : filter == png4 ? 4.0 : 2.0;
    ok = exportChartsPng(withSuffix(path, "png"), scale, &error);
  }
  if (!ok) {
    QMessageBox::warning(this, tr("Export failed"), tr("Nothing was exported: %1.").arg(error));
  } else {
    statusBar()->showMessage(tr("Exported %1").arg(QDir::toNativeSeparators(path)), 6000);
  }
}

void MainWindow::saveDialog() {
  const QString path = QFileDialog::getSaveFileName(
      this, tr("Save configuration"),
      QDir(fileDirectory()).filePath(QStringLiteral("experiment.gradscope.json")),
      tr("GradScope configuration (*.json)"));
  if (path.isEmpty()) return;
  QSettings().setValue(kDirectoryKey, QFileInfo(path).absolutePath());
  QString error;
  if (!saveConfiguration(withSuffix(path, "json"), &error)) {
    QMessageBox::warning(this, tr("Save failed"),
                         tr("The configuration was not saved: %1.").arg(error));
  } else {
    statusBar()->showMessage(tr("Configuration saved to %1").arg(QDir::toNativeSeparators(path)),
                             6000);
  }
}

void MainWindow::openDialog() {
  const QString path =
      QFileDialog::getOpenFileName(this, tr("Open configuration"), fileDirectory(),
                                   tr("GradScope configuration (*.json);;All files (*)"));
  if (path.isEmpty()) return;
  QSettings().setValue(kDirectoryKey, QFileInfo(path).absolutePath());
  QString error;
  if (!openConfiguration(path, &error)) {
    QMessageBox::warning(this, tr("Open failed"),
                         tr("%1 was not opened: %2").arg(QFileInfo(path).fileName(), error));
  } else {
    statusBar()->showMessage(tr("Opened %1: press Play").arg(QFileInfo(path).fileName()), 8000);
  }
}

// ------------------------------------------------------------- presentation and classroom

bool MainWindow::presentationMode() const { return theme().presentation; }

void MainWindow::setPresentationMode(bool on) {
  ThemeManager::instance().setPresentation(on);
  {
    const QSignalBlocker block(m_presentationAction);
    m_presentationAction->setChecked(on);
  }
  const int index = (on ? 2 : 0) + (theme().dark ? 1 : 0);
  m_themeActions[index]->setChecked(true);
  applyFonts();
  fitChartArrangement();
  emit presentationModeChanged(on);
}

void MainWindow::setDarkTheme(bool on) {
  ThemeManager::instance().setDark(on);
  const int index = (theme().presentation ? 2 : 0) + (on ? 1 : 0);
  m_themeActions[index]->setChecked(true);
  applyPalette();
}

void MainWindow::applyFonts() {
  QFont font = QApplication::font();
  const int size = theme().presentation ? theme().fontPointSize : m_baseFontSize;
  if (font.pointSize() == size && m_fontsApplied) return;
  m_fontsApplied = true;
  font.setPointSize(size);
  QApplication::setFont(font);
  // A dock paints its title in the title font it read when it was made, unless its own font
  // differs from the application's: give the docks (and so their contents) the new font,
  // marked by a style strategy that changes nothing visible.
  QFont dockFont = font;
  dockFont.setStyleStrategy(QFont::PreferQuality);
  for (QDockWidget* dock : findChildren<QDockWidget*>()) dock->setFont(dockFont);
  for (QTabBar* bar : findChildren<QTabBar*>(Qt::FindDirectChildrenOnly)) configureDockTabBar(bar);
  if (m_scenarioBox) fitScenarioList();
}

// The tabs of tabified docks name whole views ("Learning rate", not "Learning r…"): no
// eliding, in presentation mode a font a little smaller than the charts' text, since tabs are
// for the lecturer while the charts are for the room, and smaller still where a row is
// crowded (dock_tab_fitter.h); scroll buttons only beyond that.
void MainWindow::configureDockTabBar(QTabBar* bar) const {
  bar->setElideMode(Qt::ElideNone);
  bar->setUsesScrollButtons(true);
  QFont font = QApplication::font();
  if (theme().presentation) font.setPointSize(std::max(9, theme().fontPointSize - 3));
  m_tabFitter->fit(bar, font);
}

// QMainWindow creates a tab bar whenever docks are tabified (at start, on restore, when the
// user drags one dock onto another); each is configured when it is first polished.
bool MainWindow::event(QEvent* event) {
  if (event->type() == QEvent::ChildPolished) {
    auto* child = static_cast<QChildEvent*>(event)->child();
    if (auto* bar = qobject_cast<QTabBar*>(child); bar && bar->parent() == this) {
      configureDockTabBar(bar);
    }
  }
  return QMainWindow::event(event);
}

void MainWindow::applyPalette() {
  QPalette palette = QApplication::style()->standardPalette();
  if (theme().dark) {
    const QColor window(37, 37, 38);
    const QColor base(24, 24, 24);
    const QColor text = theme().foreground;
    palette.setColor(QPalette::Window, window);
    palette.setColor(QPalette::WindowText, text);
    palette.setColor(QPalette::Base, base);
    palette.setColor(QPalette::AlternateBase, window);
    palette.setColor(QPalette::ToolTipBase, window);
    palette.setColor(QPalette::ToolTipText, text);
    palette.setColor(QPalette::PlaceholderText, QColor(150, 150, 150));
    palette.setColor(QPalette::Text, text);
    palette.setColor(QPalette::Button, QColor(50, 50, 52));
    palette.setColor(QPalette::ButtonText, text);
    palette.setColor(QPalette::BrightText, QColor(255, 80, 80));
    palette.setColor(QPalette::Highlight, theme().accent);
    palette.setColor(QPalette::HighlightedText, QColor(0, 0, 0));
    palette.setColor(QPalette::Link, theme().accent);
    palette.setColor(QPalette::Disabled, QPalette::Text, QColor(110, 110, 110));
    palette.setColor(QPalette::Disabled, QPalette::WindowText, QColor(110, 110, 110));
    palette.setColor(QPalette::Disabled, QPalette::ButtonText, QColor(110, 110, 110));
  }
  QApplication::setPalette(palette);
  updateIcons();
}

void MainWindow::updateIcons() {
  const QColor color = QApplication::palette().color(QPalette::ButtonText);
  m_stepAction->setIcon(toolbarIcon(ToolbarIcon::Step, color));
  m_epochAction->setIcon(toolbarIcon(ToolbarIcon::Epoch, color));
  updatePlayAction();
}

void MainWindow::setClassroomMode(bool on) {
  m_classroom = on;
  {
    const QSignalBlocker block(m_classroomAction);
    m_classroomAction->setChecked(on);
  }
  for (QDockWidget* dock : m_controlDocks) dock->setVisible(!on);
  if (m_eventLogDock) m_eventLogDock->setVisible(!on);
  if (!on && !m_controlDocks.isEmpty())
    m_controlDocks[std::min<qsizetype>(1, m_controlDocks.size() - 1)]->raise();
}

// ------------------------------------------------------------------------------ settings

void MainWindow::restoreSettings() {
  QSettings settings;
  if (m_options.persistent) {
    const QByteArray geometry = settings.value(kGeometryKey).toByteArray();
    m_geometryRestored = !geometry.isEmpty() && restoreGeometry(geometry);
    if (!m_geometryRestored) {
      const QRect available = screen() ? screen()->availableGeometry() : QRect(0, 0, 1280, 720);
      setGeometry(available);
    }
    m_layoutRestored = restoreState(settings.value(kStateKey).toByteArray(), kLayoutVersion);
    const int themeIndex = std::clamp(settings.value(kThemeKey, 0).toInt(), 0, 3);
    setDarkTheme(themeIndex % 2 == 1);
    setPresentationMode(themeIndex >= 2);
    setClassroomMode(settings.value(kClassroomKey, false).toBool());
    // A class can follow 300 steps a second: the spirals untangle in about five seconds.
    setSpeed(settings.value(kSpeedKey, kDefaultSpeed).toDouble());
    if (!settings.value(kHintKey, false).toBool()) {
      statusBar()->showMessage(
          tr("Press Space to train the default experiment, or pick a preset from "
             "\"Scenarios…\" in the toolbar."),
          30000);
      settings.setValue(kHintKey, true);
    }
  } else {
    resize(1280, 720);
    setSpeed(0.0);
  }
}

void MainWindow::showAsRestored() {
  if (m_geometryRestored) {
    show();
  } else {
    showMaximized();
  }
  if (!m_layoutRestored) {
    // Dock sizes settle once the window has its size.
    QTimer::singleShot(0, this, &MainWindow::applyDefaultSizes);
  }
}

void MainWindow::saveSettings() {
  if (!m_options.persistent) return;
  QSettings settings;
  settings.setValue(kGeometryKey, saveGeometry());
  settings.setValue(kStateKey, saveState(kLayoutVersion));
  settings.setValue(kThemeKey, (theme().presentation ? 2 : 0) + (theme().dark ? 1 : 0));
  settings.setValue(kClassroomKey, m_classroom);
  settings.setValue(kSpeedKey, m_speed);
  settings.setValue(
      kExperimentKey,
      QString::fromUtf8(
          QJsonDocument(app::configToJson(m_controller->config())).toJson(QJsonDocument::Compact)));
}

QByteArray MainWindow::dashboardLayout() const { return saveState(kLayoutVersion); }

bool MainWindow::restoreDashboardLayout(const QByteArray& layout) {
  return restoreState(layout, kLayoutVersion);
}

void MainWindow::closeEvent(QCloseEvent* event) {
  if (!m_sessions->confirmClose()) {
    event->ignore();
    return;
  }
  saveSettings();
  QMainWindow::closeEvent(event);
}

}  // namespace gradscope::ui
