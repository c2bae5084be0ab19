#include "app/history/histogram_store.h"

#include <algorithm>

#include "app/worker/snapshot.h"

namespace gradscope::app {

HistogramStore::HistogramStore(std::size_t budgetBytes, int recentFrames)
    : m_budget(budgetBytes), m_recent(std::size_t(std::max(recentFrames, 1))) {}

void HistogramStore::clear() {
  m_frames = {};
  m_capacity = 0;
  m_spacing = 1;
  m_nextNumber = 0;
  m_frameBytes = 0;
}

namespace {

// What the allocator adds to each heap block (glibc: 8-16 bytes); each histogram's counts are
// one block, and thousands of them make it worth counting.
constexpr std::size_t kAllocationOverhead = 16;

std::size_t countsBytes(const core::LayerHistograms& h) {
  std::size_t bytes = 0;
  for (const core::Histogram* c : {&h.preActivation, &h.activation, &h.gradientLog10})
    if (c->counts.capacity() > 0)
      bytes += c->counts.capacity() * sizeof(std::uint32_t) + kAllocationOverhead;
  return bytes;
}

}  // namespace

std::size_t HistogramStore::frameBytes(const HistogramFrame& frame) {
  std::size_t bytes =
      sizeof(Entry) + frame.layers.capacity() * sizeof(core::LayerHistograms) + kAllocationOverhead;
  for (const core::LayerHistograms& h : frame.layers) bytes += countsBytes(h);
  return bytes;
}

void HistogramStore::add(const HistogramSample& sample, int layerCount) {
  if (sample.layer < 0) return;
  HistogramFrame* frame = nullptr;
  if (!m_frames.empty() && m_frames.back().frame.step == sample.step) {
    frame = &m_frames.back().frame;
  } else if (m_frames.empty() || m_frames.back().frame.step < sample.step) {
    Entry entry;
    entry.frame.step = sample.step;
    entry.number = m_nextNumber++;
    m_frames.push_back(std::move(entry));
    frame = &m_frames.back().frame;
    // The frame that just left the recent window stays only if the current spacing keeps it.
    if (m_frames.size() > m_recent) {
      const std::size_t left = m_frames.size() - m_recent - 1;
      if (!keepsOld(m_frames[left])) m_frames.erase(m_frames.begin() + std::ptrdiff_t(left));
      frame = &m_frames.back().frame;
    }
  } else {
    // A late sample for an earlier step: fill its frame if that is still kept.
    auto it = std::lower_bound(m_frames.begin(), m_frames.end(), sample.step,
                               [](const Entry& e, std::int64_t s) { return e.frame.step < s; });
    if (it == m_frames.end() || it->frame.step != sample.step) return;
    frame = &it->frame;
  }
  const std::size_t layers = std::size_t(std::max(layerCount, sample.layer + 1));
  if (frame->layers.size() < layers) frame->layers.resize(layers);
  frame->layers[std::size_t(sample.layer)] = sample.histograms;

  if (m_capacity == 0) {
    // The first sample sizes the store: every layer's histograms have the same bins.
    m_frameBytes = sizeof(Entry) + kAllocationOverhead +
                   layers * (sizeof(core::LayerHistograms) + countsBytes(sample.histograms));
    m_capacity = std::max(2 * m_recent + 2, m_budget / m_frameBytes);
  }
  if (m_capacity > 0 && m_frames.size() > m_capacity) thin();
}

void HistogramStore::thin() {
  while (m_frames.size() > m_capacity) {
    m_spacing *= 2;
    const auto oldEnd = m_frames.end() - std::ptrdiff_t(std::min(m_recent, m_frames.size()));
    const auto kept =
        std::remove_if(m_frames.begin(), oldEnd, [this](const Entry& e) { return !keepsOld(e); });
    m_frames.erase(kept, oldEnd);
  }
}

const HistogramFrame* HistogramStore::latest() const {
  return m_frames.empty() ? nullptr : &m_frames.back().frame;
}

const HistogramFrame* HistogramStore::at(std::int64_t step) const {
  auto it = std::upper_bound(m_frames.begin(), m_frames.end(), step,
                             [](std::int64_t s, const Entry& e) { return s < e.frame.step; });
  if (it == m_frames.begin()) return nullptr;
  return &std::prev(it)->frame;
}

std::vector<std::int64_t> HistogramStore::steps() const {
  std::vector<std::int64_t> out;
  out.reserve(m_frames.size());
  for (const Entry& e : m_frames) out.push_back(e.frame.step);
  return out;
}

std::size_t HistogramStore::bytes() const {
  std::size_t total = (m_frames.capacity() - m_frames.size()) * sizeof(Entry);
  for (const Entry& e : m_frames) total += frameBytes(e.frame);
  return total;
}

}  // namespace gradscope::app
