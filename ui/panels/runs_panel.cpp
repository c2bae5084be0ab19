#include "ui/panels/runs_panel.h"

#include <QComboBox>
#include <QEvent>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMenu>
#include <QPixmap>
#include <QPushButton>
#include <QScopedValueRollback>
#include <QScrollBar>
#include <QTableView>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

#include "app/runs/optimizer_race.h"
#include "app/worker/training_controller.h"
#include "ui/panels/compare_dialog.h"
#include "ui/panels/config_editor.h"
#include "ui/panels/number_spin_box.h"
#include "ui/panels/run_table_model.h"
#include "ui/window/theme.h"

namespace gradscope::ui {

namespace {

QIcon swatchIcon(const QColor& colour) {
  QPixmap pixmap(12, 12);
  pixmap.fill(colour);
  return QIcon(pixmap);
}

// The same runs (ids, names, colours) in the same order: the selector need not change.
bool sameRuns(const app::RunTable* a, const app::RunTable* b) {
  if (!a || !b || a->runs.size() != b->runs.size()) return false;
  for (std::size_t i = 0; i < a->runs.size(); ++i) {
    if (a->runs[i].id != b->runs[i].id || a->runs[i].name != b->runs[i].name ||
        a->runs[i].colour != b->runs[i].colour) {
      return false;
    }
  }
  return true;
}

}  // namespace

RunsPanel::RunsPanel(app::TrainingController& controller, ConfigEditor& editor, QWidget* parent)
    : QWidget(parent), m_controller(controller), m_editor(editor) {
  m_model = new RunTableModel(this);
  m_table = new QTableView(this);
  m_table->setObjectName(QStringLiteral("runTable"));
  m_table->setModel(m_model);
  m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
  m_table->setSelectionMode(QAbstractItemView::SingleSelection);
  m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
  m_table->verticalHeader()->hide();
  m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  m_table->horizontalHeader()->setStretchLastSection(true);
  m_table->setWordWrap(false);
  m_table->setAlternatingRowColors(true);
  fitRows();

  m_selector = new QComboBox(this);
  m_selector->setObjectName(QStringLiteral("runSelector"));
  m_selector->setSizeAdjustPolicy(QComboBox::AdjustToContents);
  m_selector->setToolTip(tr("The run the settings panels edit and the per-layer charts show"));
  m_target = new NumberSpinBox(true, this);
  m_target->setObjectName(QStringLiteral("targetLoss"));
  m_target->setRange(1e-6, 1e6);
  m_target->setValue(0.1);
  m_target->setKeyboardTracking(false);
  m_target->setToolTip(tr("The loss the table measures \"steps to\" and \"epochs to\" against"));
  m_compare = new QPushButton(tr("Compare…"), this);
  m_compare->setObjectName(QStringLiteral("compare"));
  m_compare->setToolTip(
      tr("Train copies of the selected run that differ in one setting side by side with it, "
         "with the same data, mini-batches and initial weights"));
  m_race = new QPushButton(tr("Optimiser race"), this);
  m_race->setObjectName(QStringLiteral("optimiserRace"));
  m_race->setToolTip(
      tr("All eight optimisers, each with its Keras defaults, from the selected run's "
         "settings and initial weights: the lecture's optimiser table, measured (replaces "
         "the runs there are)"));
  m_conventions = new QPushButton(tr("Compare conventions"), this);
  m_conventions->setObjectName(QStringLiteral("compareConventions"));
  m_conventions->setToolTip(
      tr("Train the selected run again beside it under the other framework's conventions "
         "(Keras or PyTorch), with the same data and mini-batches: SGD's momentum form, "
         "where epsilon goes and its defaults, weight decay, clipnorm, BatchNorm's running "
         "statistics and the default initialiser"));
  m_remove = new QPushButton(tr("Remove run"), this);
  m_remove->setObjectName(QStringLiteral("removeRun"));
  m_remove->setToolTip(tr("Stop and remove the selected run; the others go on"));

  // The three less used buttons, as a menu where the row is short of room.
  m_more = new QToolButton(this);
  m_more->setObjectName(QStringLiteral("moreRunActions"));
  m_more->setText(tr("More"));
  m_more->setToolTip(tr("Optimiser race, Compare conventions, Remove run"));
  m_more->setPopupMode(QToolButton::InstantPopup);
  auto* more = new QMenu(m_more);
  for (QPushButton* button : {m_race, m_conventions, m_remove}) {
    QAction* action = more->addAction(button->text());
    action->setToolTip(button->toolTip());
    connect(action, &QAction::triggered, button, &QPushButton::click);
  }
  connect(more, &QMenu::aboutToShow, this, [this, more] {
    const QList<QAction*> actions = more->actions();
    const QPushButton* buttons[] = {m_race, m_conventions, m_remove};
    for (int i = 0; i < actions.size() && i < 3; ++i)
      actions[i]->setEnabled(buttons[i]->isEnabled());
  });
  m_more->setMenu(more);
  m_more->hide();

  auto* controls = new QHBoxLayout();
  m_controls = controls;
  controls->setContentsMargins(0, 0, 0, 0);
  controls->addWidget(new QLabel(tr("Edit and show"), this));
  controls->addWidget(m_selector);
  controls->addSpacing(12);
  controls->addWidget(new QLabel(tr("Target loss"), this));
  controls->addWidget(m_target);
  controls->addStretch(1);
  controls->addWidget(m_compare);
  controls->addWidget(m_race);
  controls->addWidget(m_conventions);
  controls->addWidget(m_remove);
  controls->addWidget(m_more);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(4, 4, 4, 4);
  layout->setSpacing(4);
  layout->addLayout(controls);
  layout->addWidget(m_table, 1);

  m_throttle = new QTimer(this);
  m_throttle->setSingleShot(true);
  m_throttle->setInterval(kRefreshMilliseconds);
  connect(m_throttle, &QTimer::timeout, this, &RunsPanel::applyTable);

  connect(m_selector, &QComboBox::activated, this, [this](int index) {
    const int id = m_selector->itemData(index).toInt();
    if (id != m_selected) emit runSelected(id);
  });
  // A row made current by the user (mouse or keys) selects its run; rows the panel marks
  // itself (m_marking) do not.
  connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
          [this](const QModelIndex& current) {
            if (m_marking || !current.isValid()) return;
            const int id = m_model->idAt(current.row());
            if (id >= 0 && id != m_selected) emit runSelected(id);
          });
  connect(m_target, &NumberSpinBox::valueChanged, this,
          [this](double value) { m_controller.setTargetLoss(value); });
  connect(m_compare, &QPushButton::clicked, this, &RunsPanel::openCompareDialog);
  connect(m_race, &QPushButton::clicked, this, &RunsPanel::startRace);
  connect(m_conventions, &QPushButton::clicked, this, &RunsPanel::compareConventions);
  connect(m_remove, &QPushButton::clicked, this, &RunsPanel::removeSelectedRun);
  applyTable();
}

int RunsPanel::fullRowWidth() const {
  int width = 0, items = 0;
  for (int i = 0; i < m_controls->count(); ++i) {
    QLayoutItem* item = m_controls->itemAt(i);
    if (item->widget() == m_more) continue;
    // Hidden buttons count too: the width they would take back.
    width += item->widget() ? item->widget()->sizeHint().width() : item->sizeHint().width();
    ++items;
  }
  const int spacing = std::max(0, m_controls->spacing());
  const QMargins margins = layout()->contentsMargins();
  return width + spacing * std::max(0, items - 1) + margins.left() + margins.right();
}

QSize RunsPanel::minimumSizeHint() const {
  QSize hint = QWidget::minimumSizeHint();
  int folded = 0;
  for (const QPushButton* button : {m_race, m_conventions, m_remove}) {
    if (!button->isHidden()) folded += button->sizeHint().width() + m_controls->spacing();
  }
  if (folded > 0) hint.setWidth(hint.width() - folded + m_more->sizeHint().width());
  return hint;
}

void RunsPanel::resizeEvent(QResizeEvent* event) {
  QWidget::resizeEvent(event);
  foldButtons();
}

void RunsPanel::foldButtons() {
  const bool roomy = width() >= fullRowWidth();
  for (QPushButton* button : {m_race, m_conventions, m_remove}) button->setVisible(roomy);
  m_more->setVisible(!roomy);
}

void RunsPanel::setRunTable(std::shared_ptr<const app::RunTable> table) {
  if (!table) return;
  const bool structural = !sameRuns(m_model->runTable(), table.get()) || !m_model->runTable() ||
                          m_model->runTable()->targetLoss != table->targetLoss;
  m_pending = std::move(table);
  // New runs show at once; new figures at a few per second.
  if (structural) {
    applyTable();
  } else if (!m_throttle->isActive()) {
    m_throttle->start();
  }
}

void RunsPanel::applyTable() {
  m_throttle->stop();
  if (m_pending) {
    const bool changed = !sameRuns(m_model->runTable(), m_pending.get());
    const QScopedValueRollback<bool> marking(m_marking, true);  // a reset moves the current row
    m_model->setRunTable(std::move(m_pending));
    m_pending.reset();
    if (changed) updateSelector();
  }
  const app::RunTable* table = m_model->runTable();
  const bool race = table && table->comparesOptimizers;
  for (int c = 0; c < RunTableModel::ColumnCount; ++c) {
    if (RunTableModel::isRatingColumn(c)) m_table->setColumnHidden(c, !race);
  }
  const int runs = table ? int(table->runs.size()) : 1;
  m_remove->setEnabled(runs > 1);
  m_compare->setEnabled(runs < app::kMaxRuns);
  m_conventions->setEnabled(runs < app::kMaxRuns);
  if (table && std::abs(m_target->value() - table->targetLoss) > 1e-12 * table->targetLoss &&
      !m_target->hasFocus()) {
    const QSignalBlocker block(m_target);
    m_target->setValue(table->targetLoss);
  }
  setSelectedRun(m_selected);
  emit tableShown();
}

void RunsPanel::updateSelector() {
  const QSignalBlocker block(m_selector);
  m_selector->clear();
  const app::RunTable* table = m_model->runTable();
  if (!table) return;
  for (const app::RunEntry& e : table->runs) {
    m_selector->addItem(swatchIcon(theme().runColor(e.colour)), e.name, e.id);
  }
}

void RunsPanel::setSelectedRun(int id) {
  const QScopedValueRollback<bool> marking(m_marking, true);
  m_selected = id;
  {
    const QSignalBlocker block(m_selector);
    const int index = m_selector->findData(id);
    if (index >= 0 && m_selector->currentIndex() != index) m_selector->setCurrentIndex(index);
  }
  const int row = m_model->rowOf(id);
  if (row >= 0 && (!m_table->selectionModel()->isRowSelected(row, {}))) {
    m_table->selectRow(row);
  }
}

void RunsPanel::changeEvent(QEvent* event) {
  QWidget::changeEvent(event);
  if (event->type() == QEvent::FontChange) {
    fitRows();
    foldButtons();
  }
}

void RunsPanel::fitRows() {
  // Rows as tall as the text (presentation mode enlarges the font).
  m_table->verticalHeader()->setMinimumSectionSize(1);
  m_table->verticalHeader()->setDefaultSectionSize(QFontMetrics(font()).height() + 6);
}

int RunsPanel::heightFor(int rows) const {
  const int controls = std::max(m_compare->sizeHint().height(), m_selector->sizeHint().height());
  const int header = m_table->horizontalHeader()->sizeHint().height();
  const int row = m_table->verticalHeader()->defaultSectionSize();
  // Margins, spacing, the table's frame and room for a horizontal scroll bar.
  return controls + header + rows * row + 8 + 4 + 2 * m_table->frameWidth() +
         m_table->horizontalScrollBar()->sizeHint().height();
}

void RunsPanel::compareWith(const QList<core::ExperimentConfig>& variants) {
  if (variants.isEmpty()) return;
  QList<app::NamedConfig> runs = m_controller.runs();
  if (runs.size() + variants.size() > app::kMaxRuns) {
    emit message(tr("At most %1 runs train side by side").arg(app::kMaxRuns));
    return;
  }
  // The selected run as the panels show it (with any edit still on its way).
  const app::RunTable* table = m_model->runTable();
  const int index = table ? table->indexOf(m_selected) : 0;
  if (index >= 0 && index < runs.size()) runs[index].config = m_editor.config();
  for (const core::ExperimentConfig& variant : variants) runs.push_back({QString(), variant});
  m_controller.setRuns(runs);
  emit message(tr("%1 runs side by side from step 0: press Play").arg(runs.size()));
}

void RunsPanel::startRace() {
  m_controller.setRuns(app::optimizerRace(m_editor.config()));
  emit message(tr("Optimiser race: eight optimisers from the same start, press Play"));
}

void RunsPanel::compareConventions() {
  core::ExperimentConfig twin = m_editor.config();
  core::switchConventions(twin, core::otherConventions(twin.optimizer.conventions));
  compareWith({twin});
}

void RunsPanel::removeSelectedRun() {
  const app::RunTable* table = m_model->runTable();
  if (!table || table->runs.size() < 2) return;
  m_controller.removeRun(m_selected);
}

void RunsPanel::openCompareDialog() {
  const app::RunTable* table = m_model->runTable();
  const int runs = table ? int(table->runs.size()) : 1;
  CompareDialog dialog(m_editor.config(), app::kMaxRuns - runs, this);
  if (dialog.exec() == QDialog::Accepted) compareWith(dialog.variants());
}

}  // namespace gradscope::ui
