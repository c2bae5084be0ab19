// The training worker: lives on its own thread, owns the runs (network, optimiser, data,
// probes) and is driven only by queued commands carrying values. It trains in chunks of a
// few milliseconds that re-post themselves, so a command waits at most one chunk, and it
// publishes an immutable Snapshot of everything measured at most ~30 times a second, so the
// GUI is never flooded and the loop never waits for it.
//
// Commands act between steps, never inside one. Every applied change becomes an Event at
// the step where it took effect. A non-finite loss or gradient pauses the run with its
// cause; the last finite weights are kept (the step is not applied) and no NaN is
// published.
//
// Comparison runs: 1 to 8 runs train in lockstep, one step of every run per step, with the
// same data, batch order and (where the layers match) initial weights (see app/lockstep.h).
// Each run publishes its own snapshot (Snapshot::run is its id) with the RunTable of all
// runs attached. A run that diverges or finishes stops while the others go on; training
// stops when none is left. One run is selected: applyConfig() edits it, configApplied()
// reports it, and the data points, decision field and rate plan are those of it.
#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QStringList>
#include <QTimer>

#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "app/loss_surface/loss_surface_input.h"
#include "app/runs/run_tracker.h"
#include "app/sessions/session.h"
#include "app/worker/backprop_snapshot.h"
#include "app/worker/checkpoint_store.h"
#include "app/worker/sharpness_schedule.h"
#include "app/worker/snapshot.h"
#include "app/worker/training_run.h"

namespace gradscope::app {

class TrainingWorker : public QObject {
  Q_OBJECT
 public:
  // The run is built in initialize(), on the worker's thread.
  explicit TrainingWorker(const core::ExperimentConfig& config, QObject* parent = nullptr);
  ~TrainingWorker() override;

  static constexpr int kChunkMilliseconds = 8;
  // A snapshot goes out at the end of the first chunk at least this long after the last one:
  // every 25-33 ms with 8 ms chunks, 30-40 a second, so the dashboard can redraw at 30 Hz.
  static constexpr int kPublishMilliseconds = 25;
  static constexpr int kFieldMilliseconds = 200;  // decision-boundary refresh while training
  static constexpr int kFieldResolution = 64;
  // The model insight (other data) evaluates a sample of the data: refreshed less often.
  static constexpr int kInsightMilliseconds = 500;
  static constexpr int kPlanPoints = 4000;

  // The monotonic clock (milliseconds) by which slow motion spaces its steps: each tick
  // trains the steps the elapsed time allows at the set speed. Tests set a fake clock to
  // check the spacing without measuring time; call before start().
  using Clock = std::function<qint64()>;
  void setClock(Clock clock) { m_clock = std::move(clock); }

 public slots:
  void initialize();
  void start();
  void pause();
  void stepBatch();
  void stepEpoch();
  // `steps` steps of every run still training (then paused), e.g. up to a live change that
  // must happen at its step.
  void stepSteps(std::int64_t steps);
  void reset();
  // New weights now with the current initialiser; the run goes on.
  void reinitialize();
  // Applies to the selected run.
  void applyConfig(const gradscope::core::ExperimentConfig& config);
  // Target steps per second; 0 means as fast as possible.
  void setSpeed(double stepsPerSecond);
  // Estimates the sharpness of every run every `everySteps` steps while `shown`, within 8% of
  // the training time (app/worker/sharpness_schedule.h); nothing is spent on it while the
  // chart is hidden.
  void setSharpnessEstimation(bool shown, int everySteps);
  // Runs the LR range test on a copy of the selected run in chunks of ~kChunkMilliseconds
  // (commands and training go on between them); lrRangeTestFinished() gives the result. A
  // reset or new runs cancel it: its result would belong to a run that is gone.
  void runLrRangeTest(const gradscope::core::LrRangeTestSettings& settings);
  // Copies the selected run for the loss surface (a network and up to `maxSamples` training
  // samples, and the recorded weights) and answers with lossSurfaceInputReady; the run goes on.
  void prepareLossSurface(int requestId, qint64 maxSamples);
  // Sessions (training_worker_session.cpp). captureSession answers with sessionCaptured: the
  // runs' configurations, data and exact states (the GUI adds history and layout).
  // restoreSession builds every run of the session first and, only if all succeed, replaces
  // the running runs (paused) and publishes a reset; otherwise sessionFailed and nothing
  // changes. trainSteps trains that many more steps (the command line).
  void captureSession(int requestId);
  void restoreSession(const gradscope::app::SessionPtr& session, const QString& baseDirectory);
  void trainSteps(qint64 steps);
  // "Step with trace": the backprop trace of the selected run's next step (on a copy of its
  // trainer), answered with backpropTraced(). With takeStep the runs then take that step (as
  // stepBatch(); a running training pauses first), so the trace is of the step the run took
  // and every other view moves on by it; without, it previews the next step.
  void traceBackprop(bool takeStep);

  // --- comparison runs
  // Replaces every run with these (1 to 8), numbered 0, 1, ... in order, all at step 0 in
  // lockstep, training paused, run 0 selected. Refused as a whole (commandFailed) when one
  // configuration is invalid.
  void setRuns(const QList<gradscope::app::NamedConfig>& runs);
  // Adds a run; the comparison restarts from step 0 (setRuns with the runs so far and this).
  void addRun(const gradscope::app::NamedConfig& run);
  // Removes a run; the others go on. The last run cannot be removed.
  void removeRun(int id);
  // A live edit of one run, exactly as applyConfig() edits the selected one.
  void applyRunConfig(int id, const gradscope::core::ExperimentConfig& config);
  // The run the settings edit and whose data, decision field and rate plan are sent.
  void selectRun(int id);
  // The loss the results table measures "steps/epochs to target" against (> 0).
  void setTargetLoss(double loss);
  // A schedule the Schedule panel holds back until Apply (nullopt: none): every snapshot of
  // the selected run then carries the plan it would give if set now (Snapshot::heldPlan).
  void holdSchedule(const std::optional<gradscope::core::ScheduleSettings>& schedule);

  // --- the timeline (see checkpoint_store.h)
  // Every run to `step` of its past, training paused: the state is bit for bit the one the
  // run had then (weights, optimiser, random streams, data order), and the per-step views
  // show it. The history after it stays until training goes on from there, a setting is
  // changed or a fork is made; that drops the old future.
  void goToStep(qint64 step);
  // Fork: a new run continuing run `id` from its `step` with `config` (live settings, and the
  // ones that rebuild the network, weights kept where the shapes fit), named by what differs
  // ("relu from step 2,000"). Every run goes to `step` and they go on in lockstep with the
  // same mini-batches.
  void forkRun(int id, qint64 step, const gradscope::core::ExperimentConfig& config);

 signals:
  void snapshotReady(const gradscope::app::SnapshotPtr& snapshot);
  // A command was refused: which field, and why. The run is unchanged.
  void commandFailed(const QString& field, const QString& reason);
  // A configuration was applied; `changes` says what changed (possibly nothing).
  void configApplied(const gradscope::core::ExperimentConfig& config, const QStringList& changes);
  void lrRangeTestFinished(const gradscope::core::LrRangeTestResult& result);
  void backpropTraced(const gradscope::app::BackpropSnapshotPtr& trace);
  void lossSurfaceInputReady(int requestId, const gradscope::app::LossSurfaceInputPtr& input);
  void sessionCaptured(int requestId, const gradscope::app::SessionPtr& session);
  void sessionRestored(const gradscope::app::SessionPtr& session);
  void sessionFailed(const QString& field, const QString& reason);

 private slots:
  void trainChunk();
  void rangeTestChunk();

 private:
  enum class Mode { Stopped, Running, Steps };

  // One run of the comparison and what the worker keeps about it.
  struct Lane {
    int id = 0;
    QString name;
    bool namedExplicitly = false;
    int colour = 0;
    // A fork: the id of the run it branched off and the step it did (-1 when none).
    int forkParent = -1;
    std::int64_t forkStep = -1;
    std::unique_ptr<TrainingRun> run;
    // Its past, to go back to any step of it (see checkpoint_store.h).
    CheckpointStore checkpoints;
    std::unique_ptr<Snapshot> pending;
    RunTracker tracker;
    bool diverged = false;
    bool finished = false;
    // The future a run left when Play trained on from an earlier step: shown and reachable on
    // the timeline, never trained (until Reset, which drops it).
    bool keptFuture = false;
    QString stopStatus;   // why it stopped, as the status line says it for a single run
    QString stopSummary;  // the same in a few words, for the Runs table
    std::deque<bool> recentClips;
    bool clipBurst = false;
    SharpnessSchedule sharpness;
    bool active() const { return !diverged && !finished && !keptFuture; }
  };

  void startTraining(Mode mode, std::int64_t steps);
  void stopTraining(RunState state, const QString& status);
  // One step of every active run; false when training must stop.
  bool trainOneStep();
  void stepLane(Lane& lane);
  void record(Lane& lane, const core::StepProbe& probe);
  // After a step: the sharpness when it is due and within the budget.
  void estimateSharpness(Lane& lane, std::int64_t step);
  void addEvent(Lane& lane, EventKind kind, const QString& text);
  void beginSnapshot(Lane& lane, bool reset);
  void publish();
  void scheduleChunk();
  // Data points and the learning-rate plan go out after anything that may change them.
  void attachStatic();
  void attachField();
  // Signal propagation of the selected run, when its network, weights or data changed.
  void attachSignal();
  Lane* findLane(int id);
  Lane& selectedLane();
  // Every run back to step 0 with shared initial weights (reset, or a restart that keeps the
  // comparison in lockstep).
  void restartAll(const QString& eventText);
  // Names "by what differs" for the runs without an explicit name.
  void renameLanes();
  std::shared_ptr<const RunTable> makeRunTable() const;
  void emitSelectedConfig(const QStringList& changes);
  // The lane's run starts a new past here (a new run, a reset, an opened session).
  static void restartCheckpoints(Lane& lane);
  // After goToStep(): the run goes on from where it is, so what it did after is dropped.
  static void dropFuture(Lane& lane);
  // A copy of the lane's run at `step` of its past (throws core::Error).
  static std::unique_ptr<TrainingRun> runAt(const Lane& lane, std::int64_t step);
  void dropFutures();
  // Before training on: the futures of runs taken back to an earlier step become runs of
  // their own (as many as the comparison has room for), then are dropped from their runs.
  void keepFutures();
  // The lowest colour no run uses.
  int freeColour() const;

  // The LR range test under way (null when none), the run it measures and the generation of
  // runs it belongs to.
  std::unique_ptr<core::LrRangeTestJob> m_rangeTest;
  int m_rangeTestRun = -1;
  int m_rangeTestGeneration = -1;

  core::ExperimentConfig m_initialConfig;
  std::vector<Lane> m_lanes;  // the runs, in display order (one unless comparing)
  int m_selected = 0;         // id of the selected run
  int m_nextId = 1;
  int m_generation = 0;
  double m_targetLoss = 0.1;
  QString m_differing;
  bool m_comparesOptimizers = false;
  Mode m_mode = Mode::Stopped;
  std::int64_t m_stepsLeft = 0;
  // Backprop traces asked for while steps were pending, made when those are done or paused,
  // each of the step after them: every Step press counts, previews merge into one.
  struct DeferredTraces {
    int steps = 0;
    bool preview = false;
  } m_deferredTraces;
  RunState m_state = RunState::Idle;
  QString m_status;
  QString m_planNote;  // " — the plan was extended by ..." after Play at the end
  double m_speed = 0.0;
  bool m_sharpnessShown = false;
  int m_sharpnessEvery = SharpnessSchedule::kDefaultEvery;
  double m_stepBudget = 0.0;
  bool m_chunkQueued = false;
  QTimer* m_slowTimer = nullptr;
  QElapsedTimer m_sincePublish;
  QElapsedTimer m_sinceField;
  QElapsedTimer m_sinceInsight;
  qint64 m_insightInterval = kInsightMilliseconds;  // milliseconds between two insights
  bool m_staticDirty = true;  // data points / plan to be sent with the next snapshot
  std::optional<core::ScheduleSettings> m_heldSchedule;
  bool m_fieldDirty = true;
  // New weights (reset, re-initialisation, other runs): the signal is measured again; so it is
  // when the selected run's model, data or precision differ from those last measured.
  bool m_signalDirty = true;
  std::optional<core::ExperimentConfig> m_signalConfig;
  int m_signalRun = -1;
  QElapsedTimer m_monotonic;
  Clock m_clock = [this] { return m_monotonic.elapsed(); };
  qint64 m_lastTick = 0;  // m_clock() at the last slow-motion tick
  QElapsedTimer m_rateClock;
  std::int64_t m_rateSteps = 0;
  double m_stepsPerSecond = 0.0;
};

}  // namespace gradscope::app

Q_DECLARE_METATYPE(gradscope::core::ExperimentConfig)
Q_DECLARE_METATYPE(gradscope::core::LrRangeTestSettings)
Q_DECLARE_METATYPE(gradscope::core::LrRangeTestResult)
Q_DECLARE_METATYPE(QList<gradscope::app::NamedConfig>)
