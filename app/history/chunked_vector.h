// An append-only array in fixed-size chunks, for the per-step series of a long run: appending
// never copies what is stored (no 8 MB reallocation on the GUI thread at a million steps) and
// never holds more than one partly used chunk, where a std::vector may reserve twice its size.
#pragma once

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
    const std::size_t chunk = std::size_t(m_size) / kChunk;
    // Default-initialised (not zeroed): pages are touched only as values are written.
    if (chunk == m_chunks.size()) m_chunks.emplace_back(new T[kChunk]);
    m_chunks[chunk][std::size_t(m_size) % kChunk] = value;
    ++m_size;
  }

  T operator[](std::int64_t index) const {
    return m_chunks[std::size_t(index) / kChunk][std::size_t(index) % kChunk];
  }

  void clear() {
    m_chunks.clear();
    m_chunks.shrink_to_fit();
    m_size = 0;
  }

  std::size_t bytes() const {
    return m_chunks.size() * kChunk * sizeof(T) +
           m_chunks.capacity() * sizeof(std::unique_ptr<T[]>);
  }

 private:
  std::vector<std::unique_ptr<T[]>> m_chunks;
  std::int64_t m_size = 0;
};

}  // namespace gradscope::app
