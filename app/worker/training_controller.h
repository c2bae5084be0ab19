// The GUI-side handle of the training worker: owns the worker's thread, hands commands to it
// as values and re-emits on the GUI thread what the worker publishes, both ways through a
// ThreadMailbox (app/worker/thread_mailbox.h). Every method is non-blocking.
#pragma once

#include <QObject>
#include <QThread>

#include "app/worker/thread_mailbox.h"
#include "app/worker/training_worker.h"

namespace gradscope::app {

class TrainingController : public QObject {
  Q_OBJECT
 public:
  explicit TrainingController(const core::ExperimentConfig& config, QObject* parent = nullptr);
  ~TrainingController() override;

  // The configuration last acknowledged by the worker (of the selected run).
  const core::ExperimentConfig& config() const { return m_config; }

  // The runs as last published (null before the first snapshot): names, colours, settings
  // and summaries of every run of the comparison.
  std::shared_ptr<const RunTable> runTable() const { return m_runTable; }
  // The runs as setRuns() takes them (a session stores these to open the comparison again).
  QList<NamedConfig> runs() const;

 public slots:
  void start();
  void pause();
  void stepBatch();
  void stepEpoch();
  void stepSteps(std::int64_t steps);
  void reset();
  void reinitialize();
  void applyConfig(const gradscope::core::ExperimentConfig& config);
  void setSpeed(double stepsPerSecond);
  void setSharpnessEstimation(bool shown, int everySteps);
  void runLrRangeTest(const gradscope::core::LrRangeTestSettings& settings);
  // See TrainingWorker::traceBackprop.
  void traceBackprop(bool takeStep);
  // See TrainingWorker::prepareLossSurface (app/loss_surface/loss_surface_job.h uses it).
  void prepareLossSurface(int requestId, qint64 maxSamples);
  // Sessions: see TrainingWorker::captureSession / restoreSession.
  void captureSession(int requestId);
  void restoreSession(const gradscope::app::SessionPtr& session, const QString& baseDirectory);

  // --- comparison runs (see TrainingWorker): the entry point for loading several runs is
  // setRuns(); run ids are those of the published RunTable.
  void setRuns(const QList<gradscope::app::NamedConfig>& runs);
  void addRun(const gradscope::app::NamedConfig& run);
  void removeRun(int id);
  void applyRunConfig(int id, const gradscope::core::ExperimentConfig& config);
  void selectRun(int id);
  void setTargetLoss(double loss);
  // See TrainingWorker::holdSchedule.
  void holdSchedule(const std::optional<gradscope::core::ScheduleSettings>& schedule);
  void goToStep(qint64 step);
  void forkRun(int id, qint64 step, const gradscope::core::ExperimentConfig& config);

 signals:
  void snapshotReady(const gradscope::app::SnapshotPtr& snapshot);
  void commandFailed(const QString& field, const QString& reason);
  void configApplied(const gradscope::core::ExperimentConfig& config, const QStringList& changes);
  void lrRangeTestFinished(const gradscope::core::LrRangeTestResult& result);
  void backpropTraced(const gradscope::app::BackpropSnapshotPtr& trace);
  void lossSurfaceInputReady(int requestId, const gradscope::app::LossSurfaceInputPtr& input);
  void sessionCaptured(int requestId, const gradscope::app::SessionPtr& session);
  void sessionRestored(const gradscope::app::SessionPtr& session);
  void sessionFailed(const QString& field, const QString& reason);

 private:
  // Runs `command` on the worker's thread, after the commands sent before it.
  void send(std::function<void(TrainingWorker&)> command);
  // Re-emits the worker's signal `from` as `to` on the GUI thread, with copies of its values.
  template <typename... Args>
  void forward(void (TrainingWorker::*from)(Args...), void (TrainingController::*to)(Args...));

  QThread m_thread;
  TrainingWorker* m_worker = nullptr;   // lives on m_thread, deleted when it finishes
  ThreadMailbox* m_toWorker = nullptr;  // the worker's child: runs on m_thread
  ThreadMailbox* m_toGui = nullptr;     // this object's child: runs on the GUI thread
  core::ExperimentConfig m_config;
  std::shared_ptr<const RunTable> m_runTable;
};

// Registers the value types that cross threads (idempotent).
void registerMetaTypes();

}  // namespace gradscope::app
