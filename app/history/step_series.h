// One scalar per training step for the whole run, in bounded memory, with min/max/mean
// pyramids so any range decimates in time independent of the run's length. Exact series store
// doubles (the loss: exported and resumed as measured); the others store floats, enough for
// display and export of accuracies, norms and flags. Indices are steps relative to the run's
// first step.
//
// What is kept (the budget, see HistoryLimits):
//  - the last `rawSteps` steps (at least, in whole chunks of 16,384) at full resolution, with
//    a pyramid of fan-out 8 over them;
//  - every older step folded into min/max/mean/count blocks, at most `blockCapacity` of them:
//    blocks start one step wide and, when the capacity is full, neighbours merge pairwise and
//    the width doubles (as LayerSeries does), with a pyramid over the blocks.
// So memory stops growing once a run is longer than `rawSteps`. Min and max survive every
// merge: a one-step spike stays visible at any zoom, only its position within its block is
// lost. Values older than rawStart() are no longer available one by one (value() is NaN there;
// thinnedBlock() gives their block).
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "app/history/block_pyramid.h"
#include "app/history/chunked_vector.h"
#include "app/history/decimated_series.h"

namespace gradscope::app {

class BucketGrid;

class StepSeries {
 public:
  // rawSteps 0: every step is kept raw (no thinning). blockCapacity is rounded to an even
  // number >= 2.
  explicit StepSeries(bool exact = true, std::int64_t rawSteps = 0,
                      std::int64_t blockCapacity = 1 << 16);

  bool exact() const { return m_exact; }
  void clear();
  void append(double value);  // NaN: not measured at this step
  std::int64_t size() const { return m_exact ? m_doubles.size() : m_floats.size(); }
  // The first step still kept at full resolution (0 until the series is thinned).
  std::int64_t rawStart() const { return m_rawStart; }
  // The step's value; NaN before rawStart().
  double value(std::int64_t index) const {
    if (index < m_rawStart) return std::numeric_limits<double>::quiet_NaN();
    return m_exact ? m_doubles[index] : double(m_floats[index]);
  }
  // Steps per stored value at `index` (1 from rawStart(), the block width before it).
  std::int64_t resolutionAt(std::int64_t index) const {
    return index >= m_rawStart ? 1 : m_blockSteps;
  }
  // The thinned part: blocks of blockSteps() steps from step 0, then the open block (up to
  // rawStart()). thinnedBlocks() counts both.
  std::int64_t blockSteps() const { return m_blockSteps; }
  std::int64_t thinnedBlocks() const {
    return std::int64_t(m_blocks.size()) + (m_openSteps > 0 ? 1 : 0);
  }
  SeriesAggregate thinnedBlock(std::int64_t index) const;

  // Buckets over relative steps [from, to] (clamped to the stored steps), steps in the result
  // shifted by stepOffset. Reads O(points * 8 + 16 * levels) values.
  DecimatedSeries decimate(std::int64_t from, std::int64_t to, int points,
                           std::int64_t stepOffset) const;

  std::size_t bytes() const;

 private:
  void thinOldestChunk();
  void closeBlock();
  void coarsen();
  // Adds [from, to] (both >= rawStart) to `grid`, reading the raw pyramid at `level`.
  void accumulateRaw(std::int64_t from, std::int64_t to, int level, BucketGrid& grid) const;

  bool m_exact;
  std::int64_t m_rawSteps;
  std::int64_t m_capacity;
  ChunkedVector<double> m_doubles;
  ChunkedVector<float> m_floats;
  BlockPyramid m_pyramid;  // over the raw steps (levels forget what was thinned)
  std::int64_t m_rawStart = 0;

  std::int64_t m_blockSteps = 1;
  std::vector<SeriesBlock> m_blocks;  // complete blocks of the thinned part
  SeriesAggregate m_open;             // the block being filled, in double
  std::int64_t m_openSteps = 0;
  BlockPyramid m_blockPyramid;  // over m_blocks
};

}  // namespace gradscope::app
