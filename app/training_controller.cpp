#include "training_controller.h"

namespace gradscope::app {

void registerMetaTypes() {
  qRegisterMetaType<SnapshotPtr>();
  qRegisterMetaType<core::ExperimentConfig>();
  qRegisterMetaType<core::LrRangeTestSettings>();
  qRegisterMetaType<core::LrRangeTestResult>();
}

TrainingController::TrainingController(const core::ExperimentConfig& config, QObject* parent)
    : QObject(parent), m_config(config) {
  registerMetaTypes();
  m_thread.setObjectName(QStringLiteral("training"));
  m_worker = new TrainingWorker(config);
  m_worker->moveToThread(&m_thread);
  connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
  connect(m_worker, &TrainingWorker::snapshotReady, this, &TrainingController::snapshotReady);
  connect(m_worker, &TrainingWorker::commandFailed, this, &TrainingController::commandFailed);
  connect(m_worker, &TrainingWorker::lrRangeTestFinished, this,
          &TrainingController::lrRangeTestFinished);
  connect(m_worker, &TrainingWorker::configApplied, this,
          [this](const core::ExperimentConfig& applied, const QStringList& changes) {
            m_config = applied;
            emit configApplied(applied, changes);
          });
  m_thread.start();
  post([w = m_worker] { w->initialize(); });
}

TrainingController::~TrainingController() {
  m_thread.quit();
  m_thread.wait();
}

void TrainingController::start() {
  post([w = m_worker] { w->start(); });
}
void TrainingController::pause() {
  post([w = m_worker] { w->pause(); });
}
void TrainingController::stepBatch() {
  post([w = m_worker] { w->stepBatch(); });
}
void TrainingController::stepEpoch() {
  post([w = m_worker] { w->stepEpoch(); });
}
void TrainingController::reset() {
  post([w = m_worker] { w->reset(); });
}
void TrainingController::applyConfig(const core::ExperimentConfig& config) {
  post([w = m_worker, config] { w->applyConfig(config); });
}
void TrainingController::setSpeed(double stepsPerSecond) {
  post([w = m_worker, stepsPerSecond] { w->setSpeed(stepsPerSecond); });
}
void TrainingController::runLrRangeTest(const core::LrRangeTestSettings& settings) {
  post([w = m_worker, settings] { w->runLrRangeTest(settings); });
}

}  // namespace gradscope::app
