// TrainingWorker's session commands: capture the runs for saving, restore them from a session.
#include "app/sessions/session_runs.h"
#include "app/worker/training_worker.h"

namespace gradscope::app {

void TrainingWorker::captureSession(int requestId) {
  // Steps trained since the last snapshot reach the GUI's history first (queued before the
  // answer), so the history it saves ends at the captured state.
  publish();
  auto session = std::make_shared<Session>();
  session->speed = m_speed;
  for (const Lane& lane : m_lanes) {
    // A run taken back to an earlier step (the timeline) is saved as it stands at its latest
    // step, matching its history: going back loses nothing.
    const std::int64_t latest = lane.checkpoints.lastStep();
    SessionRun run =
        lane.run->stepCount() < latest ? captureRun(*runAt(lane, latest)) : captureRun(*lane.run);
    if (lane.namedExplicitly) run.label = lane.name;  // names "by what differs" are re-derived
    run.liveId = lane.id;
    // The tree of runs by index in the session (a removed parent leaves a run on its own).
    for (std::size_t i = 0; i < session->runs.size(); ++i) {
      if (session->runs[i].liveId == lane.forkParent) {
        run.forkParent = int(i);
        run.forkStep = lane.forkStep;
        run.keptFuture = lane.keptFuture;
      }
    }
    session->runs.push_back(std::move(run));
  }
  emit sessionCaptured(requestId, session);
}

void TrainingWorker::restoreSession(const SessionPtr& session, const QString& baseDirectory) {
  std::vector<std::unique_ptr<TrainingRun>> runs;
  try {
    if (!session || session->runs.empty()) throw core::Error("runs", "the session has no run");
    runs = buildRuns(*session, baseDirectory);
  } catch (const core::Error& e) {
    emit sessionFailed(QString::fromStdString(e.field()), QString::fromStdString(e.reason()));
    return;
  }
  // Everything was built: only now is the running experiment replaced. The runs resume from
  // their saved states, so no initial weights are shared here (they already are, or not).
  publish();
  m_mode = Mode::Stopped;
  m_stepsLeft = 0;
  m_slowTimer->stop();
  m_lanes.clear();
  ++m_generation;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    Lane lane;
    lane.id = int(i);
    lane.name = session->runs[i].label;
    lane.namedExplicitly = !lane.name.isEmpty();
    lane.colour = int(i);
    lane.forkParent = session->runs[i].forkParent;  // ids are the session's indices
    lane.forkStep = session->runs[i].forkStep;
    lane.run = std::move(runs[i]);
    lane.finished = lane.run->stopReason() != core::StopReason::None;
    if (lane.finished) {
      lane.stopStatus = QString::fromStdString(lane.run->stopMessage());
      lane.stopSummary = QString::fromStdString(lane.run->stopSummary());
    }
    lane.keptFuture = session->runs[i].keptFuture && lane.forkParent >= 0;
    if (lane.keptFuture) {
      lane.stopStatus = QStringLiteral(
                            "the future its parent had before it trained on from "
                            "step %1")
                            .arg(lane.forkStep);
      lane.stopSummary = QStringLiteral("old future, kept");
      lane.tracker.setFinished(true);
    }
    lane.tracker.setTargetLoss(m_targetLoss);
    restartCheckpoints(lane);
    m_lanes.push_back(std::move(lane));
  }
  m_nextId = int(m_lanes.size());
  m_selected = 0;
  renameLanes();
  m_speed = session->speed;
  m_stepBudget = 0.0;
  const TrainingRun& run = *m_lanes.front().run;
  m_state = run.stopReason() == core::StopReason::None ? RunState::Paused : RunState::Finished;
  m_status =
      run.stopReason() == core::StopReason::None
          ? QStringLiteral("session opened at step %1: press Play").arg(run.stepCount())
          : QStringLiteral("session opened: %1").arg(QString::fromStdString(run.stopMessage()));
  for (Lane& lane : m_lanes) beginSnapshot(lane, true);
  m_staticDirty = m_fieldDirty = m_signalDirty = true;
  publish();
  emitSelectedConfig({});
  emit sessionRestored(session);
}

void TrainingWorker::trainSteps(qint64 steps) {
  if (steps <= 0) return;
  startTraining(Mode::Steps, steps);
}

}  // namespace gradscope::app
