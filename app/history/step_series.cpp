#include "app/history/step_series.h"

#include <algorithm>

#include "app/history/bucket_grid.h"

namespace gradscope::app {

StepSeries::StepSeries(bool exact, std::int64_t rawSteps, std::int64_t blockCapacity)
    : m_exact(exact),
      m_rawSteps(rawSteps <= 0
                     ? 0
                     : (rawSteps + ChunkedVector<double>::chunkSize() - 1) /
                           ChunkedVector<double>::chunkSize() * ChunkedVector<double>::chunkSize()),
      m_capacity(std::max<std::int64_t>(2, blockCapacity & ~std::int64_t(1))) {
  m_blockPyramid.setBaseCapacity(m_capacity);
}

void StepSeries::clear() {
  m_doubles.clear();
  m_floats.clear();
  m_pyramid.clear();
  m_rawStart = 0;
  m_blockSteps = 1;
  m_blocks = {};
  m_open = {};
  m_openSteps = 0;
  m_blockPyramid.clear();
}

void StepSeries::append(double value) {
  if (m_exact)
    m_doubles.append(value);
  else
    m_floats.append(toStoredFloat(value));
  m_pyramid.append(SeriesAggregate::of(value));
  // A whole chunk beyond the budget: the oldest raw chunk becomes blocks.
  if (m_rawSteps > 0 && size() - m_rawStart >= m_rawSteps + ChunkedVector<double>::chunkSize())
    thinOldestChunk();
}

void StepSeries::thinOldestChunk() {
  const std::int64_t end = m_rawStart + ChunkedVector<double>::chunkSize();
  for (std::int64_t i = m_rawStart; i < end; ++i) {
    m_open.add(value(i));
    if (++m_openSteps == m_blockSteps) closeBlock();
  }
  m_rawStart = end;
  m_doubles.dropBefore(end);
  m_floats.dropBefore(end);
  m_pyramid.dropBefore(end);
}

void StepSeries::closeBlock() {
  m_blocks.push_back(SeriesBlock::of(m_open));
  m_blockPyramid.append(m_open);
  m_open = {};
  m_openSteps = 0;
  if (std::int64_t(m_blocks.size()) >= m_capacity) coarsen();
}

void StepSeries::coarsen() {
  // The capacity is even and the open block empty, so pairs align to the doubled grid.
  const std::size_t half = m_blocks.size() / 2;
  for (std::size_t i = 0; i < half; ++i) {
    SeriesBlock merged = m_blocks[2 * i];
    merged.merge(m_blocks[2 * i + 1]);
    m_blocks[i] = merged;
  }
  m_blocks.resize(half);
  m_blockSteps *= 2;
  m_blockPyramid.rebuild(m_blocks);
}

SeriesAggregate StepSeries::thinnedBlock(std::int64_t index) const {
  return index < std::int64_t(m_blocks.size()) ? m_blocks[std::size_t(index)].aggregate() : m_open;
}

void StepSeries::accumulateRaw(std::int64_t from, std::int64_t to, int level,
                               BucketGrid& grid) const {
  m_pyramid.visit(
      from, to, level, [this](std::int64_t i) { return SeriesAggregate::of(value(i)); },
      [&grid](std::int64_t step, const SeriesAggregate& a) { grid.add(step, a); });
}

DecimatedSeries StepSeries::decimate(std::int64_t from, std::int64_t to, int points,
                                     std::int64_t stepOffset) const {
  from = std::max<std::int64_t>(from, 0);
  to = std::min(to, size() - 1);
  if (from > to || points < 1) return {};
  BucketGrid grid;
  if (from >= m_rawStart) {
    // Recent steps only: the coarsest raw level that still has `points` blocks in range.
    int level = 0;
    for (int l = m_pyramid.levelCount() - 1; l > 0 && level == 0; --l)
      if (BucketGrid::blocksInRange(from, to, BlockPyramid::levelWidth(l)) >= points) level = l;
    grid.reset(from, to, points, BlockPyramid::levelWidth(level));
    accumulateRaw(from, to, level, grid);
    return grid.series(stepOffset, 1);
  }
  // The thinned blocks (at the coarsest level with `points` of them in range), then the raw
  // steps at the level whose blocks are no wider than the grid's.
  int level = 0;
  std::int64_t gridSteps = m_blockSteps;
  for (int l = m_blockPyramid.levelCount() - 1; l > 0 && level == 0; --l) {
    const std::int64_t steps = m_blockSteps * BlockPyramid::levelWidth(l);
    if (BucketGrid::blocksInRange(from, to, steps) >= points) {
      level = l;
      gridSteps = steps;
    }
  }
  grid.reset(from, to, points, gridSteps);
  const std::int64_t thinnedEnd = std::min(to, m_rawStart - 1);
  const std::int64_t first = from / m_blockSteps;
  const std::int64_t last = thinnedEnd / m_blockSteps;
  const std::int64_t complete = std::int64_t(m_blocks.size());
  if (first < complete)
    m_blockPyramid.visit(
        first, std::min(last, complete - 1), level,
        [this](std::int64_t i) { return m_blocks[std::size_t(i)].aggregate(); },
        [&grid, this](std::int64_t i, const SeriesAggregate& a) { grid.add(i * m_blockSteps, a); });
  if (last >= complete && m_openSteps > 0) grid.add(complete * m_blockSteps, m_open);
  if (to >= m_rawStart) {
    int rawLevel = 0;
    while (rawLevel + 1 < m_pyramid.levelCount() &&
           BlockPyramid::levelWidth(rawLevel + 1) <= gridSteps)
      ++rawLevel;
    accumulateRaw(m_rawStart, to, rawLevel, grid);
  }
  return grid.series(stepOffset, m_blockSteps);
}

std::size_t StepSeries::bytes() const {
  return m_doubles.bytes() + m_floats.bytes() + m_pyramid.bytes() +
         m_blocks.capacity() * sizeof(SeriesBlock) + m_blockPyramid.bytes();
}

}  // namespace gradscope::app
