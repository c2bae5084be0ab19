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
#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QStringList>
#include <QTimer>

#include <deque>
#include <memory>
#include <vector>

#include "app/session.h"
#include "app/snapshot.h"
#include "app/training_run.h"

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
  static constexpr int kPlanPoints = 4000;

 public slots:
  void initialize();
  void start();
  void pause();
  void stepBatch();
  void stepEpoch();
  void reset();
  // New weights now with the current initialiser; the run goes on.
  void reinitialize();
  void applyConfig(const gradscope::core::ExperimentConfig& config);
  // Target steps per second; 0 means as fast as possible.
  void setSpeed(double stepsPerSecond);
  void runLrRangeTest(const gradscope::core::LrRangeTestSettings& settings);
  // Sessions (training_worker_session.cpp). captureSession answers with sessionCaptured: the
  // runs' configurations, data and exact states (the GUI adds history and layout).
  // restoreSession builds every run of the session first and, only if all succeed, replaces
  // the running runs (paused) and publishes a reset; otherwise sessionFailed and nothing
  // changes. trainSteps trains that many more steps (the command line).
  void captureSession(int requestId);
  void restoreSession(const gradscope::app::SessionPtr& session, const QString& baseDirectory);
  void trainSteps(qint64 steps);

 signals:
  void snapshotReady(const gradscope::app::SnapshotPtr& snapshot);
  // A command was refused: which field, and why. The run is unchanged.
  void commandFailed(const QString& field, const QString& reason);
  // A configuration was applied; `changes` says what changed (possibly nothing).
  void configApplied(const gradscope::core::ExperimentConfig& config, const QStringList& changes);
  void lrRangeTestFinished(const gradscope::core::LrRangeTestResult& result);
  void sessionCaptured(int requestId, const gradscope::app::SessionPtr& session);
  void sessionRestored(const gradscope::app::SessionPtr& session);
  void sessionFailed(const QString& field, const QString& reason);

 private slots:
  void trainChunk();

 private:
  enum class Mode { Stopped, Running, Steps };
  void startTraining(Mode mode, std::int64_t steps);
  void stopTraining(RunState state, const QString& status);
  // One step of run 0; false when training must stop.
  bool trainOneStep();
  void record(const core::StepProbe& probe);
  void addEvent(EventKind kind, const QString& text);
  void beginSnapshot(bool reset);
  void publish();
  void scheduleChunk();
  // Data points and the learning-rate plan go out after anything that may change them.
  void attachStatic();
  void attachField();
  QString stateText() const;

  core::ExperimentConfig m_initialConfig;
  std::vector<std::unique_ptr<TrainingRun>> m_runs;  // one today; comparisons add more
  std::unique_ptr<Snapshot> m_pending;
  Mode m_mode = Mode::Stopped;
  std::int64_t m_stepsLeft = 0;
  RunState m_state = RunState::Idle;
  QString m_status;
  double m_speed = 0.0;
  double m_stepBudget = 0.0;
  bool m_chunkQueued = false;
  QTimer* m_slowTimer = nullptr;
  QElapsedTimer m_sincePublish;
  QElapsedTimer m_sinceField;
  bool m_staticDirty = true;  // data points / plan to be sent with the next snapshot
  bool m_fieldDirty = true;
  QElapsedTimer m_sinceTick;
  QElapsedTimer m_rateClock;
  std::int64_t m_rateSteps = 0;
  double m_stepsPerSecond = 0.0;
  std::deque<bool> m_recentClips;
  bool m_clipBurst = false;
};

}  // namespace gradscope::app

Q_DECLARE_METATYPE(gradscope::core::ExperimentConfig)
Q_DECLARE_METATYPE(gradscope::core::LrRangeTestSettings)
Q_DECLARE_METATYPE(gradscope::core::LrRangeTestResult)
