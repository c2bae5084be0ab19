// The per-layer histograms of a run, taken at the probes' stride, in bounded memory.
//
// Thinning rule: frames (all layers' histograms at one step) are numbered in arrival order
// (0, 1, 2, ...). The latest `recentFrames` frames are always kept. Older frames are kept
// only if their number is a multiple of 2^k, where k starts at 0 (keep all) and grows by one
// each time the store would exceed `capacity` frames, which removes every other old frame.
// So the run stays covered from its first frame (number 0 is always kept) to the latest, old
// frames evenly spaced, and a change of the probe stride does not disturb the rule. The
// capacity follows from a byte budget and the size of the first sample times the layers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/probes/probes.h"

namespace gradscope::app {

struct HistogramSample;

struct HistogramFrame {
  std::int64_t step = 0;
  std::vector<core::LayerHistograms> layers;  // by Dense layer; empty histograms if missing
};

class HistogramStore {
 public:
  HistogramStore(std::size_t budgetBytes, int recentFrames);

  void clear();
  void add(const HistogramSample& sample, int layerCount);

  bool empty() const { return m_frames.empty(); }
  std::size_t size() const { return m_frames.size(); }
  std::size_t capacity() const { return m_capacity; }
  const HistogramFrame* latest() const;
  // The frame at `step` or the nearest one before it; nullptr if every frame is later.
  const HistogramFrame* at(std::int64_t step) const;
  std::vector<std::int64_t> steps() const;

  std::size_t bytes() const;

 private:
  struct Entry {
    HistogramFrame frame;
    std::int64_t number = 0;
  };
  bool keepsOld(const Entry& entry) const { return entry.number % m_spacing == 0; }
  void thin();
  static std::size_t frameBytes(const HistogramFrame& frame);

  std::size_t m_budget;
  std::size_t m_recent;
  std::size_t m_capacity = 0;  // set from the first frame's size
  std::int64_t m_spacing = 1;  // 2^k
  std::int64_t m_nextNumber = 0;
  std::vector<Entry> m_frames;  // by step
  std::size_t m_frameBytes = 0;
};

}  // namespace gradscope::app
