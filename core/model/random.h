// Seeded, portable random numbers: xoshiro256** (Blackman & Vigna 2018) with our own
// conversions to uniform and normal variates, so that a seed gives the same run on every
// compiler and standard library (std::normal_distribution is implementation-defined).
// The whole state is four 64-bit words, which sessions save for exact resumption.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

namespace gradscope::core {

class Rng {
 public:
  using State = std::array<std::uint64_t, 4>;

  explicit Rng(std::uint64_t seed = 0) { reseed(seed); }
  void reseed(std::uint64_t seed);

  std::uint64_t nextU64();
  // Uniform in [0, 1) with 53 random bits.
  double uniform();
  double uniform(double low, double high) { return low + (high - low) * uniform(); }
  // Uniform integer in [0, n).
  std::uint64_t below(std::uint64_t n);
  // Standard normal by the polar Box-Muller method; the spare variate is cached (and saved).
  double normal();
  double normal(double mean, double stddev) { return mean + stddev * normal(); }
  // Normal restricted to [mean - 2 stddev, mean + 2 stddev] by rejection, as Keras's
  // TruncatedNormal.
  double truncatedNormal(double mean, double stddev);
  // Fisher-Yates shuffle of `values`.
  void shuffle(std::vector<std::int64_t>& values);

  // A child generator with its own stream, for sub-tasks that must not disturb this one.
  Rng split();

  State state() const { return m_state; }
  bool hasSpareNormal() const { return m_hasSpare; }
  double spareNormal() const { return m_spare; }
  void restore(const State& state, bool hasSpare = false, double spare = 0.0);

 private:
  State m_state{};
  bool m_hasSpare = false;
  double m_spare = 0.0;
};

}  // namespace gradscope::core
