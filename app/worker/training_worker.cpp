#include "app/worker/training_worker.h"

#include "app/runs/lockstep.h"
#include "app/runs/run_naming.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <utility>

namespace gradscope::app {

using namespace gradscope::core;

namespace {
constexpr int kClipWindow = 20;  // steps in the "burst of clipping" window
}

TrainingWorker::TrainingWorker(const ExperimentConfig& config, QObject* parent)
    : QObject(parent), m_initialConfig(config) {
  m_monotonic.start();
}

TrainingWorker::~TrainingWorker() = default;

void TrainingWorker::initialize() {
  m_slowTimer = new QTimer(this);
  m_slowTimer->setSingleShot(true);
  m_slowTimer->setTimerType(Qt::PreciseTimer);
  connect(m_slowTimer, &QTimer::timeout, this, &TrainingWorker::trainChunk);
  m_lanes.emplace_back();
  Lane& lane = m_lanes.back();
  try {
    lane.run = TrainingRun::create(m_initialConfig);
    m_state = RunState::Paused;
    m_status = QStringLiteral("ready: press Play");
  } catch (const Error& e) {
    // Fall back to the defaults so that the application stays usable.
    emit commandFailed(QString::fromStdString(e.field()), QString::fromStdString(e.reason()));
    m_initialConfig = ExperimentConfig{};
    lane.run = TrainingRun::create(m_initialConfig);
    m_state = RunState::Paused;
    m_status = QStringLiteral("ready (defaults)");
  }
  lane.tracker.setTargetLoss(m_targetLoss);
  restartCheckpoints(lane);
  renameLanes();
  m_sincePublish.start();
  m_sinceField.start();
  m_sinceInsight.start();
  m_rateClock.start();
  beginSnapshot(lane, true);
  publish();
  emit configApplied(lane.run->config(), {});
}

void TrainingWorker::dropFuture(Lane& lane) {
  const std::int64_t step = lane.run->stepCount();
  if (step >= lane.checkpoints.lastStep()) return;
  lane.checkpoints.discardAfter(step);
  lane.tracker.rewindTo(step);       // the Runs table's figures of the past it goes on from
  lane.pending->discardFrom = step;  // steps are numbered from 0: step `step` is the next one
}

void TrainingWorker::dropFutures() {
  for (Lane& lane : m_lanes) {
    if (!lane.keptFuture) dropFuture(lane);
  }
}

void TrainingWorker::keepFutures() {
  std::vector<Lane> kept;
  for (Lane& lane : m_lanes) {
    const std::int64_t step = lane.run->stepCount();
    if (lane.keptFuture || step >= lane.checkpoints.lastStep()) continue;
    if (int(m_lanes.size() + kept.size()) >= kMaxRuns) {
      addEvent(lane, EventKind::SettingChanged,
               QStringLiteral("trained on from step %1; its steps after it were dropped (a "
                              "comparison has at most %2 runs)")
                   .arg(step)
                   .arg(kMaxRuns));
      continue;
    }
    Lane future;
    future.id = m_nextId++;
    future.name = QStringLiteral("%1, old future from step %2").arg(lane.name).arg(step);
    future.namedExplicitly = true;
    future.forkParent = lane.id;
    future.forkStep = step;
    future.keptFuture = true;
    future.checkpoints = lane.checkpoints;  // its whole past, before the run drops its future
    try {
      future.run = runAt(lane, lane.checkpoints.lastStep());
    } catch (const Error& e) {
      // Cannot happen (the newest step is reachable); said rather than hidden.
      emit commandFailed(QString::fromStdString(e.field()), QString::fromStdString(e.reason()));
      continue;
    }
    future.tracker = lane.tracker;  // the summary of the steps it trained
    future.tracker.setFinished(true);
    future.stopStatus = QStringLiteral("the future %1 had before it trained on from step %2")
                            .arg(lane.name)
                            .arg(step);
    future.stopSummary = QStringLiteral("old future, kept");
    lane.pending->futureKeptAs = future.id;
    addEvent(lane, EventKind::SettingChanged,
             QStringLiteral("trained on from step %1; its old future is kept as a run").arg(step));
    kept.push_back(std::move(future));
  }
  dropFutures();
  for (Lane& future : kept) {
    future.colour = freeColour();
    m_lanes.push_back(std::move(future));
    beginSnapshot(m_lanes.back(), false);  // its history is its parent's, copied
  }
  if (!kept.empty()) renameLanes();
}

int TrainingWorker::freeColour() const {
  std::vector<bool> used(std::size_t(kMaxRuns) + 1, false);
  for (const Lane& l : m_lanes) used[std::size_t(std::clamp(l.colour, 0, kMaxRuns))] = true;
  int colour = 0;
  while (used[std::size_t(colour)]) ++colour;
  return colour;
}

void TrainingWorker::restartCheckpoints(Lane& lane) {
  lane.checkpoints.setBudget(std::size_t(lane.run->config().training.checkpointMemory) << 20);
  lane.checkpoints.restart(*lane.run);
}

TrainingWorker::Lane* TrainingWorker::findLane(int id) {
  for (Lane& lane : m_lanes) {
    if (lane.id == id) return &lane;
  }
  return nullptr;
}

TrainingWorker::Lane& TrainingWorker::selectedLane() {
  Lane* lane = findLane(m_selected);
  return lane ? *lane : m_lanes.front();
}

void TrainingWorker::beginSnapshot(Lane& lane, bool reset) {
  lane.pending = std::make_unique<Snapshot>();
  lane.pending->run = lane.id;
  lane.pending->layerCount = lane.run->denseLayerCount();
  lane.pending->firstStep = lane.run->stepCount();
  lane.pending->reset = reset;
}

void TrainingWorker::attachStatic() {
  Lane& lane = selectedLane();
  lane.pending->dataPoints = lane.run->dataPoints();
  lane.pending->learningRatePlan = lane.run->learningRatePlan(kPlanPoints);
  m_staticDirty = false;
}

void TrainingWorker::attachField() {
  Lane& lane = selectedLane();
  lane.pending->decisionField = lane.run->decisionField(kFieldResolution);
  if (m_fieldDirty || m_mode == Mode::Stopped || m_sinceInsight.elapsed() >= m_insightInterval) {
    QElapsedTimer cost;
    cost.start();
    lane.pending->modelInsight = lane.run->modelInsight();
    // A deep network's insight costs more: it then waits long enough to take at most a tenth
    // of the training time.
    m_insightInterval = std::max<qint64>(kInsightMilliseconds, 10 * cost.elapsed());
    m_sinceInsight.restart();
  }
  m_sinceField.restart();
  m_fieldDirty = false;
}

namespace {
// The part of a configuration the signal propagation depends on.
ExperimentConfig signalRelevant(const ExperimentConfig& config) {
  ExperimentConfig key;
  key.data = config.data;
  key.split = config.split;
  key.model = config.model;
  key.network = config.network;
  key.precision = config.precision;
  return key;
}
}  // namespace

void TrainingWorker::attachSignal() {
  Lane& lane = selectedLane();
  ExperimentConfig key = signalRelevant(lane.run->config());
  if (!m_signalDirty && m_signalRun == lane.id && m_signalConfig == key) return;
  // One forward and backward pass on a batch and the phase diagram: tens of milliseconds,
  // taken only when something it depends on changed, never while the settings stay put.
  lane.pending->signalPropagation = lane.run->signalPropagation();
  m_signalConfig = std::move(key);
  m_signalRun = lane.id;
  m_signalDirty = false;
}

std::shared_ptr<const RunTable> TrainingWorker::makeRunTable() const {
  auto table = std::make_shared<RunTable>();
  for (const Lane& lane : m_lanes) {
    table->runs.push_back(
        RunEntry{lane.id, lane.name, lane.namedExplicitly, lane.colour, lane.run->config(),
                 lane.tracker.summary(), lane.active() ? QString() : lane.stopStatus,
                 lane.active() ? QString() : lane.stopSummary, lane.forkParent, lane.forkStep});
  }
  table->selected = m_selected;
  table->generation = m_generation;
  table->targetLoss = m_targetLoss;
  table->differingSettings = m_differing;
  table->comparesOptimizers = m_comparesOptimizers;
  return table;
}

void TrainingWorker::publish() {
  if (m_lanes.empty() || !m_lanes.front().pending) return;
  Lane& selected = selectedLane();
  // Coalesced: many changes between two snapshots cost one refresh.
  if (m_staticDirty) attachStatic();
  attachSignal();
  // The decision boundary follows training a few times a second, and after every pause.
  if (m_fieldDirty || (!selected.pending->steps.empty() &&
                       (m_mode == Mode::Stopped || m_sinceField.elapsed() >= kFieldMilliseconds))) {
    attachField();
  }
  if (m_heldSchedule) {
    selected.pending->heldPlan = selected.run->learningRatePlan(kPlanPoints, m_heldSchedule);
  }
  const std::shared_ptr<const RunTable> table = makeRunTable();
  std::vector<SnapshotPtr> snapshots;
  for (Lane& lane : m_lanes) {
    Snapshot& s = *lane.pending;
    s.state = m_state;
    s.status = m_status;
    s.currentStep = lane.run->stepCount();
    s.currentEpoch = lane.run->epoch();
    s.stepsPerSecond = m_stepsPerSecond;
    s.runTable = table;
    snapshots.push_back(SnapshotPtr(std::move(lane.pending)));
  }
  for (const SnapshotPtr& snapshot : snapshots) emit snapshotReady(snapshot);
  m_sincePublish.restart();
  for (Lane& lane : m_lanes) beginSnapshot(lane, false);
}

void TrainingWorker::holdSchedule(const std::optional<core::ScheduleSettings>& schedule) {
  m_heldSchedule = schedule;
  if (m_state != RunState::Running) publish();  // shown at once, not at the next step
}

void TrainingWorker::addEvent(Lane& lane, EventKind kind, const QString& text) {
  lane.pending->events.push_back(Event{lane.run->stepCount(), kind, text});
}

void TrainingWorker::emitSelectedConfig(const QStringList& changes) {
  emit configApplied(selectedLane().run->config(), changes);
}

void TrainingWorker::start() { startTraining(Mode::Running, 0); }

void TrainingWorker::stepBatch() { startTraining(Mode::Steps, 1); }

void TrainingWorker::stepSteps(std::int64_t steps) {
  if (steps > 0) startTraining(Mode::Steps, steps);
}

void TrainingWorker::stepEpoch() {
  if (m_lanes.empty()) return;
  // The rest of the current epoch (a whole epoch at an epoch boundary) of the selected run,
  // or of the first run still training.
  const Lane* lane = &selectedLane();
  for (const Lane& l : m_lanes) {
    if (!lane->active() && l.active()) lane = &l;
  }
  const std::int64_t perEpoch = lane->run->stepsPerEpoch();
  const std::int64_t intoEpoch = lane->run->stepCount() % std::max<std::int64_t>(1, perEpoch);
  startTraining(Mode::Steps, perEpoch - intoEpoch);
}

void TrainingWorker::startTraining(Mode mode, std::int64_t steps) {
  if (m_lanes.empty()) return;
  if (m_state == RunState::Diverged) {
    // Training on from a diverged state would diverge again at once: reset or change first.
    m_status =
        m_lanes.size() == 1
            ? QStringLiteral("diverged: reset, or lower the learning rate, before continuing")
            : QStringLiteral(
                  "every run diverged: reset, or change their settings, before continuing");
    publish();
    return;
  }
  // When every run is done, training on continues them all (as a single run may train past
  // its planned epochs); otherwise a run that finished early stays finished.
  const bool anyActive =
      std::any_of(m_lanes.begin(), m_lanes.end(), [](const Lane& l) { return l.active(); });
  if (!anyActive) {
    // Play after the end: every run that completed its planned epochs gets half its plan
    // again (at least one epoch), said in the status line and marked as a change, so the
    // epoch counter and the charts' plan stay true ("epoch 501/500" would not).
    int extendedBy = 0;
    int extendedTo = 0;
    bool selectedExtended = false;
    for (Lane& lane : m_lanes) {
      if (!lane.diverged && lane.run->stopReason() == StopReason::EpochsCompleted) {
        ExperimentConfig config = lane.run->config();
        const int planned = config.training.epochs;
        const int more = std::min(kMaxEpochs - planned, std::max(1, planned / 2));
        if (more > 0) {
          config.training.epochs = planned + more;
          try {
            lane.run->apply(config);
            lane.checkpoints.recordConfig(*lane.run);
            addEvent(
                lane, EventKind::SettingChanged,
                QStringLiteral("plan extended: epochs %1 → %2").arg(planned).arg(planned + more));
            extendedBy = more;
            extendedTo = planned + more;
            selectedExtended |= lane.id == m_selected;
          } catch (const Error&) {
            // Cannot happen within kMaxEpochs; the run then trains on as before.
          }
        }
      }
      lane.finished = false;
      lane.tracker.setFinished(false);
    }
    if (extendedBy > 0) {
      m_staticDirty = true;  // the rate plan reaches further
      if (selectedExtended) {
        emitSelectedConfig({QStringLiteral("epochs: %1").arg(extendedTo)});
      }
    }
    m_planNote = extendedBy > 0 ? QStringLiteral(" — the plan was extended by %1 epoch%2 to %3")
                                      .arg(extendedBy)
                                      .arg(extendedBy == 1 ? "" : "s")
                                      .arg(extendedTo)
                                : QString();
  } else {
    m_planNote.clear();
  }
  keepFutures();
  // Pressing "step" again before the last one ran adds to it rather than replacing it.
  m_stepsLeft = (mode == Mode::Steps && m_mode == Mode::Steps) ? m_stepsLeft + steps : steps;
  m_mode = mode;
  m_state = RunState::Running;
  m_status = QStringLiteral("training") + m_planNote;
  m_stepBudget = 0.0;
  m_lastTick = m_clock();
  m_rateClock.restart();
  m_rateSteps = 0;
  scheduleChunk();
}

void TrainingWorker::pause() {
  if (m_mode == Mode::Stopped && m_state != RunState::Running) return;
  stopTraining(RunState::Paused, QStringLiteral("paused"));
}

void TrainingWorker::stopTraining(RunState state, const QString& status) {
  m_mode = Mode::Stopped;
  m_stepsLeft = 0;
  m_slowTimer->stop();
  m_state = state;
  m_status = status;
  publish();
  // Queued, so that a deferred trace runs after the chunk that stopped here has returned. A
  // traced step is taken as steps of its own, so the next press waits for it in turn.
  if (m_deferredTraces.steps > 0) {
    --m_deferredTraces.steps;
    m_deferredTraces.preview = false;
    QMetaObject::invokeMethod(
        this, [this] { traceBackprop(true); }, Qt::QueuedConnection);
  } else if (std::exchange(m_deferredTraces.preview, false)) {
    QMetaObject::invokeMethod(
        this, [this] { traceBackprop(false); }, Qt::QueuedConnection);
  }
}

void TrainingWorker::restartAll(const QString& eventText) {
  m_rangeTest.reset();  // measured on weights that are gone
  // Old futures are futures of a past that starts over: they go (the window asks first),
  // unless nothing else is left (their run was removed).
  if (std::all_of(m_lanes.begin(), m_lanes.end(), [](const Lane& l) { return l.keptFuture; })) {
    m_lanes.front().keptFuture = false;
  }
  if (std::erase_if(m_lanes, [](const Lane& l) { return l.keptFuture; }) > 0) {
    if (!findLane(m_selected)) {
      m_selected = m_lanes.front().id;
      emitSelectedConfig({});
    }
    renameLanes();
  }
  std::vector<TrainingRun*> runs;
  for (Lane& lane : m_lanes) {
    lane.run->reset();
    runs.push_back(lane.run.get());
  }
  shareInitialWeights(runs);
  for (Lane& lane : m_lanes) {
    restartCheckpoints(lane);
    lane.diverged = lane.finished = false;
    lane.stopStatus.clear();
    lane.stopSummary.clear();
    lane.tracker.restart();
    lane.recentClips.clear();
    lane.clipBurst = false;
    beginSnapshot(lane, true);
    if (!eventText.isEmpty()) addEvent(lane, EventKind::Reset, eventText);
  }
  m_staticDirty = m_fieldDirty = m_signalDirty = true;
}

void TrainingWorker::reset() {
  if (m_lanes.empty()) return;
  publish();
  m_mode = Mode::Stopped;
  m_slowTimer->stop();
  m_state = RunState::Paused;
  m_status = QStringLiteral("reset: press Play");
  restartAll(QStringLiteral("reset"));
  publish();
}

void TrainingWorker::reinitialize() {
  if (m_lanes.empty()) return;
  dropFutures();
  std::vector<TrainingRun*> runs;
  for (Lane& lane : m_lanes) {
    lane.run->reinitialize();
    runs.push_back(lane.run.get());
  }
  // The comparison keeps starting from the same weights where the layers match.
  shareInitialWeights(runs);
  for (Lane& lane : m_lanes) {
    lane.checkpoints.recordReinitialize(*lane.run);
    // New weights: a diverged run may try again.
    lane.diverged = false;
    lane.tracker.clearDivergence();
    addEvent(
        lane, EventKind::SettingChanged,
        QStringLiteral("weights re-initialised (%1)")
            .arg(QString::fromUtf8(toString(lane.run->config().model.initializer.kind).data())));
  }
  if (m_state == RunState::Diverged || m_state == RunState::Finished) {
    m_state = RunState::Paused;
    m_status = QStringLiteral("re-initialised: press Play");
  }
  m_fieldDirty = m_signalDirty = true;
  if (m_mode == Mode::Stopped) publish();
}

void TrainingWorker::applyConfig(const ExperimentConfig& config) {
  applyRunConfig(m_selected, config);
}

void TrainingWorker::applyRunConfig(int id, const ExperimentConfig& config) {
  if (m_lanes.empty()) return;
  Lane* lane = findLane(id);
  if (!lane) {
    emit commandFailed(QStringLiteral("run"), QStringLiteral("there is no run %1").arg(id));
    return;
  }
  if (lane->keptFuture && !(config == lane->run->config())) {
    emit commandFailed(QStringLiteral("run"),
                       QStringLiteral("%1 is kept as it was: fork it to train it on with other "
                                      "settings")
                           .arg(lane->name));
    return;
  }
  // A change made at an earlier step starts another future for every run (they stay in
  // lockstep), the old ones kept as runs; one that changes nothing (the same configuration
  // sent again) keeps them.
  if (!(config == lane->run->config())) {
    keepFutures();
    lane = findLane(id);  // runs were added
  }
  TrainingRun& run = *lane->run;
  QStringList changes;
  bool restartComparison = false;
  try {
    const bool otherConventions =
        config.optimizer.conventions != run.config().optimizer.conventions;
    if (config.precision != run.config().precision || otherConventions) {
      // Another scalar type, or the other framework's conventions (whose optimiser state,
      // BatchNorm statistics and initial weights mean other things): a new run that starts
      // from the same seed and settings.
      publish();
      lane->run = TrainingRun::create(config);
      restartCheckpoints(*lane);
      changes << (otherConventions
                      ? QStringLiteral("conventions: %1 (run restarted)")
                            .arg(QString::fromUtf8(toString(config.optimizer.conventions).data()))
                      : QStringLiteral("precision: %1 (run restarted)")
                            .arg(QString::fromUtf8(toString(config.precision).data())));
      // In a comparison every run restarts with it, so that they stay in lockstep.
      restartComparison = m_lanes.size() > 1;
      if (!restartComparison) beginSnapshot(*lane, true);
    } else {
      const int layersBefore = run.denseLayerCount();
      const bool hadGivenData = run.givenData().has_value();
      for (const std::string& change : run.apply(config)) {
        changes << QString::fromStdString(change);
      }
      lane->checkpoints.setBudget(std::size_t(config.training.checkpointMemory) << 20);
      if (hadGivenData && !run.givenData()) {
        // Loaded data replaced by generated data: the steps before could not be replayed.
        restartCheckpoints(*lane);
      } else {
        lane->checkpoints.recordConfig(run);
      }
      if (run.denseLayerCount() != layersBefore) {
        // Another depth: per-layer series no longer line up, so the history starts over.
        publish();
        beginSnapshot(*lane, true);
      }
    }
  } catch (const Error& e) {
    emit commandFailed(QString::fromStdString(e.field()), QString::fromStdString(e.reason()));
    return;
  }
  if (restartComparison) restartAll(QStringLiteral("restarted: settings of %1").arg(lane->name));
  for (const QString& change : changes) addEvent(*lane, EventKind::SettingChanged, change);
  if (!changes.isEmpty() && lane->diverged) {
    lane->diverged = false;
    lane->tracker.clearDivergence();
  }
  if (m_state == RunState::Diverged && !changes.isEmpty()) {
    m_state = RunState::Paused;
    m_status = QStringLiteral("settings changed after divergence: press Play to try again");
  }
  if (!changes.isEmpty()) renameLanes();
  if (id == m_selected) {
    emitSelectedConfig(changes);
    if (!changes.isEmpty()) m_staticDirty = m_fieldDirty = true;
  }
  // While training the next chunk publishes; when paused, show the change at once.
  if (m_mode == Mode::Stopped) publish();
}

void TrainingWorker::setRuns(const QList<NamedConfig>& runs) {
  if (runs.isEmpty() || runs.size() > kMaxRuns) {
    emit commandFailed(
        QStringLiteral("runs"),
        QStringLiteral("a comparison has 1 to %1 runs, not %2").arg(kMaxRuns).arg(runs.size()));
    return;
  }
  std::vector<ExperimentConfig> configs;
  for (const NamedConfig& r : runs) configs.push_back(r.config);
  std::vector<std::unique_ptr<TrainingRun>> built;
  try {
    built = createLockstepRuns(configs);
  } catch (const Error& e) {
    // Name the run at fault: validate each on its own to find it.
    int bad = 0;
    for (std::size_t i = 0; i < configs.size(); ++i) {
      try {
        validate(configs[i]);
      } catch (const Error&) {
        bad = int(i);
        break;
      }
    }
    const QString who = runs[bad].name.isEmpty() ? QStringLiteral("run %1").arg(bad + 1)
                                                 : QStringLiteral("run '%1'").arg(runs[bad].name);
    emit commandFailed(QString::fromStdString(e.field()),
                       QStringLiteral("%1: %2").arg(who, QString::fromStdString(e.reason())));
    return;
  }
  publish();  // whatever the old runs measured since the last snapshot
  m_mode = Mode::Stopped;
  m_slowTimer->stop();
  m_lanes.clear();
  ++m_generation;
  for (std::size_t i = 0; i < built.size(); ++i) {
    Lane lane;
    lane.id = int(i);
    lane.name = runs[qsizetype(i)].name;
    lane.namedExplicitly = !lane.name.isEmpty();
    lane.colour = int(i);
    lane.run = std::move(built[i]);
    lane.tracker.setTargetLoss(m_targetLoss);
    restartCheckpoints(lane);
    m_lanes.push_back(std::move(lane));
  }
  m_nextId = int(m_lanes.size());
  m_selected = 0;
  // Runs meant to see the same data must see the same data.
  const std::uint64_t data = m_lanes.front().run->dataFingerprint();
  for (const Lane& lane : m_lanes) {
    const ExperimentConfig& a = lane.run->config();
    const ExperimentConfig& b = m_lanes.front().run->config();
    if (a.data == b.data && a.split == b.split && lane.run->dataFingerprint() != data) {
      qWarning("comparison: run %d has other data than run 0 from the same settings", lane.id);
    }
  }
  renameLanes();
  for (Lane& lane : m_lanes) beginSnapshot(lane, true);
  m_state = RunState::Paused;
  m_status = m_lanes.size() == 1 ? QStringLiteral("ready: press Play")
                                 : QStringLiteral("%1 runs ready: press Play").arg(m_lanes.size());
  m_staticDirty = m_fieldDirty = m_signalDirty = true;
  publish();
  emitSelectedConfig({});
}

void TrainingWorker::addRun(const NamedConfig& run) {
  if (int(m_lanes.size()) >= kMaxRuns) {
    emit commandFailed(QStringLiteral("runs"),
                       QStringLiteral("a comparison has at most %1 runs").arg(kMaxRuns));
    return;
  }
  QList<NamedConfig> runs;
  for (const Lane& lane : m_lanes) {
    runs.push_back(NamedConfig{lane.namedExplicitly ? lane.name : QString(), lane.run->config()});
  }
  runs.push_back(run);
  setRuns(runs);
}

void TrainingWorker::removeRun(int id) {
  const auto it =
      std::find_if(m_lanes.begin(), m_lanes.end(), [id](const Lane& l) { return l.id == id; });
  if (it == m_lanes.end() || m_lanes.size() == 1) {
    emit commandFailed(QStringLiteral("run"),
                       it == m_lanes.end() ? QStringLiteral("there is no run %1").arg(id)
                                           : QStringLiteral("the last run cannot be removed"));
    return;
  }
  publish();
  m_lanes.erase(it);
  renameLanes();
  if (findLane(m_selected) == nullptr) {
    m_selected = m_lanes.front().id;
    m_staticDirty = m_fieldDirty = true;
    emitSelectedConfig({});
  }
  const bool anyActive =
      std::any_of(m_lanes.begin(), m_lanes.end(), [](const Lane& l) { return l.active(); });
  if (m_mode != Mode::Stopped && !anyActive) {
    stopTraining(RunState::Finished, QStringLiteral("stopped: every run has finished"));
    return;
  }
  if (m_mode == Mode::Stopped) publish();
}

void TrainingWorker::selectRun(int id) {
  if (!findLane(id)) {
    emit commandFailed(QStringLiteral("run"), QStringLiteral("there is no run %1").arg(id));
    return;
  }
  if (id != m_selected) {
    m_selected = id;
    m_staticDirty = m_fieldDirty = true;
  }
  emitSelectedConfig({});
  if (m_mode == Mode::Stopped) publish();
}

std::unique_ptr<TrainingRun> TrainingWorker::runAt(const Lane& lane, std::int64_t step) {
  const auto& given = lane.run->givenData();
  const ExperimentConfig& config = lane.run->config();
  auto run = given ? TrainingRun::create(config, *given) : TrainingRun::create(config);
  run->setDataFile(lane.run->dataFile());
  lane.checkpoints.reach(*run, step);
  return run;
}

void TrainingWorker::goToStep(qint64 step) {
  if (m_lanes.empty()) return;
  if (m_mode != Mode::Stopped) {
    m_mode = Mode::Stopped;
    m_stepsLeft = 0;
    m_slowTimer->stop();
  }
  publish();            // the steps trained so far reach the history first
  m_rangeTest.reset();  // measured on weights that are no longer the run's
  const std::int64_t latest =
      std::max_element(m_lanes.begin(), m_lanes.end(), [](const Lane& a, const Lane& b) {
        return a.checkpoints.lastStep() < b.checkpoints.lastStep();
      })->checkpoints.lastStep();
  for (Lane& lane : m_lanes) {
    // A run that stopped earlier (it diverged) stays at its last step.
    const std::int64_t target =
        std::clamp<std::int64_t>(step, lane.checkpoints.firstStep(), lane.checkpoints.lastStep());
    try {
      lane.checkpoints.reach(*lane.run, target);
    } catch (const Error& e) {
      // Cannot happen within the clamp; said rather than hidden.
      emit commandFailed(QString::fromStdString(e.field()), QString::fromStdString(e.reason()));
    }
    lane.diverged = false;
    lane.finished = lane.run->stopReason() != StopReason::None;
    lane.tracker.setFinished(lane.finished);
    beginSnapshot(lane, false);
  }
  m_state = RunState::Paused;
  m_status = selectedLane().run->stepCount() < latest
                 ? QStringLiteral("at step %1 of %2: Play trains on from here")
                       .arg(selectedLane().run->stepCount())
                       .arg(latest)
                 : QStringLiteral("paused at step %1").arg(selectedLane().run->stepCount());
  m_staticDirty = m_fieldDirty = true;
  publish();
  emitSelectedConfig({});
}

void TrainingWorker::forkRun(int id, qint64 step, const ExperimentConfig& config) {
  Lane* source = findLane(id);
  if (!source) {
    emit commandFailed(QStringLiteral("run"), QStringLiteral("there is no run %1").arg(id));
    return;
  }
  if (int(m_lanes.size()) >= kMaxRuns) {
    emit commandFailed(QStringLiteral("runs"),
                       QStringLiteral("a comparison has at most %1 runs").arg(kMaxRuns));
    return;
  }
  if (step < source->checkpoints.firstStep() || step > source->checkpoints.lastStep()) {
    emit commandFailed(QStringLiteral("step"),
                       QStringLiteral("fork at a step in [%1, %2], the steps %3 can go back to")
                           .arg(source->checkpoints.firstStep())
                           .arg(source->checkpoints.lastStep())
                           .arg(source->name));
    return;
  }
  // Built and checked before anything changes: the source's run as it was at `step`.
  std::unique_ptr<TrainingRun> run;
  QStringList changes;
  try {
    validate(config);
    run = runAt(*source, step);
    if (config.precision != run->config().precision) {
      throw Error("training.precision", "a fork keeps its parent's precision");
    }
    for (const std::string& change : run->apply(config)) {
      changes << QString::fromStdString(change);
    }
  } catch (const Error& e) {
    emit commandFailed(QString::fromStdString(e.field()), QString::fromStdString(e.reason()));
    return;
  }
  goToStep(step);
  dropFutures();
  Lane lane;
  lane.id = m_nextId++;
  lane.colour = freeColour();
  lane.forkParent = id;
  lane.forkStep = step;
  lane.name = forkName(findLane(id)->run->config(), run->config(), step);
  lane.namedExplicitly = true;
  lane.run = std::move(run);
  lane.tracker.setTargetLoss(m_targetLoss);
  restartCheckpoints(lane);  // its past before `step` is its parent's
  m_lanes.push_back(std::move(lane));
  Lane& fork = m_lanes.back();
  beginSnapshot(fork, true);
  addEvent(fork, EventKind::SettingChanged,
           QStringLiteral("forked from %1 at step %2").arg(findLane(id)->name).arg(step));
  for (const QString& change : changes) addEvent(fork, EventKind::SettingChanged, change);
  renameLanes();
  m_status = QStringLiteral("%1: press Play to train both from step %2").arg(fork.name).arg(step);
  m_staticDirty = m_fieldDirty = true;
  publish();
  emitSelectedConfig({});
}

void TrainingWorker::setTargetLoss(double loss) {
  if (!(loss > 0.0) || !std::isfinite(loss)) {
    emit commandFailed(QStringLiteral("target_loss"), QStringLiteral("must be a positive number"));
    return;
  }
  m_targetLoss = loss;
  for (Lane& lane : m_lanes) lane.tracker.setTargetLoss(loss);
  if (m_mode == Mode::Stopped) publish();
}

void TrainingWorker::renameLanes() {
  std::vector<ExperimentConfig> configs;
  for (const Lane& lane : m_lanes) configs.push_back(lane.run->config());
  const RunNames names = nameRunsByDifference(configs);
  for (std::size_t i = 0; i < m_lanes.size(); ++i) {
    if (!m_lanes[i].namedExplicitly) m_lanes[i].name = names.names[qsizetype(i)];
  }
  m_differing = names.title;
  m_comparesOptimizers = names.keys.contains(QStringLiteral("optimizer.type"));
}

void TrainingWorker::setSpeed(double stepsPerSecond) {
  m_speed = std::max(0.0, stepsPerSecond);
  m_stepBudget = 0.0;
  m_lastTick = m_clock();
  if (m_mode != Mode::Stopped) {
    m_slowTimer->stop();
    scheduleChunk();
  }
}

void TrainingWorker::runLrRangeTest(const LrRangeTestSettings& settings) {
  if (m_lanes.empty()) return;
  try {
    m_rangeTest = selectedLane().run->startLrRangeTest(settings);
    m_rangeTestRun = m_selected;
    m_rangeTestGeneration = m_generation;
  } catch (const Error& e) {
    m_rangeTest.reset();
    emit commandFailed(QString::fromStdString(e.field()), QString::fromStdString(e.reason()));
    return;
  }
  QMetaObject::invokeMethod(this, &TrainingWorker::rangeTestChunk, Qt::QueuedConnection);
}

void TrainingWorker::traceBackprop(bool takeStep) {
  if (m_lanes.empty()) return;
  Lane& lane = selectedLane();
  auto snapshot = std::make_shared<BackpropSnapshot>();
  snapshot->run = lane.id;
  if (m_lanes.size() > 1) snapshot->runName = lane.name;
  if (m_mode == Mode::Running && takeStep) pause();
  // Steps asked for before (a traced step whose chunk has not run yet, or the rest of an
  // epoch: thousands of steps of a deep network on Fashion-MNIST) come first, so that this
  // trace is of the step after them. It waits for them rather than taking them here, so that
  // Pause, and every other command, is heard meanwhile.
  if (m_mode == Mode::Steps) {
    if (takeStep) {
      ++m_deferredTraces.steps;
    } else {
      m_deferredTraces.preview = true;
    }
    return;
  }
  if (auto refusal = lane.run->backpropRefusal()) {
    snapshot->refusal = QString::fromStdString(*refusal);
  } else if (lane.diverged) {
    snapshot->refusal = QStringLiteral("The run diverged: reset it, or lower the learning rate.");
  } else {
    try {
      snapshot->trace = std::make_shared<const BackpropTrace>(lane.run->traceNextStep());
      snapshot->stepTaken = takeStep;
    } catch (const Error& e) {
      snapshot->refusal = QString::fromStdString(e.reason());
    }
  }
  emit backpropTraced(snapshot);
  if (snapshot->stepTaken) stepBatch();
}

void TrainingWorker::prepareLossSurface(int requestId, qint64 maxSamples) {
  auto input = std::make_shared<LossSurfaceInput>();
  if (m_lanes.empty()) {
    input->error = QStringLiteral("loss_surface: no run to measure");
  } else {
    const Lane& lane = selectedLane();
    try {
      input->loss = lane.run->weightSpaceLoss(core::Index(maxSamples));
      input->history = lane.run->weightHistory();
      input->step = lane.run->stepCount();
      input->runName = lane.name;
    } catch (const Error& e) {
      input->loss.reset();
      input->error = QString::fromStdString(e.field() + ": " + e.reason());
    } catch (const std::bad_alloc&) {
      input->loss.reset();
      input->error = QStringLiteral("loss_surface: not enough memory to copy the network");
    }
  }
  emit lossSurfaceInputReady(requestId, input);
}

void TrainingWorker::rangeTestChunk() {
  if (!m_rangeTest) return;
  if (m_rangeTestGeneration != m_generation || !findLane(m_rangeTestRun)) {
    m_rangeTest.reset();  // its run is gone
    return;
  }
  QElapsedTimer chunk;
  chunk.start();
  bool done = false;
  while (!done && chunk.elapsed() < kChunkMilliseconds) done = m_rangeTest->advance(1);
  if (!done) {
    // Queued behind whatever arrived meanwhile: commands and training chunks go first.
    QMetaObject::invokeMethod(this, &TrainingWorker::rangeTestChunk, Qt::QueuedConnection);
    return;
  }
  const LrRangeTestResult result = m_rangeTest->result();
  m_rangeTest.reset();
  emit lrRangeTestFinished(result);
}

void TrainingWorker::scheduleChunk() {
  if (m_mode == Mode::Stopped) return;
  if (m_speed > 0.0) {
    // Slow motion: one tick per step at low rates, ~60 ticks a second at higher ones.
    const int interval = int(std::clamp(1000.0 / m_speed, 16.0, 1000.0));
    m_slowTimer->start(interval);
    return;
  }
  if (!m_chunkQueued) {
    m_chunkQueued = true;
    QMetaObject::invokeMethod(this, &TrainingWorker::trainChunk, Qt::QueuedConnection);
  }
}

void TrainingWorker::trainChunk() {
  m_chunkQueued = false;
  if (m_mode == Mode::Stopped) return;
  std::int64_t allowed = std::numeric_limits<std::int64_t>::max();
  if (m_speed > 0.0) {
    const qint64 now = m_clock();
    m_stepBudget += m_speed * double(now - m_lastTick) / 1000.0;
    m_lastTick = now;
    allowed = std::int64_t(std::floor(m_stepBudget));
    m_stepBudget -= double(allowed);
    if (allowed == 0 && m_speed < 1.0) allowed = 0;
  }
  QElapsedTimer chunk;
  chunk.start();
  bool keepGoing = true;
  for (std::int64_t done = 0; done < allowed && keepGoing; ++done) {
    keepGoing = trainOneStep();
    if (m_speed == 0.0 && chunk.elapsed() >= kChunkMilliseconds) break;
  }
  if (m_rateClock.elapsed() >= 500) {
    m_stepsPerSecond = double(m_rateSteps) * 1000.0 / double(m_rateClock.restart());
    m_rateSteps = 0;
  }
  if (m_mode == Mode::Stopped) return;  // stopTraining() published already
  if (m_sincePublish.elapsed() >= kPublishMilliseconds) publish();
  scheduleChunk();
}

bool TrainingWorker::trainOneStep() {
  // Lockstep: one step of every run still training.
  for (Lane& lane : m_lanes) {
    if (lane.active()) stepLane(lane);
  }
  ++m_rateSteps;
  const bool anyActive =
      std::any_of(m_lanes.begin(), m_lanes.end(), [](const Lane& l) { return l.active(); });
  if (!anyActive) {
    const bool allDiverged =
        std::all_of(m_lanes.begin(), m_lanes.end(), [](const Lane& l) { return l.diverged; });
    QString status;
    if (m_lanes.size() == 1) {
      status = m_lanes.front().stopStatus;
    } else if (allDiverged) {
      status = QStringLiteral("paused: every run diverged");
    } else {
      status = QStringLiteral("stopped: every run has finished or diverged");
    }
    stopTraining(allDiverged ? RunState::Diverged : RunState::Finished, status);
    return false;
  }
  if (m_mode == Mode::Steps && --m_stepsLeft <= 0) {
    stopTraining(RunState::Paused,
                 QStringLiteral("paused at step %1").arg(selectedLane().run->stepCount()));
    return false;
  }
  return true;
}

void TrainingWorker::stepLane(Lane& lane) {
  const auto started = std::chrono::steady_clock::now();
  const StepProbe& probe = lane.run->step();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (!probe.record.finite) {
    const QString where =
        probe.nonFinite ? QString::fromStdString(probe.nonFinite->message) : QString();
    lane.diverged = true;
    lane.tracker.markDiverged(probe.record.step, seconds);
    addEvent(lane, EventKind::Diverged, QStringLiteral("diverged"));
    lane.stopStatus =
        QStringLiteral("paused: diverged at step %1 — %2").arg(probe.record.step).arg(where);
    if (m_lanes.size() > 1) {
      m_status = QStringLiteral("training — %1 diverged at step %2; the other runs go on")
                     .arg(lane.name)
                     .arg(probe.record.step);
    }
    return;
  }
  lane.tracker.addStep(probe.record.step, probe.record.loss.total(), seconds);
  lane.checkpoints.afterStep(*lane.run);
  record(lane, probe);
  if (m_sharpnessShown) estimateSharpness(lane, probe.record.step);
  if (lane.run->stopReason() != StopReason::None) {
    const bool early = lane.run->stopReason() == StopReason::EarlyStopping;
    const QString message = QString::fromStdString(lane.run->stopMessage());
    addEvent(lane, early ? EventKind::EarlyStop : EventKind::Finished, message);
    lane.finished = true;
    lane.tracker.setFinished(true);
    lane.stopStatus = QStringLiteral("stopped: %1").arg(message);
    lane.stopSummary = QString::fromStdString(lane.run->stopSummary());
  }
}

void TrainingWorker::estimateSharpness(Lane& lane, std::int64_t step) {
  const auto now = [] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
  };
  lane.sharpness.setEvery(m_sharpnessEvery);
  const double started = now();
  if (!lane.sharpness.due(step, started)) return;
  const std::optional<SharpnessMeasurement> m = lane.run->measureSharpness();
  lane.sharpness.spent(started, now());
  if (!m) return;
  lane.pending->sharpness.push_back(
      {step, m->lambdaMax, m->threshold, m->preconditioned, QString::fromStdString(m->formula)});
}

void TrainingWorker::setSharpnessEstimation(bool shown, int everySteps) {
  m_sharpnessShown = shown;
  m_sharpnessEvery = std::max(1, everySteps);
}

void TrainingWorker::record(Lane& lane, const StepProbe& probe) {
  Snapshot& s = *lane.pending;
  const StepRecord& r = probe.record;
  if (s.steps.empty()) s.firstStep = r.step;
  s.steps.push_back(r.step);
  auto put = [&](StepMetric m, double v) { s.stepValues[std::size_t(m)].push_back(v); };
  const double nan = std::numeric_limits<double>::quiet_NaN();
  put(StepMetric::Loss, r.loss.total());
  put(StepMetric::DataLoss, r.loss.data);
  put(StepMetric::Accuracy, r.accuracy);
  put(StepMetric::LearningRate, r.learningRate);
  put(StepMetric::Momentum, r.momentum ? *r.momentum : nan);
  put(StepMetric::GradientNormBefore, r.clip.normBefore);
  put(StepMetric::GradientNormAfter, r.clip.normAfter);
  put(StepMetric::Clipped, r.clip.clipped ? 1.0 : 0.0);
  put(StepMetric::ClipDirectionCosine, r.clip.directionCosine);

  // Per-layer values, step-major; a probe with another layer count (cannot happen within
  // one snapshot, see applyConfig) would be padded with NaN.
  for (int l = 0; l < s.layerCount; ++l) {
    const LayerProbe* p =
        std::size_t(l) < probe.layers.size() ? &probe.layers[std::size_t(l)] : nullptr;
    auto putLayer = [&](LayerMetric m, double v) {
      s.layerValues[std::size_t(m)].push_back(p ? float(v) : std::nanf(""));
    };
    putLayer(LayerMetric::GradientNorm, p ? p->gradientNorm : nan);
    putLayer(LayerMetric::ActivationMean, p ? p->activationMean : nan);
    putLayer(LayerMetric::ActivationStd, p ? p->activationStd : nan);
    putLayer(LayerMetric::PreActivationMean, p ? p->preActivationMean : nan);
    putLayer(LayerMetric::PreActivationStd, p ? p->preActivationStd : nan);
    putLayer(LayerMetric::Saturated, p ? p->saturated : nan);
    putLayer(LayerMetric::Inactive, p ? p->inactive : nan);
    putLayer(LayerMetric::DeadUnits, p ? p->deadUnits : nan);
    putLayer(LayerMetric::DeadUnitsEpoch, p ? p->deadUnitsEpoch : nan);
    putLayer(LayerMetric::WeightNorm, p ? p->weightNorm : nan);
    putLayer(LayerMetric::UpdateRatio, p ? p->updateRatio : nan);
    putLayer(LayerMetric::OptimizerState, p ? p->optimizerState : nan);
    if (p && p->histograms) s.histograms.push_back(HistogramSample{r.step, l, *p->histograms});
  }
  s.batchNorms = probe.batchNorms;

  // A burst of clipping: at least half of the last steps clipped.
  lane.recentClips.push_back(r.clip.clipped);
  if (lane.recentClips.size() > std::size_t(kClipWindow)) lane.recentClips.pop_front();
  const auto clipped = std::count(lane.recentClips.begin(), lane.recentClips.end(), true);
  if (!lane.clipBurst && lane.recentClips.size() == std::size_t(kClipWindow) &&
      clipped >= kClipWindow / 2) {
    lane.clipBurst = true;
    addEvent(lane, EventKind::ClippingBurst,
             QStringLiteral("clipping: %1 of the last %2 steps").arg(clipped).arg(kClipWindow));
  } else if (lane.clipBurst && clipped < kClipWindow / 4) {
    lane.clipBurst = false;
  }

  if (r.epochEnd) {
    const auto& last = lane.run->lastEpoch();
    if (last) {
      EpochSample e;
      e.epoch = last->epoch;
      e.lastStep = last->lastStep;
      e.loss = last->loss;
      e.accuracy = last->accuracy;
      if (last->validation) {
        e.valLoss = last->validation->loss;
        e.valAccuracy = last->validation->accuracy;
      }
      e.learningRate = last->learningRate;
      e.learningRateReduced = last->learningRateReduced;
      e.improved = last->improved;
      s.epochs.push_back(e);
      lane.tracker.addEpoch(e.epoch, e.loss, e.valLoss);
      if (e.learningRateReduced) {
        s.learningRatePlan = lane.run->learningRatePlan(kPlanPoints);
        addEvent(lane, EventKind::LearningRateReduced,
                 QStringLiteral("plateau: learning rate -> %1").arg(e.learningRate, 0, 'g', 3));
      }
    }
  }
}

}  // namespace gradscope::app
