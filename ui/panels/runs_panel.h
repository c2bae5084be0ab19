// The Runs panel: the runs that train side by side and their results table (steps and
// epochs to a target loss, best and final training and validation loss, time, divergence;
// with the optimiser race the measured star ratings beside the lecture's), which run the
// settings panels edit and the layer charts show, and the buttons that start a comparison:
// "Compare…" (the selected run and variants of it in one setting), "Optimiser race" (the
// eight optimisers from the selected run), "Compare conventions" (the selected run again under
// the other framework's conventions, Keras or PyTorch) and "Remove run".
#pragma once

#include <QList>
#include <QWidget>

#include <memory>

#include "app/runs/run_table.h"
#include "core/model/experiment_config.h"

class QComboBox;
class QLabel;
class QHBoxLayout;
class QPushButton;
class QToolButton;
class QTableView;
class QTimer;

namespace gradscope::app {
class TrainingController;
}

namespace gradscope::ui {

class ConfigEditor;
class NumberSpinBox;
class RunTableModel;

class RunsPanel : public QWidget {
  Q_OBJECT
 public:
  // The table refreshes at most this often while training (the figures change every step).
  static constexpr int kRefreshMilliseconds = 200;

  RunsPanel(app::TrainingController& controller, ConfigEditor& editor, QWidget* parent = nullptr);

  void setRunTable(std::shared_ptr<const app::RunTable> table);
  // Shows the last table now instead of at the next refresh (training paused or stopped).
  void showTableNow() { applyTable(); }
  // The run the dashboard shows (marked in the table and the selector).
  void setSelectedRun(int id);
  int selectedRun() const { return m_selected; }
  // The height that shows the controls, the header and `rows` rows.
  int heightFor(int rows) const;

  RunTableModel* model() const { return m_model; }
  QTableView* tableView() const { return m_table; }
  QComboBox* runSelector() const { return m_selector; }
  QPushButton* compareButton() const { return m_compare; }
  QPushButton* raceButton() const { return m_race; }
  QPushButton* conventionsButton() const { return m_conventions; }
  QPushButton* removeButton() const { return m_remove; }
  // The "More" button that holds the race, conventions and remove buttons where the row has
  // no room for them (a projector's 1280 px in presentation mode).
  QToolButton* moreButton() const { return m_more; }
  // Narrow enough for the buttons that fold into "More" (so the panel never makes the
  // window's chart area wider than the charts need).
  QSize minimumSizeHint() const override;

  // What the buttons do (public for scripted use and tests).
  void compareWith(const QList<core::ExperimentConfig>& variants);
  void startRace();
  // Adds the selected run under the other conventions (core::switchConventions) beside it.
  void compareConventions();
  void removeSelectedRun();

 protected:
  void changeEvent(QEvent* event) override;
  void resizeEvent(QResizeEvent* event) override;

 signals:
  // The table's figures were just brought up to date (at most a few times a second while
  // training): the status bar shows its own figures at the same moment, so that the two agree.
  void tableShown();
  // The user picked a run to edit and show.
  void runSelected(int id);
  // A short note for the status bar.
  void message(const QString& text);

 private:
  void applyTable();
  void openCompareDialog();
  void updateSelector();
  void fitRows();
  // The width the controls' row wants with every button in it.
  int fullRowWidth() const;
  void foldButtons();

  app::TrainingController& m_controller;
  ConfigEditor& m_editor;
  RunTableModel* m_model = nullptr;
  QTableView* m_table = nullptr;
  QComboBox* m_selector = nullptr;
  NumberSpinBox* m_target = nullptr;
  QPushButton* m_compare = nullptr;
  QPushButton* m_race = nullptr;
  QPushButton* m_conventions = nullptr;
  QPushButton* m_remove = nullptr;
  QToolButton* m_more = nullptr;
  QHBoxLayout* m_controls = nullptr;
  QTimer* m_throttle = nullptr;
  std::shared_ptr<const app::RunTable> m_pending;
  int m_selected = 0;
  bool m_marking = false;  // the panel itself moves the table's current row
};

}  // namespace gradscope::ui
