// The Landscapes view's controls, in two tabs: "Optimisers" (tick the racers, each with its
// own learning rate, and the surface's suggested rates) and "Settings" (momentum, rho, the
// betas and epsilon shared by the optimisers that read them; clipping; the schedule; the
// number of steps). Every edit goes straight to the model, which recomputes the race; the
// controls follow the model when it changes by other ways (a new surface, an opened session).
#pragma once

#include <QWidget>

#include <array>

#include "core/landscapes/landscape_race.h"

class QCheckBox;
class QComboBox;
class QLabel;
class QPushButton;
class QSpinBox;
class QTabWidget;

namespace gradscope::app {
class LandscapeModel;
}

namespace gradscope::ui {

class NumberSpinBox;

class LandscapeControls : public QWidget {
  Q_OBJECT
 public:
  explicit LandscapeControls(app::LandscapeModel* model, QWidget* parent = nullptr);

  QCheckBox* racerBox(core::OptimizerKind kind) const;
  NumberSpinBox* rateBox(core::OptimizerKind kind) const;
  NumberSpinBox* momentumBox() const { return m_momentum; }
  NumberSpinBox* rhoBox() const { return m_rho; }
  NumberSpinBox* beta1Box() const { return m_beta1; }
  NumberSpinBox* beta2Box() const { return m_beta2; }
  NumberSpinBox* epsilonBox() const { return m_epsilon; }
  QComboBox* clipModeBox() const { return m_clipMode; }
  NumberSpinBox* clipThresholdBox() const { return m_clipThreshold; }
  QComboBox* scheduleBox() const { return m_schedule; }
  QSpinBox* stepsBox() const { return m_steps; }

 private:
  QWidget* buildOptimizersTab();
  QWidget* buildSettingsTab();
  void syncFromModel();
  void applySchedule();
  void applyClip();
  void updateEnabled();

  app::LandscapeModel* m_model;
  QTabWidget* m_tabs = nullptr;
  std::array<QCheckBox*, core::kOptimizerKindCount> m_racers{};
  std::array<NumberSpinBox*, core::kOptimizerKindCount> m_rates{};
  QPushButton* m_suggested = nullptr;
  NumberSpinBox* m_momentum = nullptr;
  NumberSpinBox* m_rho = nullptr;
  NumberSpinBox* m_beta1 = nullptr;
  NumberSpinBox* m_beta2 = nullptr;
  NumberSpinBox* m_epsilon = nullptr;
  QComboBox* m_clipMode = nullptr;
  NumberSpinBox* m_clipThreshold = nullptr;
  QComboBox* m_schedule = nullptr;
  NumberSpinBox* m_decaySteps = nullptr;
  NumberSpinBox* m_decayRate = nullptr;
  QLabel* m_scheduleNote = nullptr;
  QSpinBox* m_steps = nullptr;
};

}  // namespace gradscope::ui
