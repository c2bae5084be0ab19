// The Scenarios panel: the loaded scenario as a lecturer uses it. The question to ask the
// class comes first (before pressing Play), then what the scenario shows, what to look at and
// the claim it demonstrates. Below: the runs (a scenario with several runs trains them side by
// side; a run's button shows and edits that run), the live changes of the shown run (each run's
// changes are applied when that run reaches their step; a button makes one at once) and, for
// the 1cycle scenario, a button that runs the LR range test.
#pragma once

#include <QWidget>

#include <cstdint>
#include <optional>
#include <vector>

#include "app/scenarios/scenario_library.h"

class QLabel;
class QCheckBox;
class QPushButton;
class QVBoxLayout;

namespace gradscope::ui {

class ScenarioPanel : public QWidget {
  Q_OBJECT
 public:
  explicit ScenarioPanel(QWidget* parent = nullptr);
  // As wide as the control panels it is tabbed with: wrapped text would otherwise ask for
  // half the window and squeeze the charts.
  QSize sizeHint() const override;

  // Shows `scenario` with run `run` shown; the live changes are armed from step 0.
  void setScenario(const app::Scenario& scenario, int run = 0);
  const std::optional<app::Scenario>& scenario() const { return m_scenario; }
  // The scenario run shown (its index in the scenario's runs).
  int run() const { return m_run; }
  // Another run of the scenario is shown (chosen here or elsewhere): its button is checked and
  // its live changes are listed. Nothing is emitted.
  void showRun(int run);

  // Scenario run `run` reached `step`: emits actionDue for each of its live changes whose step
  // has come (once).
  void stepReached(int run, std::int64_t step);
  // Scenario run `run` restarted: its live changes are due again at their steps. Steps reported
  // before a run's first rearm() after setScenario() belong to an earlier run and are ignored.
  void rearm(int run);
  // Live changes applied so far in scenario run `run`.
  int appliedActions(int run = 0) const;
  // The earliest step of a live change still to be made automatically (any run), or -1.
  std::int64_t nextAutomaticStep() const;

  // The panel's whole text (title, question, story, look at, claim), for tests.
  QString text() const;

 signals:
  // A run's button was pressed: show (or, for a single-run scenario, load) scenario run `run`.
  void runRequested(int run);
  // A live change of scenario run `run` is due.
  void actionDue(int run, const gradscope::app::ScenarioAction& action);
  void rangeTestRequested(const gradscope::core::LrRangeTestSettings& settings);

 private:
  void rebuildButtons();
  void restyle();

  std::optional<app::Scenario> m_scenario;
  int m_run = 0;
  // Per scenario run: the next live change, in step order, and whether the run has restarted
  // since setScenario() (only then are its steps its own).
  std::vector<std::size_t> m_next;
  std::vector<bool> m_armed;

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
