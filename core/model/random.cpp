#include "core/model/random.h"

#include <cmath>

namespace gradscope::core {

namespace {
std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

// splitmix64 expands one seed into a well-mixed state (the generator's authors' advice).
std::uint64_t splitmix64(std::uint64_t& x) {
  std::uint64_t z = (x += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}
}  // namespace

void Rng::reseed(std::uint64_t seed) {
  std::uint64_t x = seed;
  for (auto& word : m_state) word = splitmix64(x);
  m_hasSpare = false;
  m_spare = 0.0;
}

std::uint64_t Rng::nextU64() {
  const std::uint64_t result = rotl(m_state[1] * 5, 7) * 9;
  const std::uint64_t t = m_state[1] << 17;
  m_state[2] ^= m_state[0];
  m_state[3] ^= m_state[1];
  m_state[1] ^= m_state[2];
  m_state[0] ^= m_state[3];
  m_state[2] ^= t;
  m_state[3] = rotl(m_state[3], 45);
  return result;
}

double Rng::uniform() { return static_cast<double>(nextU64() >> 11) * 0x1.0p-53; }

std::uint64_t Rng::below(std::uint64_t n) {
  if (n <= 1) return 0;
  // Rejection removes the modulo bias.
  const std::uint64_t limit = UINT64_MAX - UINT64_MAX % n;
  std::uint64_t x;
  do {
    x = nextU64();
  } while (x >= limit);
  return x % n;
}

double Rng::normal() {
  if (m_hasSpare) {
    m_hasSpare = false;
    return m_spare;
  }
  double u, v, s;
  do {
    u = 2.0 * uniform() - 1.0;
    v = 2.0 * uniform() - 1.0;
    s = u * u + v * v;
  } while (s >= 1.0 || s == 0.0);
  const double factor = std::sqrt(-2.0 * std::log(s) / s);
  m_spare = v * factor;
  m_hasSpare = true;
  return u * factor;
}

double Rng::truncatedNormal(double mean, double stddev) {
  double z;
  do {
    z = normal();
  } while (std::abs(z) > 2.0);
  return mean + stddev * z;
}

void Rng::shuffle(std::vector<std::int64_t>& values) {
  for (std::size_t i = values.size(); i > 1; --i) {
    const std::size_t j = static_cast<std::size_t>(below(i));
    std::swap(values[i - 1], values[j]);
  }
}

Rng Rng::split() {
  Rng child;
  child.reseed(nextU64());
  return child;
}

void Rng::restore(const State& state, bool hasSpare, double spare) {
  m_state = state;
  m_hasSpare = hasSpare;
  m_spare = spare;
}

}  // namespace gradscope::core
