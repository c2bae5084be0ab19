#include "app/history/step_series.h"

#include <algorithm>

#include "app/history/bucket_grid.h"

namespace gradscope::app {

void StepSeries::clear() {
  m_doubles.clear();
  m_floats.clear();
  m_pyramid.clear();
}

void StepSeries::append(double value) {
  if (m_exact)
    m_doubles.append(value);
  else
    m_floats.append(toStoredFloat(value));
  m_pyramid.append(SeriesAggregate::of(value));
}

int StepSeries::levelFor(std::int64_t from, std::int64_t to, int points) const {
  for (int level = m_pyramid.levelCount() - 1; level > 0; --level)
    if (BucketGrid::blocksInRange(from, to, BlockPyramid::levelWidth(level)) >= points)
      return level;
  return 0;
}

void StepSeries::accumulate(std::int64_t from, std::int64_t to, int level, BucketGrid& grid) const {
  m_pyramid.visit(
      from, to, level, [this](std::int64_t i) { return SeriesAggregate::of(value(i)); },
      [&grid](std::int64_t step, const SeriesAggregate& a) { grid.add(step, a); });
}

DecimatedSeries StepSeries::decimate(std::int64_t from, std::int64_t to, int points,
                                     std::int64_t stepOffset) const {
  from = std::max<std::int64_t>(from, 0);
  to = std::min(to, size() - 1);
  if (from > to || points < 1) return {};
  const int level = levelFor(from, to, points);
  BucketGrid grid;
  grid.reset(from, to, points, BlockPyramid::levelWidth(level));
  accumulate(from, to, level, grid);
  return grid.series(stepOffset, 1);
}

std::size_t StepSeries::bytes() const {
  return m_doubles.bytes() + m_floats.bytes() + m_pyramid.bytes();
}

}  // namespace gradscope::app
