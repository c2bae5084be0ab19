#include "app/worker/training_controller.h"

namespace gradscope::app {

void registerMetaTypes() {
  qRegisterMetaType<SnapshotPtr>();
  qRegisterMetaType<core::ExperimentConfig>();
  qRegisterMetaType<core::LrRangeTestSettings>();
  qRegisterMetaType<core::LrRangeTestResult>();
  qRegisterMetaType<BackpropSnapshotPtr>();
  qRegisterMetaType<LossSurfaceInputPtr>();
  qRegisterMetaType<SessionPtr>();
  qRegisterMetaType<NamedConfig>();
  qRegisterMetaType<QList<NamedConfig>>();
}

template <typename... Args>
void TrainingController::forward(void (TrainingWorker::*from)(Args...),
                                 void (TrainingController::*to)(Args...)) {
  // Direct: the values are copied on the worker's thread, before the mailbox's mutex hands
  // them over, and are read and destroyed on the GUI thread after it.
  connect(
      m_worker, from, m_toGui,
      [this, to](Args... args) {
        m_toGui->post([this, to, ... values = args] { (this->*to)(values...); });
      },
      Qt::DirectConnection);
}

TrainingController::TrainingController(const core::ExperimentConfig& config, QObject* parent)
    : QObject(parent), m_config(config) {
  registerMetaTypes();
  m_thread.setObjectName(QStringLiteral("training"));
  m_worker = new TrainingWorker(config);
  m_toWorker = new ThreadMailbox(m_worker);
  m_toGui = new ThreadMailbox(this);
  m_worker->moveToThread(&m_thread);
  connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);

  connect(
      m_worker, &TrainingWorker::snapshotReady, m_toGui,
      [this](const SnapshotPtr& snapshot) {
        m_toGui->post([this, snapshot] {
          if (snapshot->runTable) m_runTable = snapshot->runTable;
          emit snapshotReady(snapshot);
        });
      },
      Qt::DirectConnection);
  connect(
      m_worker, &TrainingWorker::configApplied, m_toGui,
      [this](const core::ExperimentConfig& applied, const QStringList& changes) {
        m_toGui->post([this, applied, changes] {
          m_config = applied;
          emit configApplied(applied, changes);
        });
      },
      Qt::DirectConnection);
  forward(&TrainingWorker::commandFailed, &TrainingController::commandFailed);
  forward(&TrainingWorker::lrRangeTestFinished, &TrainingController::lrRangeTestFinished);
  forward(&TrainingWorker::backpropTraced, &TrainingController::backpropTraced);
  forward(&TrainingWorker::lossSurfaceInputReady, &TrainingController::lossSurfaceInputReady);
  forward(&TrainingWorker::sessionCaptured, &TrainingController::sessionCaptured);
  forward(&TrainingWorker::sessionRestored, &TrainingController::sessionRestored);
  forward(&TrainingWorker::sessionFailed, &TrainingController::sessionFailed);
  m_thread.start();
  send([](TrainingWorker& worker) { worker.initialize(); });
}

TrainingController::~TrainingController() {
  m_thread.quit();
  m_thread.wait();
}

void TrainingController::send(std::function<void(TrainingWorker&)> command) {
  m_toWorker->post([worker = m_worker, command = std::move(command)] { command(*worker); });
}

void TrainingController::start() {
  send([](TrainingWorker& worker) { worker.start(); });
}
void TrainingController::pause() {
  send([](TrainingWorker& worker) { worker.pause(); });
}
void TrainingController::stepBatch() {
  send([](TrainingWorker& worker) { worker.stepBatch(); });
}
void TrainingController::stepSteps(std::int64_t steps) {
  send([steps](TrainingWorker& worker) { worker.stepSteps(steps); });
}
void TrainingController::stepEpoch() {
  send([](TrainingWorker& worker) { worker.stepEpoch(); });
}
void TrainingController::reset() {
  send([](TrainingWorker& worker) { worker.reset(); });
}
void TrainingController::reinitialize() {
  send([](TrainingWorker& worker) { worker.reinitialize(); });
}
void TrainingController::applyConfig(const core::ExperimentConfig& config) {
  send([config](TrainingWorker& worker) { worker.applyConfig(config); });
}
void TrainingController::setSpeed(double stepsPerSecond) {
  send([stepsPerSecond](TrainingWorker& worker) { worker.setSpeed(stepsPerSecond); });
}
void TrainingController::setSharpnessEstimation(bool shown, int everySteps) {
  send([shown, everySteps](TrainingWorker& worker) {
    worker.setSharpnessEstimation(shown, everySteps);
  });
}
void TrainingController::runLrRangeTest(const core::LrRangeTestSettings& settings) {
  send([settings](TrainingWorker& worker) { worker.runLrRangeTest(settings); });
}
void TrainingController::traceBackprop(bool takeStep) {
  send([takeStep](TrainingWorker& worker) { worker.traceBackprop(takeStep); });
}

void TrainingController::prepareLossSurface(int requestId, qint64 maxSamples) {
  send([requestId, maxSamples](TrainingWorker& worker) {
    worker.prepareLossSurface(requestId, maxSamples);
  });
}

void TrainingController::captureSession(int requestId) {
  send([requestId](TrainingWorker& worker) { worker.captureSession(requestId); });
}
void TrainingController::restoreSession(const SessionPtr& session, const QString& baseDirectory) {
  send([session, baseDirectory](TrainingWorker& worker) {
    worker.restoreSession(session, baseDirectory);
  });
}

QList<NamedConfig> TrainingController::runs() const {
  if (!m_runTable) return {NamedConfig{QString(), m_config}};
  return m_runTable->namedConfigs();
}

void TrainingController::setRuns(const QList<NamedConfig>& runs) {
  send([runs](TrainingWorker& worker) { worker.setRuns(runs); });
}
void TrainingController::addRun(const NamedConfig& run) {
  send([run](TrainingWorker& worker) { worker.addRun(run); });
}
void TrainingController::removeRun(int id) {
  send([id](TrainingWorker& worker) { worker.removeRun(id); });
}
void TrainingController::applyRunConfig(int id, const core::ExperimentConfig& config) {
  send([id, config](TrainingWorker& worker) { worker.applyRunConfig(id, config); });
}
void TrainingController::selectRun(int id) {
  send([id](TrainingWorker& worker) { worker.selectRun(id); });
}
void TrainingController::holdSchedule(const std::optional<core::ScheduleSettings>& schedule) {
  send([schedule](TrainingWorker& worker) { worker.holdSchedule(schedule); });
}

void TrainingController::setTargetLoss(double loss) {
  send([loss](TrainingWorker& worker) { worker.setTargetLoss(loss); });
}
void TrainingController::goToStep(qint64 step) {
  send([step](TrainingWorker& worker) { worker.goToStep(step); });
}
void TrainingController::forkRun(int id, qint64 step, const core::ExperimentConfig& config) {
  send([id, step, config](TrainingWorker& worker) { worker.forkRun(id, step, config); });
}

}  // namespace gradscope::app
