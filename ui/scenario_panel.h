// The Scenarios panel: the loaded scenario as a lecturer uses it. The question to ask the
// class comes first (before pressing Play), then what the scenario shows, what to look at and
// the claim it demonstrates. Below: the runs (the first is loaded; another can be loaded
// instead), the live changes of the run (applied when the run reaches their step, or at once
// by their button) and, for the 1cycle scenario, a button that runs the LR range test.
#pragma once

#include <QWidget>

#include <cstdint>
#include <optional>
#include <vector>

#include "app/scenario_library.h"

class QLabel;
class QCheckBox;
class QPushButton;
class QVBoxLayout;

namespace gradscope::ui {

class ScenarioPanel : public QWidget {
  Q_OBJECT
 public:
  explicit ScenarioPanel(QWidget* parent = nullptr);

  // Shows `scenario` with run `run` loaded; the live changes are armed from step 0.
  void setScenario(const app::Scenario& scenario, int run = 0);
  const std::optional<app::Scenario>& scenario() const { return m_scenario; }
  int run() const { return m_run; }

  // The run reached `step`: emits actionDue for each live change whose step has come (once).
  void stepReached(std::int64_t step);
  // The run restarted: every live change is due again at its step. Steps reported before the
  // first rearm() after setScenario() belong to the previous run and are ignored.
  void rearm();
  // Live changes applied so far in this run.
  int appliedActions() const { return int(m_next); }

  // The panel's whole text (title, question, story, look at, claim), for tests.
  QString text() const;

 signals:
  void runRequested(int run);
  void actionDue(const gradscope::app::ScenarioAction& action);
  void rangeTestRequested(const gradscope::core::LrRangeTestSettings& settings);

 private:
  void rebuildButtons();

  std::optional<app::Scenario> m_scenario;
  int m_run = 0;
  std::size_t m_next = 0;  // the next live change of the run, in step order
  bool m_armed = false;    // the loaded run has restarted (its steps are reported)

  QLabel* m_title = nullptr;
  QLabel* m_question = nullptr;
  QLabel* m_story = nullptr;
  QLabel* m_lookAt = nullptr;
  QLabel* m_claim = nullptr;
  QLabel* m_reference = nullptr;
  QLabel* m_placeholder = nullptr;
  QWidget* m_body = nullptr;
  QVBoxLayout* m_buttons = nullptr;
  QCheckBox* m_automatic = nullptr;
  std::vector<QPushButton*> m_actionButtons;
};

}  // namespace gradscope::ui
