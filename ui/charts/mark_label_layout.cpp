#include "ui/charts/mark_label_layout.h"

#include <algorithm>

namespace gradscope::ui {

MarkLabelLayout::MarkLabelLayout(double left, double right, int maxRows, double gap)
    : m_left(left), m_right(right), m_maxRows(std::max(1, maxRows)), m_gap(gap) {
  m_taken.resize(std::size_t(m_maxRows));
}

bool MarkLabelLayout::free(int row, double x, double width) const {
  const auto& spans = m_taken[std::size_t(row)];
  return std::none_of(spans.begin(), spans.end(), [&](const auto& s) {
    return x < s.second + m_gap && x + width + m_gap > s.first;
  });
}

// The width free from x towards `limit` in `row` (rightward or leftward).
double MarkLabelLayout::room(int row, double x, double limit, bool rightward) const {
  double end = limit;
  for (const auto& s : m_taken[std::size_t(row)]) {
    if (rightward && s.first >= x) end = std::min(end, s.first - m_gap);
    if (!rightward && s.second <= x) end = std::max(end, s.second + m_gap);
    if (s.first - m_gap < x && x < s.second + m_gap) return 0.0;  // x itself is taken
  }
  return rightward ? end - x : x - end;
}

MarkLabelLayout::Place MarkLabelLayout::place(double at, double width, double minWidth) {
  Place p;
  const bool right = at + 3.0 + width <= m_right;
  const double x = right ? at + 3.0 : at - 3.0 - width;
  for (int r = 0; r < m_maxRows; ++r) {
    if (x >= m_left - 0.5 && free(r, x, width)) {
      p = Place{r, x, width};
      break;
    }
  }
  if (p.row < 0 && minWidth < width) {
    // Every row is taken there at full width: the widest shortened form that fits.
    for (int r = 0; r < m_maxRows && p.row < 0; ++r) {
      const double start = at + 3.0;
      const double available = std::min(room(r, start, m_right, true), width);
      if (available >= minWidth) p = Place{r, start, available};
    }
  }
  if (p.row >= 0) {
    m_taken[std::size_t(p.row)].emplace_back(p.x, p.x + p.width);
    m_rowsUsed = std::max(m_rowsUsed, p.row + 1);
  }
  return p;
}

}  // namespace gradscope::ui
