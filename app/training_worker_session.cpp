// TrainingWorker's session commands: capture the runs for saving, restore them from a session.
#include "app/session_runs.h"
#include "app/thread_handoff.h"
#include "app/training_worker.h"

namespace gradscope::app {

void TrainingWorker::captureSession(int requestId) {
  handoffAcquire(Handoff::ToWorker);
  auto session = std::make_shared<Session>();
  session->speed = m_speed;
  for (const auto& run : m_runs) session->runs.push_back(captureRun(*run));
  handoffRelease(Handoff::ToGui);
  emit sessionCaptured(requestId, session);
}

void TrainingWorker::restoreSession(const SessionPtr& session, const QString& baseDirectory) {
  handoffAcquire(Handoff::ToWorker);
  std::vector<std::unique_ptr<TrainingRun>> runs;
  try {
    if (!session || session->runs.empty()) throw core::Error("runs", "the session has no run");
    runs = buildRuns(*session, baseDirectory);
  } catch (const core::Error& e) {
    handoffRelease(Handoff::ToGui);
    emit sessionFailed(QString::fromStdString(e.field()), QString::fromStdString(e.reason()));
    return;
  }
  // Everything was built: only now is the running experiment replaced.
  publish();
  m_mode = Mode::Stopped;
  m_stepsLeft = 0;
  m_slowTimer->stop();
  m_runs = std::move(runs);
  m_recentClips.clear();
  m_clipBurst = false;
  m_speed = session->speed;
  m_stepBudget = 0.0;
  const TrainingRun& run = *m_runs[0];
  m_state = run.stopReason() == core::StopReason::None ? RunState::Paused : RunState::Finished;
  m_status =
      run.stopReason() == core::StopReason::None
          ? QStringLiteral("session opened at step %1: press Play").arg(run.stepCount())
          : QStringLiteral("session opened: %1").arg(QString::fromStdString(run.stopMessage()));
  beginSnapshot(true);
  m_staticDirty = m_fieldDirty = true;
  publish();
  handoffRelease(Handoff::ToGui);
  emit configApplied(m_runs[0]->config(), {});
  emit sessionRestored(session);
}

void TrainingWorker::trainSteps(qint64 steps) {
  handoffAcquire(Handoff::ToWorker);
  if (steps <= 0) return;
  startTraining(Mode::Steps, steps);
}

}  // namespace gradscope::app
