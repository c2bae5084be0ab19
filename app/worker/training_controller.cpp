#include "app/worker/training_controller.h"

#include "app/worker/thread_handoff.h"

namespace gradscope::app {

void registerMetaTypes() {
  qRegisterMetaType<SnapshotPtr>();
  qRegisterMetaType<core::ExperimentConfig>();
  qRegisterMetaType<core::LrRangeTestSettings>();
  qRegisterMetaType<core::LrRangeTestResult>();
  qRegisterMetaType<SessionPtr>();
  qRegisterMetaType<NamedConfig>();
  qRegisterMetaType<QList<NamedConfig>>();
}

TrainingController::TrainingController(const core::ExperimentConfig& config, QObject* parent)
    : QObject(parent), m_config(config) {
  registerMetaTypes();
  m_thread.setObjectName(QStringLiteral("training"));
  m_worker = new TrainingWorker(config);
  m_worker->moveToThread(&m_thread);
  connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);

  connect(this, &TrainingController::requestInitialize, m_worker, &TrainingWorker::initialize);
  connect(this, &TrainingController::requestStart, m_worker, &TrainingWorker::start);
  connect(this, &TrainingController::requestPause, m_worker, &TrainingWorker::pause);
  connect(this, &TrainingController::requestStepBatch, m_worker, &TrainingWorker::stepBatch);
  connect(this, &TrainingController::requestStepEpoch, m_worker, &TrainingWorker::stepEpoch);
  connect(this, &TrainingController::requestReset, m_worker, &TrainingWorker::reset);
  connect(this, &TrainingController::requestReinitialize, m_worker, &TrainingWorker::reinitialize);
  connect(this, &TrainingController::requestApplyConfig, m_worker, &TrainingWorker::applyConfig);
  connect(this, &TrainingController::requestSetSpeed, m_worker, &TrainingWorker::setSpeed);
  connect(this, &TrainingController::requestLrRangeTest, m_worker, &TrainingWorker::runLrRangeTest);
  connect(this, &TrainingController::requestSetRuns, m_worker, &TrainingWorker::setRuns);
  connect(this, &TrainingController::requestAddRun, m_worker, &TrainingWorker::addRun);
  connect(this, &TrainingController::requestRemoveRun, m_worker, &TrainingWorker::removeRun);
  connect(this, &TrainingController::requestApplyRunConfig, m_worker,
          &TrainingWorker::applyRunConfig);
  connect(this, &TrainingController::requestSelectRun, m_worker, &TrainingWorker::selectRun);
  connect(this, &TrainingController::requestSetTargetLoss, m_worker,
          &TrainingWorker::setTargetLoss);

  connect(m_worker, &TrainingWorker::snapshotReady, this, [this](const SnapshotPtr& snapshot) {
    handoffAcquire(Handoff::ToGui);
    if (snapshot->runTable) m_runTable = snapshot->runTable;
    emit snapshotReady(snapshot);
  });
  connect(m_worker, &TrainingWorker::commandFailed, this,
          [this](const QString& field, const QString& reason) {
            handoffAcquire(Handoff::ToGui);
            emit commandFailed(field, reason);
          });
  connect(m_worker, &TrainingWorker::lrRangeTestFinished, this,
          [this](const core::LrRangeTestResult& result) {
            handoffAcquire(Handoff::ToGui);
            emit lrRangeTestFinished(result);
          });
  connect(m_worker, &TrainingWorker::configApplied, this,
          [this](const core::ExperimentConfig& applied, const QStringList& changes) {
            handoffAcquire(Handoff::ToGui);
            m_config = applied;
            emit configApplied(applied, changes);
          });
  connectSessions();
  m_thread.start();
  handoffRelease(Handoff::ToWorker);
  emit requestInitialize();
}

TrainingController::~TrainingController() {
  m_thread.quit();
  m_thread.wait();
}

void TrainingController::start() {
  handoffRelease(Handoff::ToWorker);
  emit requestStart();
}
void TrainingController::pause() {
  handoffRelease(Handoff::ToWorker);
  emit requestPause();
}
void TrainingController::stepBatch() {
  handoffRelease(Handoff::ToWorker);
  emit requestStepBatch();
}
void TrainingController::stepEpoch() {
  handoffRelease(Handoff::ToWorker);
  emit requestStepEpoch();
}
void TrainingController::reset() {
  handoffRelease(Handoff::ToWorker);
  emit requestReset();
}
void TrainingController::reinitialize() {
  handoffRelease(Handoff::ToWorker);
  emit requestReinitialize();
}
void TrainingController::applyConfig(const core::ExperimentConfig& config) {
  handoffRelease(Handoff::ToWorker);
  emit requestApplyConfig(config);
}
void TrainingController::setSpeed(double stepsPerSecond) {
  handoffRelease(Handoff::ToWorker);
  emit requestSetSpeed(stepsPerSecond);
}
void TrainingController::runLrRangeTest(const core::LrRangeTestSettings& settings) {
  handoffRelease(Handoff::ToWorker);
  emit requestLrRangeTest(settings);
}

void TrainingController::connectSessions() {
  connect(this, &TrainingController::requestCaptureSession, m_worker,
          &TrainingWorker::captureSession);
  connect(this, &TrainingController::requestRestoreSession, m_worker,
          &TrainingWorker::restoreSession);
  connect(m_worker, &TrainingWorker::sessionCaptured, this,
          [this](int requestId, const SessionPtr& session) {
            handoffAcquire(Handoff::ToGui);
            emit sessionCaptured(requestId, session);
          });
  connect(m_worker, &TrainingWorker::sessionRestored, this, [this](const SessionPtr& session) {
    handoffAcquire(Handoff::ToGui);
    emit sessionRestored(session);
  });
  connect(m_worker, &TrainingWorker::sessionFailed, this,
          [this](const QString& field, const QString& reason) {
            handoffAcquire(Handoff::ToGui);
            emit sessionFailed(field, reason);
          });
}
void TrainingController::captureSession(int requestId) {
  handoffRelease(Handoff::ToWorker);
  emit requestCaptureSession(requestId);
}
void TrainingController::restoreSession(const SessionPtr& session, const QString& baseDirectory) {
  handoffRelease(Handoff::ToWorker);
  emit requestRestoreSession(session, baseDirectory);
}

QList<NamedConfig> TrainingController::runs() const {
  if (!m_runTable) return {NamedConfig{QString(), m_config}};
  return m_runTable->namedConfigs();
}

void TrainingController::setRuns(const QList<NamedConfig>& runs) {
  handoffRelease(Handoff::ToWorker);
  emit requestSetRuns(runs);
}
void TrainingController::addRun(const NamedConfig& run) {
  handoffRelease(Handoff::ToWorker);
  emit requestAddRun(run);
}
void TrainingController::removeRun(int id) {
  handoffRelease(Handoff::ToWorker);
  emit requestRemoveRun(id);
}
void TrainingController::applyRunConfig(int id, const core::ExperimentConfig& config) {
  handoffRelease(Handoff::ToWorker);
  emit requestApplyRunConfig(id, config);
}
void TrainingController::selectRun(int id) {
  handoffRelease(Handoff::ToWorker);
  emit requestSelectRun(id);
}
void TrainingController::setTargetLoss(double loss) {
  handoffRelease(Handoff::ToWorker);
  emit requestSetTargetLoss(loss);
}

}  // namespace gradscope::app
