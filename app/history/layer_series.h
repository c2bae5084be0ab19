// One per-layer scalar (e.g. layer 3's gradient norm) over a whole run, in bounded memory.
//
// What is kept:
//  - the last `window` steps at full resolution (a ring of floats), for the live view;
//  - the whole run as blocks of `blockSteps()` steps (min, max, mean, count of the measured
//    values), at most `capacity` blocks. blockSteps starts at 1 (every step kept); when the
//    blocks reach the capacity, neighbours are merged pairwise and blockSteps doubles, so the
//    resolution of the complete series degrades gracefully with the run's length while the
//    memory stays fixed (a merge rebuilds the pyramid: O(capacity), once per doubling);
//  - a min/max/mean pyramid (fan-out 8) over the blocks, so queries cost O(points).
// Min and max survive every merge, so a one-step spike stays the maximum of its block forever;
// only where within the block it happened is lost.
//
// Steps are relative to the run's first step.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "app/history/block_pyramid.h"
#include "app/history/decimated_series.h"
#include "app/history/series_block.h"

namespace gradscope::app {

class BucketGrid;

class LayerSeries {
 public:
  // capacity: blocks kept for the whole run (even, >= 2); window: recent steps kept raw.
  LayerSeries(std::int64_t capacity, int window);

  void clear();
  void append(float value) {
    if (m_window > 0) {
      if (m_ring.empty()) m_ring.resize(std::size_t(m_window));
      m_ring[std::size_t(m_ringPos)] = value;
      if (++m_ringPos == m_window) m_ringPos = 0;
    }
    m_open.add(double(value));
    ++m_count;
    if (++m_openSteps == m_blockSteps) closeBlock();
  }
  // values[0], values[stride], ... (`count` steps of a step-major snapshot array).
  void appendStrided(const float* values, std::int64_t count, std::int64_t stride);

  std::int64_t size() const { return m_count; }
  std::int64_t capacity() const { return m_capacity; }
  std::int64_t blockSteps() const { return m_blockSteps; }
  // The first step from which every step's value is available (size() if none is).
  std::int64_t rawStart() const;
  // Steps per stored value at `step`: 1 from rawStart(), blockSteps() before.
  std::int64_t resolutionAt(std::int64_t step) const;

  // How a query over [from, to] at `points` reads the series. Series of equal length and
  // capacity (the layers of one metric) share a plan, so a heatmap computes it once.
  struct Plan {
    bool raw = false;            // recent steps from the raw window, older ones as blocks
    int level = 0;               // pyramid level when !raw
    std::int64_t gridSteps = 1;  // block width of the bucket grid
    std::int64_t rawStart = 0;
  };
  Plan plan(std::int64_t from, std::int64_t to, int points) const;
  // Adds [from, to] (within [0, size())) to `grid`, reset with plan.gridSteps.
  void accumulate(const Plan& plan, std::int64_t from, std::int64_t to, BucketGrid& grid) const;
  DecimatedSeries decimate(std::int64_t from, std::int64_t to, int points,
                           std::int64_t stepOffset) const;

  std::size_t bytes() const;

 private:
  void closeBlock();
  void coarsen();
  SeriesAggregate baseBlock(std::int64_t index) const;

  std::int64_t m_capacity;
  int m_window;
  std::vector<float> m_ring;  // allocated on the first value
  int m_ringPos = 0;
  std::int64_t m_count = 0;
  std::int64_t m_blockSteps = 1;
  std::vector<SeriesBlock> m_blocks;  // complete blocks; `capacity` reserved
  std::size_t m_touchedBlocks = 0;    // the most blocks ever held: the resident part
  SeriesAggregate m_open;             // the block being filled, in double
  std::int64_t m_openSteps = 0;
  BlockPyramid m_pyramid;  // over m_blocks
};

}  // namespace gradscope::app
