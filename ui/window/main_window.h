// The dashboard window: owns the metric history and the training controller, hosts every
// chart (DashboardView) in its own dock, the control panels built from the settings schema,
// the toolbar (play controls, speed, presets, save/open, export) and the status bar. Snapshots
// go into the history and to every view as they arrive; a refresh timer redraws the views
// whose run changed, fast views at ~30 Hz and the others at ~8 Hz.
#pragma once

#include <QElapsedTimer>
#include <QList>
#include <QMainWindow>
#include <QPointer>

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "app/history/metric_history.h"
#include "app/landscapes/landscape_model.h"
#include "app/scenarios/scenario_library.h"
#include "app/worker/snapshot.h"
#include "app/worker/training_controller.h"
#include "core/model/experiment_config.h"
#include "core/schedules/lr_range_test.h"
#include "ui/window/chart_arrangement.h"

class QAction;
class QActionGroup;
class QComboBox;
class QDockWidget;
class QLabel;
class QTabBar;
class QTimer;

namespace gradscope::ui {

class ConfigEditor;
class DockTabFitter;
class TimelineBar;
class DashboardView;
class DiscardGuard;
class EventLogPanel;
class LandscapeWindow;
class LayerSelection;
class DataOpener;
class SessionManager;
class ScenarioPanel;
class RunsPanel;
class SettingsPanel;

class MainWindow : public QMainWindow {
  Q_OBJECT
 public:
  struct Options {
    // Read and write the layout, the last experiment and the view options with QSettings
    // (tests and measurements turn this off).
    bool persistent = true;
    // Every chart in its own cell, none behind a tab (the --measure-ui worst case).
    bool allViewsVisible = false;
  };

  // Refresh bookkeeping, for the --measure-ui run.
  struct Stats {
    std::int64_t snapshots = 0;
    std::int64_t fastRefreshes = 0;  // view refreshes of fast views
    std::int64_t slowRefreshes = 0;
    std::int64_t fastTicks = 0;        // timer ticks that refreshed at least one fast view
    std::int64_t busyNanoseconds = 0;  // in snapshot handling and view refreshes
  };

  explicit MainWindow(const core::ExperimentConfig& config, QWidget* parent = nullptr);
  MainWindow(const core::ExperimentConfig& config, const Options& options,
             QWidget* parent = nullptr);
  ~MainWindow() override;

  // The experiment of the last session (QSettings), or the default one; `note` says why the
  // default was used when the saved one could not be read.
  static core::ExperimentConfig startupExperiment(QString* note = nullptr);

  // Hosts `view` in its own dock (object name = its title, so the layout can be restored).
  // The window takes ownership of the view's widget; `cell` places it in the default layout.
  void addView(DashboardView* view, int cell);
  const std::vector<DashboardView*>& views() const { return m_views; }
  DashboardView* view(const QString& title) const;
  QDockWidget* dockOf(DashboardView* view) const;
  LayerSelection& layerSelection() { return *m_layerSelection; }

  app::MetricHistory& history() { return m_history; }
  // Real data: Open data…, recent data files, dropped data (data_opener.h).
  DataOpener& dataOpener() { return *m_data; }
  // Sessions: save, open, recent files, title, recovery (session_manager.h).
  SessionManager& sessions() { return *m_sessions; }
  // The dock layout as QMainWindow::saveState gives it (sessions save it).
  QByteArray dashboardLayout() const;
  bool restoreDashboardLayout(const QByteArray& layout);
  app::TrainingController& controller() { return *m_controller; }
  ConfigEditor& configEditor() { return *m_editor; }
  SettingsPanel* settingsPanel(const QString& group) const;
  const QList<QDockWidget*>& controlDocks() const { return m_controlDocks; }
  // The run the views show and the settings panels edit (the selected run of a comparison).
  int run() const { return m_run; }
  // Shows and edits another run of the comparison (its id in the run table).
  void selectRun(int id);
  RunsPanel* runsPanel() const { return m_runsPanel; }
  QDockWidget* runsDock() const { return m_runsDock; }
  const Stats& stats() const { return m_stats; }
  app::RunState runState() const { return m_state; }

  // Applies a whole experiment (preset, opened file) and restarts the run with it (ending a
  // comparison).
  void loadExperiment(const core::ExperimentConfig& config);
  // Several runs side by side (a comparison scenario, a session), paused at step 0.
  void loadRuns(const QList<app::NamedConfig>& runs);
  // A named entry of the scenario picker; `make` turns the current experiment into the new one.
  void addScenario(const QString& name, const QString& tooltip,
                   std::function<core::ExperimentConfig(const core::ExperimentConfig&)> make);
  // Loads a scenario of the library and shows its text, runs and live changes in the Scenarios
  // panel. A scenario with several runs trains them all side by side (a comparison named by the
  // scenario's run names) with run `run` shown; a single-run scenario restarts with its settings.
  void loadScenario(const app::Scenario& scenario, int run = 0);
  ScenarioPanel* scenarioPanel() const { return m_scenarioPanel; }
  QDockWidget* scenarioDock() const { return m_scenarioDock; }

  bool saveConfiguration(const QString& path, QString* error = nullptr);
  bool openConfiguration(const QString& path, QString* error = nullptr);
  // One tidy CSV per run (see docs/history_csv.md); with several runs `path` gets the run's
  // label as a suffix (history_relu.csv). Returns the files written, empty (and `error`) on
  // failure.
  QStringList exportHistoryCsv(const QString& path, QString* error = nullptr);
  // The whole window (toolbar, panels, charts), as on screen.
  QWidget* dashboardWidget();
  // The charts in view (their docks, in front of their tab groups), without toolbar and panels.
  QList<QWidget*> visibleCharts() const;
  // Those charts as one PNG, laid out as on screen ("Charts as PNG").
  bool exportChartsPng(const QString& path, double scale, QString* error = nullptr);

  void setPresentationMode(bool on);
  bool presentationMode() const;
  void setDarkTheme(bool on);
  // Hides the control panels (or shows them again), leaving charts and play controls.
  void setClassroomMode(bool on);
  bool classroomMode() const { return m_classroom; }
  // Target steps per second; 0 = full speed.
  void setSpeed(double stepsPerSecond);
  double speed() const { return m_speed; }

  // Shows the window as it was last time, or filling the screen the first time.
  void showAsRestored();

  // The optimiser races on 2-D surfaces (View > Landscapes). The model lives as long as the
  // dashboard, so sessions can save it while its window is closed.
  app::LandscapeModel& landscapeModel() { return *m_landscapeModel; }
  // Opens (creating it on first use) and raises the Landscapes window.
  LandscapeWindow* showLandscapes();

  // Status-bar text, for tests.
  QString statusText() const;

  // Asks before Reset, a scenario or a preset discards a trained run (tests replace the
  // question; a window that is not persistent discards without asking).
  DiscardGuard& discardGuard() { return *m_discardGuard; }
  // The log of every change, rebuild and reset of the runs (sessions save it).
  EventLogPanel* eventLogPanel() const { return m_eventLog; }
  QStringList eventLog() const;
  void setEventLog(const QStringList& lines);
  // Reset as the toolbar's button does it: asks first when a trained run would be lost.
  // False when the user kept the run.
  bool requestReset();

 public slots:
  void togglePlay();
  void play();
  void pause();
  void stepBatch();
  // The timeline (timeline_bar.h): a fork of the selected run at the timeline's step, with the
  // settings the user types.
  void forkHere();
  void updateTimeline(const app::Snapshot& snapshot);
  void stepEpoch();
  void reset();

 signals:
  // The LR range test finished (the learning-rate chart plots its curve).
  void lrRangeTestResult(const gradscope::core::LrRangeTestResult& result);
  // A snapshot was taken into the history and handed to every view.
  void snapshotHandled(const gradscope::app::SnapshotPtr& snapshot);
  void presentationModeChanged(bool on);

 protected:
  void closeEvent(QCloseEvent* event) override;
  bool event(QEvent* event) override;
  void resizeEvent(QResizeEvent* event) override;

 private:
  // Creates every view of the registry (ui/charts/view_registry.cpp).
  void createViews();
  void createActions();
  void createToolBar();
  void createMenus();
  void createStatusBar();
  void createControlPanels();
  void createRunsPanel();
  void applyRunTable(const std::shared_ptr<const app::RunTable>& table);
  // The Runs dock as tall as its rows need (at most 35% of the window).
  void fitRunsDock();
  // Back to the size the window was given (by the user, the screen or the session), where a
  // part's minimum had grown it past that for a moment (a pinned Runs dock, a rearrangement).
  void restoreIntendedSize();
  void createScenarios();
  void createEventLog();
  // Steps the runs have trained (the most of any run), and how to name them in a question.
  std::int64_t trainedSteps() const;
  QString trainedRunsName() const;
  // Asks before `action` discards the trained runs and logs the discard; false: keep them.
  bool confirmDiscard(const QString& action);
  // The LR range test belongs to the run it measured: gone when that run restarts.
  void clearLrRangeTest();
  void arrangeDefaultLayout();
  void arrangeGrid();
  void applyDefaultSizes();
  // The default chart arrangement's rows for the window's height and theme, applied (with the
  // default sizes) while the charts are still in a default arrangement.
  ChartArrangement::Rows wantedChartRows() const;
  void fitChartArrangement();
  void restoreSettings();
  void saveSettings();
  void handleSnapshot(const app::SnapshotPtr& snapshot);
  void refreshViews();
  struct ViewState;
  // Redraws the view if it is on screen and its history changed since; true when it did.
  bool refreshView(ViewState& v);
  // The run's state at once; its figures (epoch, step, speed, loss, rate) with the Runs
  // table's, from the same snapshot (showReadout).
  void updateStatus(const app::SnapshotPtr& snapshot);
  void showReadout();
  void updatePlayAction();
  void updateIcons();
  void showCommandFailure(const QString& field, const QString& reason);
  void exportDialog();
  void saveDialog();
  void openDialog();
  void applyFonts();
  // The scenario list's popup as wide as its longest name at the present font.
  void fitScenarioList();
  void configureDockTabBar(QTabBar* bar) const;
  void applyPalette();

  Options m_options;
  app::MetricHistory m_history;
  std::unique_ptr<app::TrainingController> m_controller;
  ConfigEditor* m_editor = nullptr;
  LayerSelection* m_layerSelection = nullptr;
  SessionManager* m_sessions = nullptr;
  DataOpener* m_data = nullptr;  // Open data…, recent data, dropped data files
  int m_run = 0;
  RunsPanel* m_runsPanel = nullptr;
  QDockWidget* m_runsDock = nullptr;
  std::shared_ptr<const app::RunTable> m_runTable;
  app::SnapshotPtr m_readout;  // the selected run's last snapshot, for the status bar's figures

  app::LandscapeModel* m_landscapeModel = nullptr;
  QPointer<LandscapeWindow> m_landscapeWindow;

  std::vector<DashboardView*> m_views;
  struct ViewState {
    DashboardView* view = nullptr;
    QDockWidget* dock = nullptr;
    std::uint64_t drawnRevision = 0;
    int cell = 0;  // the default layout's cell (view_registry.h)
  };
  std::vector<ViewState> m_viewStates;
  QList<QDockWidget*> m_controlDocks;
  std::unique_ptr<ChartArrangement> m_arrangement;
  QTimer* m_layoutTimer = nullptr;                   // fits the arrangement once a resize settles
  std::vector<std::vector<QDockWidget*>> m_columns;  // default layout: chart columns, top first
  std::vector<SettingsPanel*> m_panels;
  QTimer* m_refreshTimer = nullptr;
  int m_tick = 0;
  Stats m_stats;

  struct Scenario {
    QString name;
    std::function<core::ExperimentConfig(const core::ExperimentConfig&)> make;
    const app::Scenario* library = nullptr;  // a scenario file: loaded with loadScenario()
  };
  std::vector<Scenario> m_scenarios;
  // The scenario run that `id` is (an index into the Scenarios panel's scenario's runs), or -1
  // when the run is not one of the loaded scenario's.
  int scenarioRunOf(int id) const;
  void applyScenarioAction(int scenarioRun, const app::ScenarioAction& action);
  int m_scenarioSelect = -1;  // scenario run to show once its comparison has started
  // Play trains up to a scenario's live change at this step, then goes on (-1: plain play).
  std::int64_t m_playToAction = -1;

  QAction* m_playAction = nullptr;
  QAction* m_stepAction = nullptr;
  QAction* m_forkAction = nullptr;
  TimelineBar* m_timeline = nullptr;
  DockTabFitter* m_tabFitter = nullptr;
  QAction* m_epochAction = nullptr;
  QAction* m_resetAction = nullptr;
  QAction* m_saveAction = nullptr;
  QAction* m_openAction = nullptr;
  QAction* m_exportAction = nullptr;
  QAction* m_exportPngAction = nullptr;
  QAction* m_exportSvgAction = nullptr;
  QAction* m_exportCsvAction = nullptr;
  QAction* m_presentationAction = nullptr;
  QAction* m_classroomAction = nullptr;
  QAction* m_resetLayoutAction = nullptr;
  QActionGroup* m_themeGroup = nullptr;
  QList<QAction*> m_themeActions;  // light, dark, presentation light, presentation dark
  QComboBox* m_speedBox = nullptr;
  QComboBox* m_scenarioBox = nullptr;
  ScenarioPanel* m_scenarioPanel = nullptr;
  QDockWidget* m_scenarioDock = nullptr;
  DiscardGuard* m_discardGuard = nullptr;
  EventLogPanel* m_eventLog = nullptr;
  QDockWidget* m_eventLogDock = nullptr;

  QLabel* m_epochLabel = nullptr;
  QLabel* m_stepLabel = nullptr;
  QLabel* m_rateLabel = nullptr;
  QLabel* m_lossLabel = nullptr;
  QLabel* m_lrLabel = nullptr;
  QLabel* m_stateLabel = nullptr;

  app::RunState m_state = app::RunState::Idle;
  bool m_classroom = false;
  bool m_fontsApplied = false;
  QSize m_intendedSize;  // the last size not forced on the window by its parts' minimums
  bool m_geometryRestored = false;
  bool m_layoutRestored = false;
  double m_speed = 0.0;
  int m_baseFontSize = 0;
  QByteArray m_defaultState;
};

}  // namespace gradscope::ui
