#include "training_worker.h"

#include "app/thread_handoff.h"

#include <cmath>

namespace gradscope::app {

using namespace gradscope::core;

namespace {
constexpr int kClipWindow = 20;  // steps in the "burst of clipping" window
}

TrainingWorker::TrainingWorker(const ExperimentConfig& config, QObject* parent)
    : QObject(parent), m_initialConfig(config) {}

TrainingWorker::~TrainingWorker() = default;

void TrainingWorker::initialize() {
  handoffAcquire(Handoff::ToWorker);
  m_slowTimer = new QTimer(this);
  m_slowTimer->setSingleShot(true);
  m_slowTimer->setTimerType(Qt::PreciseTimer);
  connect(m_slowTimer, &QTimer::timeout, this, &TrainingWorker::trainChunk);
  try {
    m_runs.push_back(TrainingRun::create(m_initialConfig));
    m_state = RunState::Paused;
    m_status = QStringLiteral("ready: press Play");
  } catch (const Error& e) {
    // Fall back to the defaults so that the application stays usable.
    handoffRelease(Handoff::ToGui);
    emit commandFailed(QString::fromStdString(e.field()), QString::fromStdString(e.reason()));
    m_initialConfig = ExperimentConfig{};
    m_runs.push_back(TrainingRun::create(m_initialConfig));
    m_state = RunState::Paused;
    m_status = QStringLiteral("ready (defaults)");
  }
  m_sincePublish.start();
  m_sinceField.start();
  m_rateClock.start();
  beginSnapshot(true);
  publish();
  handoffRelease(Handoff::ToGui);
  emit configApplied(m_runs[0]->config(), {});
}

void TrainingWorker::beginSnapshot(bool reset) {
  m_pending = std::make_unique<Snapshot>();
  m_pending->run = 0;
  m_pending->layerCount = m_runs.empty() ? 0 : m_runs[0]->denseLayerCount();
  m_pending->firstStep = m_runs.empty() ? 0 : m_runs[0]->stepCount();
  m_pending->reset = reset;
  for (auto& values : m_pending->layerValues) values.clear();
}

void TrainingWorker::attachStatic() {
  m_pending->dataPoints = m_runs[0]->dataPoints();
  m_pending->learningRatePlan = m_runs[0]->learningRatePlan(kPlanPoints);
  m_staticDirty = false;
}

void TrainingWorker::attachField() {
  m_pending->decisionField = m_runs[0]->decisionField(kFieldResolution);
  m_sinceField.restart();
  m_fieldDirty = false;
}

void TrainingWorker::publish() {
  if (!m_pending || m_runs.empty()) return;
  TrainingRun& run = *m_runs[0];
  // Coalesced: many changes between two snapshots cost one refresh.
  if (m_staticDirty) attachStatic();
  // The decision boundary follows training a few times a second, and after every pause.
  if (m_fieldDirty || (!m_pending->steps.empty() &&
                       (m_mode == Mode::Stopped || m_sinceField.elapsed() >= kFieldMilliseconds))) {
    attachField();
  }
  m_pending->state = m_state;
  m_pending->status = m_status;
  m_pending->currentStep = run.stepCount();
  m_pending->currentEpoch = run.epoch();
  m_pending->stepsPerSecond = m_stepsPerSecond;
  const SnapshotPtr snapshot(std::move(m_pending));
  handoffRelease(Handoff::ToGui);
  emit snapshotReady(snapshot);
  m_sincePublish.restart();
  beginSnapshot(false);
}

void TrainingWorker::addEvent(EventKind kind, const QString& text) {
  const std::int64_t step = m_runs.empty() ? 0 : m_runs[0]->stepCount();
  m_pending->events.push_back(Event{step, kind, text});
}

void TrainingWorker::start() {
  handoffAcquire(Handoff::ToWorker);
  startTraining(Mode::Running, 0);
}

void TrainingWorker::stepBatch() {
  handoffAcquire(Handoff::ToWorker);
  startTraining(Mode::Steps, 1);
}

void TrainingWorker::stepEpoch() {
  handoffAcquire(Handoff::ToWorker);
  if (m_runs.empty()) return;
  // The rest of the current epoch (a whole epoch at an epoch boundary).
  TrainingRun& run = *m_runs[0];
  const std::int64_t perEpoch = run.stepsPerEpoch();
  const std::int64_t intoEpoch = run.stepCount() % std::max<std::int64_t>(1, perEpoch);
  startTraining(Mode::Steps, perEpoch - intoEpoch);
}

void TrainingWorker::startTraining(Mode mode, std::int64_t steps) {
  if (m_runs.empty()) return;
  if (m_state == RunState::Diverged) {
    // Training on from a diverged state would diverge again at once: reset or change first.
    m_status = QStringLiteral("diverged: reset, or lower the learning rate, before continuing");
    publish();
    return;
  }
  // Pressing "step" again before the last one ran adds to it rather than replacing it.
  m_stepsLeft = (mode == Mode::Steps && m_mode == Mode::Steps) ? m_stepsLeft + steps : steps;
  m_mode = mode;
  m_state = RunState::Running;
  m_status = QStringLiteral("training");
  m_stepBudget = 0.0;
  m_sinceTick.start();
  m_rateClock.restart();
  m_rateSteps = 0;
  scheduleChunk();
}

void TrainingWorker::pause() {
  handoffAcquire(Handoff::ToWorker);
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
}

void TrainingWorker::reset() {
  handoffAcquire(Handoff::ToWorker);
  if (m_runs.empty()) return;
  publish();
  m_runs[0]->reset();
  m_mode = Mode::Stopped;
  m_slowTimer->stop();
  m_state = RunState::Paused;
  m_status = QStringLiteral("reset: press Play");
  m_recentClips.clear();
  m_clipBurst = false;
  beginSnapshot(true);
  addEvent(EventKind::Reset, QStringLiteral("reset"));
  m_staticDirty = m_fieldDirty = true;
  publish();
}

void TrainingWorker::reinitialize() {
  handoffAcquire(Handoff::ToWorker);
  if (m_runs.empty()) return;
  m_runs[0]->reinitialize();
  if (m_state == RunState::Diverged || m_state == RunState::Finished) {
    m_state = RunState::Paused;
    m_status = QStringLiteral("re-initialised: press Play");
  }
  addEvent(
      EventKind::SettingChanged,
      QStringLiteral("weights re-initialised (%1)")
          .arg(QString::fromUtf8(toString(m_runs[0]->config().model.initializer.kind).data())));
  m_fieldDirty = true;
  if (m_mode == Mode::Stopped) publish();
}

void TrainingWorker::applyConfig(const ExperimentConfig& config) {
  handoffAcquire(Handoff::ToWorker);
  if (m_runs.empty()) return;
  TrainingRun& run = *m_runs[0];
  QStringList changes;
  try {
    if (config.precision != run.config().precision) {
      // Another scalar type: a new run that continues from the same seed and settings.
      publish();
      m_runs[0] = TrainingRun::create(config);
      changes << QStringLiteral("precision: %1 (run restarted)")
                     .arg(QString::fromUtf8(toString(config.precision).data()));
      beginSnapshot(true);
    } else {
      const int layersBefore = run.denseLayerCount();
      for (const std::string& change : run.apply(config)) {
        changes << QString::fromStdString(change);
      }
      if (run.denseLayerCount() != layersBefore) {
        // Another depth: per-layer series no longer line up, so the history starts over.
        publish();
        beginSnapshot(true);
      }
    }
  } catch (const Error& e) {
    handoffRelease(Handoff::ToGui);
    emit commandFailed(QString::fromStdString(e.field()), QString::fromStdString(e.reason()));
    return;
  }
  for (const QString& change : changes) addEvent(EventKind::SettingChanged, change);
  if (m_state == RunState::Diverged && !changes.isEmpty()) {
    m_state = RunState::Paused;
    m_status = QStringLiteral("settings changed after divergence: press Play to try again");
  }
  handoffRelease(Handoff::ToGui);
  emit configApplied(m_runs[0]->config(), changes);
  if (!changes.isEmpty()) m_staticDirty = m_fieldDirty = true;
  // While training the next chunk publishes; when paused, show the change at once.
  if (m_mode == Mode::Stopped) publish();
}

void TrainingWorker::setSpeed(double stepsPerSecond) {
  handoffAcquire(Handoff::ToWorker);
  m_speed = std::max(0.0, stepsPerSecond);
  m_stepBudget = 0.0;
  m_sinceTick.restart();
  if (m_mode != Mode::Stopped) {
    m_slowTimer->stop();
    scheduleChunk();
  }
}

void TrainingWorker::runLrRangeTest(const LrRangeTestSettings& settings) {
  handoffAcquire(Handoff::ToWorker);
  if (m_runs.empty()) return;
  try {
    const LrRangeTestResult result = m_runs[0]->lrRangeTest(settings);
    handoffRelease(Handoff::ToGui);
    emit lrRangeTestFinished(result);
  } catch (const Error& e) {
    handoffRelease(Handoff::ToGui);
    emit commandFailed(QString::fromStdString(e.field()), QString::fromStdString(e.reason()));
  }
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
    m_stepBudget += m_speed * double(m_sinceTick.restart()) / 1000.0;
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
  TrainingRun& run = *m_runs[0];
  const StepProbe& probe = run.step();
  ++m_rateSteps;
  if (!probe.record.finite) {
    const QString where =
        probe.nonFinite ? QString::fromStdString(probe.nonFinite->message) : QString();
    addEvent(EventKind::Diverged, QStringLiteral("diverged"));
    stopTraining(
        RunState::Diverged,
        QStringLiteral("paused: diverged at step %1 — %2").arg(probe.record.step).arg(where));
    return false;
  }
  record(probe);
  if (run.stopReason() != StopReason::None) {
    const bool early = run.stopReason() == StopReason::EarlyStopping;
    const QString message = QString::fromStdString(run.stopMessage());
    addEvent(early ? EventKind::EarlyStop : EventKind::Finished, message);
    stopTraining(RunState::Finished, QStringLiteral("stopped: %1").arg(message));
    return false;
  }
  if (m_mode == Mode::Steps && --m_stepsLeft <= 0) {
    stopTraining(RunState::Paused, QStringLiteral("paused at step %1").arg(run.stepCount()));
    return false;
  }
  return true;
}

void TrainingWorker::record(const StepProbe& probe) {
  Snapshot& s = *m_pending;
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
  m_recentClips.push_back(r.clip.clipped);
  if (m_recentClips.size() > std::size_t(kClipWindow)) m_recentClips.pop_front();
  const auto clipped = std::count(m_recentClips.begin(), m_recentClips.end(), true);
  if (!m_clipBurst && m_recentClips.size() == std::size_t(kClipWindow) &&
      clipped >= kClipWindow / 2) {
    m_clipBurst = true;
    addEvent(EventKind::ClippingBurst,
             QStringLiteral("clipping: %1 of the last %2 steps").arg(clipped).arg(kClipWindow));
  } else if (m_clipBurst && clipped < kClipWindow / 4) {
    m_clipBurst = false;
  }

  if (r.epochEnd) {
    const auto& last = m_runs[0]->lastEpoch();
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
      if (e.learningRateReduced) {
        s.learningRatePlan = m_runs[0]->learningRatePlan(kPlanPoints);
        addEvent(EventKind::LearningRateReduced,
                 QStringLiteral("plateau: learning rate -> %1").arg(e.learningRate, 0, 'g', 3));
      }
    }
  }
}

}  // namespace gradscope::app
