// The model behind the Landscapes view: the race settings, the trajectories they produce and
// the playback position. Every change validates the new settings (a bad value is refused
// with invalidSetting(field, reason) and the old settings stay), recomputes all trajectories
// at once (a few thousand 2-D steps take well under a millisecond), and emits changed(); the
// view only reads the results when it paints. Playback moves the cursor, the step the view
// shows, at `speed` steps per second on a timer.
#pragma once

#include <QObject>
#include <QString>

#include <memory>
#include <vector>

#include "app/landscapes/landscape_state.h"
#include "core/landscapes/landscape.h"
#include "core/landscapes/landscape_race.h"
#include "core/landscapes/surface_grid.h"

class QTimer;

namespace gradscope::app {

class LandscapeModel : public QObject {
  Q_OBJECT
 public:
  static constexpr int kTickMilliseconds = 33;

  explicit LandscapeModel(QObject* parent = nullptr);
  ~LandscapeModel() override;

  const core::RaceSettings& race() const { return m_state.race; }
  const core::Landscape& landscape() const { return *m_landscape; }
  // One per racer, in race().optimizers order.
  const std::vector<core::Trajectory>& trajectories() const { return m_trajectories; }
  // Null when `kind` is not racing.
  const core::Trajectory* trajectory(core::OptimizerKind kind) const;

  // The whole state (sessions). Throws core::Error, naming the field, when it is invalid; the
  // model is unchanged then.
  LandscapeState state() const { return m_state; }
  void setState(const LandscapeState& state);

  // Replaces the race settings; false (and invalidSetting) when they are invalid. The cursor
  // stays where it is (clamped), so a live change redraws every path up to the same step.
  bool setRace(const core::RaceSettings& race);
  // A new surface starts from its default start with its suggested learning rates.
  bool setLandscapeKind(core::LandscapeKind kind);
  bool setConditionNumber(double kappa);
  bool setRotationDegrees(double degrees);
  // A new start rewinds to step 0 and plays, so the race is watched from the beginning.
  bool setStart(const core::Point2& start);
  bool setOptimizerEnabled(core::OptimizerKind kind, bool enabled);
  bool isOptimizerEnabled(core::OptimizerKind kind) const;
  bool setLearningRate(core::OptimizerKind kind, double rate);
  bool applySuggestedLearningRates();
  bool setMomentum(double momentum);
  bool setRho(double rho);
  bool setBeta1(double beta1);
  bool setBeta2(double beta2);
  bool setEpsilon(double epsilon);
  bool setClip(const core::ClipSettings& clip);
  bool setSchedule(const core::ScheduleSettings& schedule);
  bool setSteps(int steps);

  // The surface sampled for drawing at `columns` x `rows`, cached until the surface or the
  // resolution changes.
  const core::SurfaceMap& surfaceMap(int columns, int rows);

  // Playback.
  int cursor() const { return m_state.cursor; }
  int lastStep() const { return m_state.race.steps; }
  void setCursor(int step);
  bool playing() const { return m_playing; }
  double speed() const { return m_state.speed; }
  void setSpeed(double stepsPerSecond);

 public slots:
  void play();
  void pause();
  void togglePlay();
  void stepForward();
  void stepBack();

 signals:
  // The settings and so the trajectories changed.
  void changed();
  void cursorChanged(int step);
  void playingChanged(bool playing);
  void invalidSetting(const QString& field, const QString& reason);

 private:
  // Validates `race`, rebuilds the surface when it changed and recomputes the trajectories.
  // Throws core::Error.
  void apply(const core::RaceSettings& race);
  bool tryApply(const core::RaceSettings& race);
  void advance();

  LandscapeState m_state;
  std::unique_ptr<core::Landscape> m_landscape;
  std::vector<core::Trajectory> m_trajectories;
  core::SurfaceMap m_surface;
  bool m_surfaceValid = false;
  QTimer* m_timer = nullptr;
  bool m_playing = false;
  double m_pending = 0.0;  // fractional steps carried between ticks
};

}  // namespace gradscope::app
