// Synthetic measurements for the history and session-size tools: a cheap deterministic noise
// source, so that generating data costs little next to storing it, and random histograms
// (the worst case for compression).
#pragma once

#include <cstdint>

#include "core/probes/probes.h"

namespace gradscope::bench {

// xorshift, uniform in [0, 1).
struct Noise {
  std::uint64_t state = 0x9E3779B97F4A7C15ull;
  double next() {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return double(state >> 11) * (1.0 / 9007199254740992.0);
  }
};

inline core::Histogram randomHistogram(int bins, double low, double high, Noise& noise) {
  core::Histogram h;
  h.low = low;
  h.high = high;
  h.counts.resize(std::size_t(bins));
  for (auto& c : h.counts) c = std::uint32_t(noise.next() * 1000.0);
  return h;
}

}  // namespace gradscope::bench
