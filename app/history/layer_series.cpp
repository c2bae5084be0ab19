#include "app/history/layer_series.h"

#include <algorithm>

#include "app/history/bucket_grid.h"

namespace gradscope::app {

LayerSeries::LayerSeries(std::int64_t capacity, int window)
    : m_capacity(std::max<std::int64_t>(2, capacity & ~std::int64_t(1))),
      m_window(std::max(window, 0)) {
  m_pyramid.setBaseCapacity(m_capacity);
}

void LayerSeries::clear() {
  m_ring = {};
  m_ringPos = 0;
  m_count = 0;
  m_blockSteps = 1;
  m_blocks = {};
  m_touchedBlocks = 0;
  m_open = {};
  m_openSteps = 0;
  m_pyramid.clear();
}

void LayerSeries::appendStrided(const float* values, std::int64_t count, std::int64_t stride) {
  for (std::int64_t i = 0; i < count; ++i) append(values[i * stride]);
}

void LayerSeries::closeBlock() {
  // The whole capacity is reserved at once: growing geometrically would copy every series of
  // the run at the same step (75 MB at once for a 3-layer network at 131k steps). Reserved
  // pages become resident only as blocks are written, and bytes() counts only those.
  if (m_blocks.capacity() < std::size_t(m_capacity)) m_blocks.reserve(std::size_t(m_capacity));
  m_blocks.push_back(SeriesBlock::of(m_open));
  m_touchedBlocks = std::max(m_touchedBlocks, m_blocks.size());
  m_pyramid.append(m_open);
  m_open = {};
  m_openSteps = 0;
  if (std::int64_t(m_blocks.size()) >= m_capacity) coarsen();
}

void LayerSeries::coarsen() {
  // The capacity is even and the open block empty, so pairs align to the doubled grid.
  const std::size_t half = m_blocks.size() / 2;
  for (std::size_t i = 0; i < half; ++i) {
    SeriesBlock merged = m_blocks[2 * i];
    merged.merge(m_blocks[2 * i + 1]);
    m_blocks[i] = merged;
  }
  m_blocks.resize(half);
  m_blockSteps *= 2;
  m_pyramid.rebuild(m_blocks);
}

std::int64_t LayerSeries::rawStart() const {
  if (m_blockSteps == 1) return 0;
  const std::int64_t windowStart = std::max<std::int64_t>(0, m_count - m_window);
  const std::int64_t split = (windowStart + m_blockSteps - 1) / m_blockSteps * m_blockSteps;
  // Raw values replace whole blocks from `split` on, the open one included; a window shorter
  // than the open block cannot.
  return split <= std::int64_t(m_blocks.size()) * m_blockSteps ? split : m_count;
}

std::int64_t LayerSeries::resolutionAt(std::int64_t step) const {
  return step >= rawStart() ? 1 : m_blockSteps;
}

SeriesAggregate LayerSeries::baseBlock(std::int64_t index) const {
  return index < std::int64_t(m_blocks.size()) ? m_blocks[std::size_t(index)].aggregate() : m_open;
}

LayerSeries::Plan LayerSeries::plan(std::int64_t from, std::int64_t to, int points) const {
  Plan p;
  p.rawStart = rawStart();
  if (m_blockSteps > 1 && BucketGrid::blocksInRange(from, to, m_blockSteps) < points &&
      to >= p.rawStart) {
    // The blocks are wider than a bucket: read the recent part step by step.
    p.raw = true;
    p.gridSteps = 1;
    return p;
  }
  for (int level = m_pyramid.levelCount() - 1; level > 0; --level) {
    const std::int64_t steps = m_blockSteps * BlockPyramid::levelWidth(level);
    if (BucketGrid::blocksInRange(from, to, steps) >= points) {
      p.level = level;
      p.gridSteps = steps;
      return p;
    }
  }
  p.gridSteps = m_blockSteps;
  return p;
}

void LayerSeries::accumulate(const Plan& plan, std::int64_t from, std::int64_t to,
                             BucketGrid& grid) const {
  const std::int64_t completed = std::int64_t(m_blocks.size());
  const auto addBlock = [&grid, this](std::int64_t index, const SeriesAggregate& a) {
    grid.add(index * m_blockSteps, a);
  };
  if (plan.raw) {
    // Blocks before the raw window, then single steps.
    const std::int64_t blockEnd = std::min(to, plan.rawStart - 1);
    if (from <= blockEnd)
      for (std::int64_t i = from / m_blockSteps; i <= blockEnd / m_blockSteps; ++i)
        addBlock(i, baseBlock(i));
    // The ring holds steps [m_count - window, m_count); step t sits at t mod window.
    for (std::int64_t t = std::max(from, plan.rawStart); t <= to; ++t)
      grid.add(t, SeriesAggregate::of(double(m_ring[std::size_t(t % m_window)])));
    return;
  }
  const std::int64_t first = from / m_blockSteps;
  const std::int64_t last = to / m_blockSteps;
  if (first < completed)
    m_pyramid.visit(
        first, std::min(last, completed - 1), plan.level,
        [this](std::int64_t i) { return m_blocks[std::size_t(i)].aggregate(); }, addBlock);
  if (last >= completed && m_openSteps > 0) addBlock(completed, m_open);
}

DecimatedSeries LayerSeries::decimate(std::int64_t from, std::int64_t to, int points,
                                      std::int64_t stepOffset) const {
  from = std::max<std::int64_t>(from, 0);
  to = std::min(to, m_count - 1);
  if (from > to || points < 1) return {};
  const Plan p = plan(from, to, points);
  BucketGrid grid;
  grid.reset(from, to, points, p.gridSteps);
  accumulate(p, from, to, grid);
  return grid.series(stepOffset, resolutionAt(from));
}

std::size_t LayerSeries::bytes() const {
  return m_ring.capacity() * sizeof(float) + m_touchedBlocks * sizeof(SeriesBlock) +
         m_pyramid.bytes();
}

}  // namespace gradscope::app
