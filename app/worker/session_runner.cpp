#include "app/worker/session_runner.h"

#include "app/history/run_history.h"

namespace gradscope::app {

SessionRunner::SessionRunner(const core::ExperimentConfig& config, QObject* parent)
    : QObject(parent), m_worker(std::make_unique<TrainingWorker>(config)), m_config(config) {
  // Direct connections: the worker lives on this thread.
  connect(m_worker.get(), &TrainingWorker::snapshotReady, this, [this](const SnapshotPtr& s) {
    m_history.append(*s);
    m_state = s->state;
    m_status = s->status;
    m_step = s->currentStep;
    m_epoch = s->currentEpoch;
    if (s->learningRatePlan) m_plan = s->learningRatePlan;
    if (m_progress) m_progress(*s);
    if (m_loop && m_state != RunState::Running) m_loop->quit();
  });
  connect(m_worker.get(), &TrainingWorker::configApplied, this,
          [this](const core::ExperimentConfig& c, const QStringList&) { m_config = c; });
  m_worker->initialize();
}

SessionRunner::~SessionRunner() = default;

bool SessionRunner::open(const SessionPtr& session, const QString& baseDirectory, QString* error) {
  QString failure;
  auto onFailure = connect(m_worker.get(), &TrainingWorker::sessionFailed, this,
                           [&](const QString& field, const QString& reason) {
                             failure = field + QStringLiteral(": ") + reason;
                           });
  bool restored = false;
  auto onRestored = connect(m_worker.get(), &TrainingWorker::sessionRestored, this,
                            [&](const SessionPtr&) { restored = true; });
  m_worker->restoreSession(session, baseDirectory);
  disconnect(onFailure);
  disconnect(onRestored);
  if (!restored) {
    if (error) *error = failure;
    return false;
  }
  for (std::size_t i = 0; i < session->runs.size(); ++i) {
    if (session->runs[i].history) restoreRunHistory(m_history, int(i), *session->runs[i].history);
  }
  m_extras = Session{};
  m_extras.name = session->name;
  m_extras.note = session->note;
  m_extras.layout = session->layout;
  m_extras.landscape = session->landscape;
  m_lrRangeTest = session->runs[0].lrRangeTest;
  return true;
}

RunState SessionRunner::train(qint64 steps, const std::function<void(const Snapshot&)>& progress) {
  if (steps <= 0) return m_state;
  QEventLoop loop;
  m_loop = &loop;
  m_progress = progress;
  m_state = RunState::Running;
  m_worker->trainSteps(steps);
  // A refusal (the run diverged before) is published at once; otherwise wait for the pause.
  if (m_state == RunState::Running) loop.exec();
  m_loop = nullptr;
  m_progress = {};
  return m_state;
}

bool SessionRunner::applyConfig(const core::ExperimentConfig& config, QString* error) {
  QString failure;
  auto onFailure = connect(m_worker.get(), &TrainingWorker::commandFailed, this,
                           [&](const QString& field, const QString& reason) {
                             failure = field + QStringLiteral(": ") + reason;
                           });
  m_worker->applyConfig(config);
  disconnect(onFailure);
  if (!failure.isEmpty() && error) *error = failure;
  return failure.isEmpty();
}

Session SessionRunner::capture() {
  Session session;
  auto onCaptured = connect(m_worker.get(), &TrainingWorker::sessionCaptured, this,
                            [&](int, const SessionPtr& s) { session = *s; });
  m_worker->captureSession(0);
  disconnect(onCaptured);
  session.name = m_extras.name;
  session.note = m_extras.note;
  session.layout = m_extras.layout;
  session.landscape = m_extras.landscape;
  for (std::size_t i = 0; i < session.runs.size(); ++i) {
    session.runs[i].history = captureRunHistory(m_history, int(i));
  }
  if (!session.runs.empty()) session.runs[0].lrRangeTest = m_lrRangeTest;
  return session;
}

}  // namespace gradscope::app
