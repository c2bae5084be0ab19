// An append-only array in fixed-size chunks, for the per-step series of a long run: appending
// never copies what is stored (no 8 MB reallocation on the GUI thread at a million steps) and
// never holds more than one partly used chunk, where a std::vector may reserve twice its size.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace gradscope::app {

template <typename T, std::size_t kChunk = 16384>
class ChunkedVector {
 public:
  std::int64_t size() const { return m_size; }
  bool empty() const { return m_size == 0; }

  void append(T value) {
    const std::size_t chunk = std::size_t(m_size) / kChunk - m_erased;
    // Default-initialised (not zeroed): pages are touched only as values are written.
    if (chunk == m_chunks.size()) m_chunks.emplace_back(new T[kChunk]);
    m_chunks[chunk][std::size_t(m_size) % kChunk] = value;
    ++m_size;
  }

  static constexpr std::int64_t chunkSize() { return std::int64_t(kChunk); }

  // Frees the chunks that lie wholly before `index` (their values may no longer be read).
  void dropBefore(std::int64_t index) {
    if (std::size_t(index) / kChunk <= m_erased) return;
    const std::size_t chunks = std::min(std::size_t(index) / kChunk - m_erased, m_chunks.size());
    for (std::size_t c = m_dropped; c < chunks; ++c) m_chunks[c].reset();
    m_dropped = std::max(m_dropped, chunks);
    // The table of chunks does not grow either: freed entries leave it in halves.
    if (m_dropped > 0 && m_dropped * 2 >= m_chunks.size()) {
      m_chunks.erase(m_chunks.begin(), m_chunks.begin() + std::ptrdiff_t(m_dropped));
      m_erased += m_dropped;
      m_dropped = 0;
    }
  }

  T operator[](std::int64_t index) const {
    return m_chunks[std::size_t(index) / kChunk - m_erased][std::size_t(index) % kChunk];
  }

  void clear() {
    m_chunks.clear();
    m_chunks.shrink_to_fit();
    m_size = 0;
    m_dropped = 0;
    m_erased = 0;
  }

  std::size_t bytes() const {
    return (m_chunks.size() - m_dropped) * kChunk * sizeof(T) +
           m_chunks.capacity() * sizeof(std::unique_ptr<T[]>);
  }

 private:
  std::vector<std::unique_ptr<T[]>> m_chunks;
  std::int64_t m_size = 0;
  std::size_t m_dropped = 0;  // chunks freed at the front of m_chunks
  std::size_t m_erased = 0;   // chunks no longer in m_chunks at all
};

}  // namespace gradscope::app
