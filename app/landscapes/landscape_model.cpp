#include "app/landscapes/landscape_model.h"

#include <QTimer>

#include <algorithm>
#include <cmath>

#include "core/model/types.h"

namespace gradscope::app {

LandscapeModel::LandscapeModel(QObject* parent) : QObject(parent), m_timer(new QTimer(this)) {
  m_timer->setInterval(kTickMilliseconds);
  connect(m_timer, &QTimer::timeout, this, &LandscapeModel::advance);
  apply(m_state.race);
  // The first picture shows the whole race; a click on the map starts a new one from step 0.
  m_state.cursor = lastStep();
}

LandscapeModel::~LandscapeModel() = default;

const core::Trajectory* LandscapeModel::trajectory(core::OptimizerKind kind) const {
  for (const core::Trajectory& t : m_trajectories) {
    if (t.kind == kind) return &t;
  }
  return nullptr;
}

void LandscapeModel::apply(const core::RaceSettings& race) {
  core::validate(race);
  if (!m_landscape || race.landscape != m_state.race.landscape) {
    m_landscape = core::makeLandscape(race.landscape);
    m_surfaceValid = false;
  }
  m_trajectories = core::runRace(*m_landscape, race);
  m_state.race = race;
}

bool LandscapeModel::tryApply(const core::RaceSettings& race) {
  try {
    apply(race);
  } catch (const core::Error& e) {
    emit invalidSetting(QString::fromStdString(e.field()), QString::fromStdString(e.reason()));
    return false;
  }
  emit changed();
  setCursor(std::min(m_state.cursor, lastStep()));
  return true;
}

void LandscapeModel::setState(const LandscapeState& state) {
  if (state.cursor < 0 || state.cursor > state.race.steps) {
    throw core::Error("landscape.cursor", "must lie in [0, steps]");
  }
  if (!(state.speed >= 1.0 && state.speed <= 1e5)) {
    throw core::Error("landscape.speed", "must lie in [1, 100000] steps per second");
  }
  apply(state.race);  // throws before anything changed
  pause();
  m_state.speed = state.speed;
  emit changed();
  setCursor(state.cursor);
}

bool LandscapeModel::setRace(const core::RaceSettings& race) { return tryApply(race); }

bool LandscapeModel::setLandscapeKind(core::LandscapeKind kind) {
  core::RaceSettings race = m_state.race;
  race.landscape.kind = kind;
  const auto landscape = core::makeLandscape(race.landscape);
  race.start = landscape->defaultStart();
  race.learningRates = core::suggestedLearningRates(kind);
  if (!tryApply(race)) return false;
  setCursor(0);
  return true;
}

bool LandscapeModel::setConditionNumber(double kappa) {
  core::RaceSettings race = m_state.race;
  race.landscape.conditionNumber = kappa;
  return tryApply(race);
}

bool LandscapeModel::setRotationDegrees(double degrees) {
  core::RaceSettings race = m_state.race;
  race.landscape.rotationDegrees = degrees;
  return tryApply(race);
}

bool LandscapeModel::setStart(const core::Point2& start) {
  core::RaceSettings race = m_state.race;
  race.start = start;
  if (!tryApply(race)) return false;
  setCursor(0);
  play();
  return true;
}

bool LandscapeModel::isOptimizerEnabled(core::OptimizerKind kind) const {
  const auto& racers = m_state.race.optimizers;
  return std::find(racers.begin(), racers.end(), kind) != racers.end();
}

bool LandscapeModel::setOptimizerEnabled(core::OptimizerKind kind, bool enabled) {
  if (isOptimizerEnabled(kind) == enabled) return true;
  core::RaceSettings race = m_state.race;
  auto& racers = race.optimizers;
  if (enabled) {
    racers.push_back(kind);
    // The lecture's order, whatever order they were ticked in (stable colours and legend).
    std::sort(racers.begin(), racers.end(), [](core::OptimizerKind a, core::OptimizerKind b) {
      return core::optimizerIndex(a) < core::optimizerIndex(b);
    });
  } else {
    racers.erase(std::remove(racers.begin(), racers.end(), kind), racers.end());
  }
  return tryApply(race);
}

bool LandscapeModel::setLearningRate(core::OptimizerKind kind, double rate) {
  core::RaceSettings race = m_state.race;
  race.setLearningRate(kind, rate);
  return tryApply(race);
}

bool LandscapeModel::applySuggestedLearningRates() {
  core::RaceSettings race = m_state.race;
  race.learningRates = core::suggestedLearningRates(race.landscape.kind);
  return tryApply(race);
}

bool LandscapeModel::setMomentum(double momentum) {
  core::RaceSettings race = m_state.race;
  race.momentum = momentum;
  return tryApply(race);
}

bool LandscapeModel::setRho(double rho) {
  core::RaceSettings race = m_state.race;
  race.rho = rho;
  return tryApply(race);
}

bool LandscapeModel::setBeta1(double beta1) {
  core::RaceSettings race = m_state.race;
  race.beta1 = beta1;
  return tryApply(race);
}

bool LandscapeModel::setBeta2(double beta2) {
  core::RaceSettings race = m_state.race;
  race.beta2 = beta2;
  return tryApply(race);
}

bool LandscapeModel::setEpsilon(double epsilon) {
  core::RaceSettings race = m_state.race;
  race.epsilon = epsilon;
  return tryApply(race);
}

bool LandscapeModel::setClip(const core::ClipSettings& clip) {
  core::RaceSettings race = m_state.race;
  race.clip = clip;
  return tryApply(race);
}

bool LandscapeModel::setSchedule(const core::ScheduleSettings& schedule) {
  core::RaceSettings race = m_state.race;
  race.schedule = schedule;
  return tryApply(race);
}

bool LandscapeModel::setSteps(int steps) {
  core::RaceSettings race = m_state.race;
  race.steps = steps;
  return tryApply(race);
}

const core::SurfaceMap& LandscapeModel::surfaceMap(int columns, int rows) {
  if (!m_surfaceValid || m_surface.grid.columns != columns || m_surface.grid.rows != rows) {
    m_surface = core::mapSurface(*m_landscape, m_landscape->viewRect(), columns, rows);
    m_surfaceValid = true;
  }
  return m_surface;
}

void LandscapeModel::setCursor(int step) {
  step = std::clamp(step, 0, lastStep());
  if (step == m_state.cursor) return;
  m_state.cursor = step;
  emit cursorChanged(step);
}

void LandscapeModel::setSpeed(double stepsPerSecond) {
  m_state.speed = std::clamp(stepsPerSecond, 1.0, 1e5);
}

void LandscapeModel::play() {
  if (m_playing) return;
  // Playing at the end starts over.
  if (m_state.cursor >= lastStep()) setCursor(0);
  m_playing = true;
  m_pending = 0.0;
  m_timer->start();
  emit playingChanged(true);
}

void LandscapeModel::pause() {
  if (!m_playing) return;
  m_playing = false;
  m_timer->stop();
  emit playingChanged(false);
}

void LandscapeModel::togglePlay() { m_playing ? pause() : play(); }

void LandscapeModel::stepForward() {
  pause();
  setCursor(m_state.cursor + 1);
}

void LandscapeModel::stepBack() {
  pause();
  setCursor(m_state.cursor - 1);
}

void LandscapeModel::advance() {
  m_pending += m_state.speed * kTickMilliseconds / 1000.0;
  const int whole = int(std::floor(m_pending));
  m_pending -= whole;
  if (whole > 0) setCursor(m_state.cursor + whole);
  if (m_state.cursor >= lastStep()) pause();
}

}  // namespace gradscope::app
