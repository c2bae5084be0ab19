// Aggregation levels over a sequence of base blocks, so that a range of any length can be
// summarised by reading a bounded number of blocks. Level 0 is the base itself (raw values or
// blocks, stored by the owner); level k >= 1 holds one SeriesBlock per kFanOut^k consecutive
// base blocks. A fan-out of 8 costs 1/7 of the base's count in extra blocks, and a query reads
// at most about 8 blocks per output bucket (a fan-out of 2 would read fewer but store seven
// times more).
//
// Each level also keeps its incomplete last block as a double aggregate, fed by the level
// below when one of its blocks completes, so appending costs O(1) amortised and block means
// are rounded to float once, when the block completes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "app/history/series_block.h"

namespace gradscope::app {

class BlockPyramid {
 public:
  static constexpr int kFanOut = 8;
  static constexpr int kFanOutBits = 3;

  void clear();
  // The most base blocks the owner will hold (0: unbounded). Levels then never reserve more
  // than they can need, so a bounded series' memory is exactly bounded.
  void setBaseCapacity(std::int64_t blocks) { m_baseCapacity = blocks; }
  // Appends one complete base block and folds it into every level.
  void append(const SeriesAggregate& base);
  // Recomputes every level from `base` (after the owner has coarsened its base).
  void rebuild(const std::vector<SeriesBlock>& base);
  // Forgets the complete blocks that lie wholly before base index `first` (the owner no longer
  // holds that part of its base, see StepSeries): visit() must then start at `first` or later.
  void dropBefore(std::int64_t first);

  std::int64_t baseCount() const { return m_baseCount; }
  // Levels including level 0 (the base).
  int levelCount() const { return int(m_levels.size()) + 1; }
  // Base blocks per block of `level`: kFanOut^level.
  static std::int64_t levelWidth(int level) { return std::int64_t(1) << (kFanOutBits * level); }

  // Calls piece(firstBaseIndex, SeriesAggregate) for a set of disjoint blocks that exactly
  // covers base indices [first, last] (0 <= first <= last < baseCount()): whole blocks of
  // `level` inside the range, and finer blocks at its two ends, so the ends are exact. The
  // last, incomplete block of each level counts as whole when the range reaches the last base
  // block. base(i) returns base block i as a SeriesAggregate. Cost: O(blocks of `level` in
  // range + 2 * kFanOut * level).
  template <typename BaseFn, typename PieceFn>
  void visit(std::int64_t first, std::int64_t last, int level, const BaseFn& base,
             const PieceFn& piece) const;

  std::size_t bytes() const;

 private:
  struct Level {
    std::vector<SeriesBlock> blocks;  // complete blocks, from index `dropped` on
    std::int64_t dropped = 0;         // complete blocks forgotten at the front (dropBefore)
    SeriesAggregate open;             // complete blocks of the level below not yet in a block here
    std::int64_t complete() const { return dropped + std::int64_t(blocks.size()); }
  };
  // The incomplete last block of `level`: its own open part and those of every level below.
  SeriesAggregate trailing(int level) const;

  std::int64_t m_baseCount = 0;
  std::int64_t m_baseCapacity = 0;
  std::vector<Level> m_levels;  // m_levels[k - 1] is level k
};

template <typename BaseFn, typename PieceFn>
void BlockPyramid::visit(std::int64_t first, std::int64_t last, int level, const BaseFn& base,
                         const PieceFn& piece) const {
  if (first > last) return;
  if (level <= 0) {
    for (std::int64_t i = first; i <= last; ++i) piece(i, base(i));
    return;
  }
  const std::int64_t width = levelWidth(level);
  const Level& stored = m_levels[std::size_t(level - 1)];
  const std::int64_t complete = stored.complete();
  const std::int64_t firstWhole = (first + width - 1) / width;
  // A range that reaches the end takes the incomplete last block whole.
  const std::int64_t lastWhole =
      last + 1 >= m_baseCount ? (m_baseCount - 1) / width : (last + 1) / width - 1;
  if (firstWhole > lastWhole) {
    visit(first, last, level - 1, base, piece);
    return;
  }
  visit(first, firstWhole * width - 1, level - 1, base, piece);
  for (std::int64_t b = firstWhole; b <= lastWhole; ++b)
    piece(b * width, b < complete ? stored.blocks[std::size_t(b - stored.dropped)].aggregate()
                                  : trailing(level));
  visit((lastWhole + 1) * width, last, level - 1, base, piece);
}

}  // namespace gradscope::app
