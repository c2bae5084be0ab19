// Places the labels of vertical chart marks in rows under the plot's top edge so that none
// overlaps another: each label goes right of its line (left of it near the right edge) in
// the first row where it is free; with every row taken it is shortened to what fits there, or
// left out (its line and tooltip stay). Rows are added up to `maxRows`.
#pragma once

#include <QString>

#include <utility>
#include <vector>

namespace gradscope::ui {

class MarkLabelLayout {
 public:
  // Labels may sit between `left` and `right`; `gap` pixels are kept between two labels.
  MarkLabelLayout(double left, double right, int maxRows, double gap = 4.0);

  struct Place {
    int row = -1;  // -1: left out
    double x = 0.0;
    double width = 0.0;  // the room taken (the text's width, or less when shortened)
  };
  // The place for a label of `width` at line position `at`; `minWidth` is the narrowest it
  // may be shortened to (its width when it must not be shortened).
  Place place(double at, double width, double minWidth);
  int rowsUsed() const { return m_rowsUsed; }

 private:
  bool free(int row, double x, double width) const;
  double room(int row, double x, double limit, bool rightward) const;

  double m_left, m_right;
  int m_maxRows;
  double m_gap;
  int m_rowsUsed = 0;
  std::vector<std::vector<std::pair<double, double>>> m_taken;  // spans per row
};

}  // namespace gradscope::ui
