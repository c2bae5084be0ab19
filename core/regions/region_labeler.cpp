#include "core/regions/region_labeler.h"

namespace gradscope::core {

std::size_t RegionLabeler::KeyHash::operator()(const Key& key) const {
  // FNV-1a over the words, mixing each whole word.
  std::uint64_t hash = 1469598103934665603ull;
  for (const std::uint64_t w : key.words) {
    hash ^= w + 0x9e3779b97f4a7c15ull + (hash << 6) + (hash >> 2);
    hash *= 1099511628211ull;
  }
  return std::size_t(hash);
}

std::vector<int> RegionLabeler::label(const ActivationPatterns& patterns) {
  std::vector<int> ids(std::size_t(patterns.points), 0);
  std::unordered_map<Key, int, KeyHash> current;
  Key key;
  for (Index p = 0; p < patterns.points; ++p) {
    // Neighbouring points mostly share a region: compare with the previous point first.
    if (p > 0 && patterns.samePattern(p, p - 1)) {
      ids[std::size_t(p)] = ids[std::size_t(p - 1)];
      continue;
    }
    const std::uint64_t* bits = patterns.pattern(p);
    key.words.assign(bits, bits + patterns.words);
    auto it = current.find(key);
    if (it == current.end()) {
      const auto known = m_known.find(key);
      const int id = known != m_known.end() ? known->second : m_nextId++;
      it = current.emplace(key, id).first;
    }
    ids[std::size_t(p)] = it->second;
  }
  m_known = std::move(current);
  return ids;
}

void RegionLabeler::reset() {
  m_known.clear();
  m_nextId = 0;
}

}  // namespace gradscope::core
