// The Landscapes window: optimisers racing on a 2-D surface. The surface row on top (function,
// and the bowl's conditioning and rotation), the map with the paths, the loss-gap chart and
// the controls beside it, and the playback bar below (play/pause, step, speed, a slider to
// scrub through the race, export). Opened from the dashboard's View menu; it only shows the
// model, which the dashboard owns (so sessions can save it while the window is closed).
#pragma once

#include <QWidget>

class QComboBox;
class QLabel;
class QSlider;
class QToolButton;

namespace gradscope::app {
class LandscapeModel;
}

namespace gradscope::ui {

class LandscapeControls;
class LandscapeLossChart;
class LandscapeMapView;
class NumberSpinBox;

class LandscapeWindow : public QWidget {
  Q_OBJECT
 public:
  explicit LandscapeWindow(app::LandscapeModel* model, QWidget* parent = nullptr);

  LandscapeMapView* map() const { return m_map; }
  LandscapeLossChart* lossChart() const { return m_loss; }
  LandscapeControls* controls() const { return m_controls; }
  QComboBox* functionBox() const { return m_function; }
  NumberSpinBox* conditionBox() const { return m_condition; }
  NumberSpinBox* rotationBox() const { return m_rotation; }
  QToolButton* playButton() const { return m_play; }
  QSlider* scrubber() const { return m_scrubber; }
  QComboBox* speedBox() const { return m_speed; }
  QString messageText() const;

 private:
  QWidget* buildSurfaceRow();
  QWidget* buildPlaybackBar();
  void syncFromModel();
  void syncCursor(int step);
  void syncPlaying(bool playing);
  void applyTheme();

  app::LandscapeModel* m_model;
  LandscapeMapView* m_map = nullptr;
  LandscapeLossChart* m_loss = nullptr;
  LandscapeControls* m_controls = nullptr;
  QComboBox* m_function = nullptr;
  NumberSpinBox* m_condition = nullptr;
  NumberSpinBox* m_rotation = nullptr;
  QLabel* m_conditionLabel = nullptr;
  QLabel* m_rotationLabel = nullptr;
  QLabel* m_message = nullptr;
  QToolButton* m_play = nullptr;
  QToolButton* m_back = nullptr;
  QToolButton* m_forward = nullptr;
  QComboBox* m_speed = nullptr;
  QSlider* m_scrubber = nullptr;
  QLabel* m_stepLabel = nullptr;
};

}  // namespace gradscope::ui
