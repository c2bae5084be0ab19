#include "app/history/block_pyramid.h"

#include <algorithm>

namespace gradscope::app {

void BlockPyramid::clear() {
  m_levels.clear();
  m_baseCount = 0;
}

void BlockPyramid::append(const SeriesAggregate& base) {
  ++m_baseCount;
  SeriesAggregate carry = base;
  std::int64_t below = m_baseCount;  // blocks of the level below, complete ones
  for (std::size_t k = 0;; ++k) {
    if (k == m_levels.size()) m_levels.emplace_back();
    Level& level = m_levels[k];
    level.open.merge(carry);
    // The level below has just completed one more block; every kFanOut of them complete one
    // block here, which then moves up in turn.
    if (below % kFanOut != 0) return;
    std::vector<SeriesBlock>& blocks = level.blocks;
    if (m_baseCapacity > 0 && blocks.size() == blocks.capacity()) {
      const std::size_t limit = std::size_t((m_baseCapacity >> (kFanOutBits * (k + 1))) + 1);
      blocks.reserve(std::max(blocks.size() + 1,
                              std::min(limit, std::max<std::size_t>(8, 2 * blocks.size()))));
    }
    blocks.push_back(SeriesBlock::of(level.open));
    carry = level.open;
    level.open = {};
    below = level.complete();
  }
}

void BlockPyramid::rebuild(const std::vector<SeriesBlock>& base) {
  // Level by level in one pass each, leaving the state append() would have built: level k+1
  // exists once level k has a complete block, and each level's open part holds the blocks
  // below that do not fill a block of its own. Level vectors keep their capacity (a coarsened
  // base refills them to the same size again); levels above the new top are left empty.
  for (Level& level : m_levels) {
    level.blocks.clear();
    level.dropped = 0;
    level.open = {};
  }
  m_baseCount = std::int64_t(base.size());
  const std::vector<SeriesBlock>* below = &base;
  for (std::size_t k = 0; !below->empty(); ++k) {
    if (k == m_levels.size()) m_levels.emplace_back();
    Level& level = m_levels[k];
    const std::size_t complete = below->size() / kFanOut;
    level.blocks.reserve(complete);
    for (std::size_t b = 0; b < complete; ++b) {
      SeriesAggregate a;
      for (std::size_t i = b * kFanOut; i < (b + 1) * kFanOut; ++i)
        a.merge((*below)[i].aggregate());
      level.blocks.push_back(SeriesBlock::of(a));
    }
    for (std::size_t i = complete * kFanOut; i < below->size(); ++i)
      level.open.merge((*below)[i].aggregate());
    below = &level.blocks;
  }
}

void BlockPyramid::dropBefore(std::int64_t first) {
  for (std::size_t k = 0; k < m_levels.size(); ++k) {
    Level& level = m_levels[k];
    const std::int64_t keepFrom = first >> (kFanOutBits * (k + 1));  // blocks wholly before go
    const std::int64_t drop = std::min(keepFrom, level.complete()) - level.dropped;
    if (drop <= 0) continue;
    level.blocks.erase(level.blocks.begin(), level.blocks.begin() + drop);
    level.dropped += drop;
  }
}

SeriesAggregate BlockPyramid::trailing(int level) const {
  SeriesAggregate a;
  for (int k = 0; k < level; ++k) a.merge(m_levels[std::size_t(k)].open);
  return a;
}

std::size_t BlockPyramid::bytes() const {
  std::size_t total = m_levels.capacity() * sizeof(Level);
  for (const Level& level : m_levels) total += level.blocks.capacity() * sizeof(SeriesBlock);
  return total;
}

}  // namespace gradscope::app
