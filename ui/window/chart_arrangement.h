// Where the dashboard's chart docks sit by default: three columns of two cells, each cell a tab
// group of the views registered for it (ui/charts/view_registry.h). On a small projector screen
// in presentation mode two rows leave each plot a few text lines high, so the columns can hold
// one cell each instead, the views of both cells as its tabs.
#pragma once

#include <optional>
#include <vector>

class QDockWidget;
class QMainWindow;

namespace gradscope::ui {

class ChartArrangement {
 public:
  enum class Rows { Two, One };

  // `cells`: the docks of cells 0..5 (top and bottom of the left, middle and right column), in
  // registry order, the first of each in front.
  ChartArrangement(QMainWindow* window, std::vector<std::vector<QDockWidget*>> cells);

  // Places every chart dock in the right dock area (docked, open) in two rows, the first view
  // of each cell in front. Once, in a fresh window: re-adding placed docks leaves QMainWindow
  // a stack of empty places whose minimum heights add up past the screen.
  void arrange();
  // From two rows to one: the bottom cells' views join the top cells' tabs (back to two rows
  // is the window's saved default state).
  void joinRows();
  // The arrangement the docks are in now; none when the user moved, floated, closed or
  // regrouped a chart (then the window leaves the layout alone).
  std::optional<Rows> current() const;
  // The first view of each tab group of `rows` in front (the default dashboard).
  void raiseFirsts(Rows rows);
  // The front dock of each shown cell, per column, top first (for sizing the columns and rows).
  std::vector<std::vector<QDockWidget*>> columns(Rows rows) const;

 private:
  // The tab groups of an arrangement: each a cell, or with one row a whole column.
  std::vector<std::vector<QDockWidget*>> groups(Rows rows) const;
  bool matches(Rows rows) const;

  QMainWindow* m_window = nullptr;
  std::vector<std::vector<QDockWidget*>> m_cells;
};

}  // namespace gradscope::ui
