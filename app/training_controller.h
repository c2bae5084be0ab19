// The GUI-side handle of the training worker: owns the worker's thread, forwards commands
// through queued signal-slot connections carrying values, and re-emits what the worker
// publishes. Every method is non-blocking.
#pragma once

#include <QObject>
#include <QThread>

#include "app/training_worker.h"

namespace gradscope::app {

class TrainingController : public QObject {
  Q_OBJECT
 public:
  explicit TrainingController(const core::ExperimentConfig& config, QObject* parent = nullptr);
  ~TrainingController() override;

  // The configuration last acknowledged by the worker.
  const core::ExperimentConfig& config() const { return m_config; }

 public slots:
  void start();
  void pause();
  void stepBatch();
  void stepEpoch();
  void reset();
  void reinitialize();
  void applyConfig(const gradscope::core::ExperimentConfig& config);
  void setSpeed(double stepsPerSecond);
  void runLrRangeTest(const gradscope::core::LrRangeTestSettings& settings);
  // Sessions: see TrainingWorker::captureSession / restoreSession.
  void captureSession(int requestId);
  void restoreSession(const gradscope::app::SessionPtr& session, const QString& baseDirectory);

 signals:
  void snapshotReady(const gradscope::app::SnapshotPtr& snapshot);
  void commandFailed(const QString& field, const QString& reason);
  void configApplied(const gradscope::core::ExperimentConfig& config, const QStringList& changes);
  void lrRangeTestFinished(const gradscope::core::LrRangeTestResult& result);
  void sessionCaptured(int requestId, const gradscope::app::SessionPtr& session);
  void sessionRestored(const gradscope::app::SessionPtr& session);
  void sessionFailed(const QString& field, const QString& reason);

  // Commands to the worker (queued connections to its slots).
  void requestInitialize();
  void requestStart();
  void requestPause();
  void requestStepBatch();
  void requestStepEpoch();
  void requestReset();
  void requestReinitialize();
  void requestApplyConfig(const gradscope::core::ExperimentConfig& config);
  void requestSetSpeed(double stepsPerSecond);
  void requestLrRangeTest(const gradscope::core::LrRangeTestSettings& settings);
  void requestCaptureSession(int requestId);
  void requestRestoreSession(const gradscope::app::SessionPtr& session,
                             const QString& baseDirectory);

 private:
  void connectSessions();
  QThread m_thread;
  TrainingWorker* m_worker = nullptr;  // lives on m_thread, deleted when it finishes
  core::ExperimentConfig m_config;
};

// Registers the value types that cross threads (idempotent).
void registerMetaTypes();

}  // namespace gradscope::app
