#include "ui/window/chart_arrangement.h"

#include <QAction>
#include <QDockWidget>
#include <QMainWindow>

#include <set>

namespace gradscope::ui {

namespace {

constexpr int kCells = 6;

// A dock the lecturer closed. Before the window is first shown no dock's view action is
// checked yet (Qt checks it on the first show), so a dock then counts as closed only when it
// was hidden explicitly (a restored layout that closed it).
bool closed(const QDockWidget* dock) {
  if (dock->window()->isVisible()) return !dock->toggleViewAction()->isChecked();
  return dock->isHidden() && dock->testAttribute(Qt::WA_WState_ExplicitShowHide);
}

}  // namespace

ChartArrangement::ChartArrangement(QMainWindow* window,
                                   std::vector<std::vector<QDockWidget*>> cells)
    : m_window(window), m_cells(std::move(cells)) {
  m_cells.resize(kCells);
}

std::vector<std::vector<QDockWidget*>> ChartArrangement::groups(Rows rows) const {
  std::vector<std::vector<QDockWidget*>> result;
  for (int column = 0; column < kCells / 2; ++column) {
    const auto& top = m_cells[std::size_t(2 * column)];
    const auto& bottom = m_cells[std::size_t(2 * column + 1)];
    if (rows == Rows::One) {
      std::vector<QDockWidget*> both = top;
      both.insert(both.end(), bottom.begin(), bottom.end());
      if (!both.empty()) result.push_back(both);
    } else {
      if (!top.empty()) result.push_back(top);
      if (!bottom.empty()) result.push_back(bottom);
    }
  }
  return result;
}

std::vector<std::vector<QDockWidget*>> ChartArrangement::columns(Rows rows) const {
  std::vector<std::vector<QDockWidget*>> result;
  for (int column = 0; column < kCells / 2; ++column) {
    std::vector<QDockWidget*> heads;
    for (int row = 0; row < 2; ++row) {
      const auto& cell = m_cells[std::size_t(2 * column + row)];
      if (cell.empty()) continue;
      if (rows == Rows::Two || heads.empty()) heads.push_back(cell.front());
    }
    if (!heads.empty()) result.push_back(heads);
  }
  return result;
}

void ChartArrangement::arrange() {
  const auto columns = this->columns(Rows::Two);
  for (const auto& column : columns) m_window->addDockWidget(Qt::RightDockWidgetArea, column[0]);
  // The columns side by side, left to right, then the bottom cell under each top one.
  for (std::size_t c = 1; c < columns.size(); ++c) {
    m_window->splitDockWidget(columns[c - 1][0], columns[c][0], Qt::Horizontal);
  }
  for (const auto& column : columns) {
    for (std::size_t r = 1; r < column.size(); ++r) {
      m_window->splitDockWidget(column[r - 1], column[r], Qt::Vertical);
    }
  }
  for (const auto& group : groups(Rows::Two)) {
    for (std::size_t i = 1; i < group.size(); ++i) m_window->tabifyDockWidget(group[0], group[i]);
    group.front()->raise();
  }
}

void ChartArrangement::raiseFirsts(Rows rows) {
  for (const auto& group : groups(rows)) group.front()->raise();
}

void ChartArrangement::joinRows() {
  for (const auto& group : groups(Rows::One)) {
    for (std::size_t i = 1; i < group.size(); ++i) m_window->tabifyDockWidget(group[0], group[i]);
    group.front()->raise();
  }
}

bool ChartArrangement::matches(Rows rows) const {
  for (const auto& group : groups(rows)) {
    const std::set<QDockWidget*> wanted(group.begin(), group.end());
    for (QDockWidget* dock : group) {
      if (dock->isFloating() || closed(dock) ||
          m_window->dockWidgetArea(dock) != Qt::RightDockWidgetArea) {
        return false;
      }
      const QList<QDockWidget*> tabs = m_window->tabifiedDockWidgets(dock);
      std::set<QDockWidget*> shared(tabs.begin(), tabs.end());
      shared.insert(dock);
      if (shared != wanted) return false;
    }
  }
  return true;
}

std::optional<ChartArrangement::Rows> ChartArrangement::current() const {
  if (matches(Rows::Two)) return Rows::Two;
  if (matches(Rows::One)) return Rows::One;
  return std::nullopt;
}

}  // namespace gradscope::ui
