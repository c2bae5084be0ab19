// Gives each distinct activation pattern an id, so that a picture can colour the linear regions
// and a chart can count them (see activation_patterns.h).
//
// Ids are stable while a network trains: a pattern that was present in the previous labelling
// keeps its id, a new pattern gets the next unused id (ids are never reused, so a region that
// disappears and a new one never share a colour). Within one labelling, new patterns are
// numbered in the order the points list them. The count is the number of distinct patterns
// among the points: on a grid over a square, a lower bound on the regions meeting the square
// that is reached once the grid is finer than the thinnest region.
#pragma once

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "core/regions/activation_patterns.h"

namespace gradscope::core {

class RegionLabeler {
 public:
  // Every point's region id (patterns.points of them); remembers the patterns for the next call.
  std::vector<int> label(const ActivationPatterns& patterns);
  // Distinct patterns in the last labelling (0 before the first).
  int regionCount() const { return int(m_known.size()); }
  // Forgets every pattern (a new network): ids start again from 0.
  void reset();

 private:
  struct Key {
    std::vector<std::uint64_t> words;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    std::size_t operator()(const Key& key) const;
  };
  std::unordered_map<Key, int, KeyHash> m_known;
  int m_nextId = 0;
};

}  // namespace gradscope::core
