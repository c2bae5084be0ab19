// The unit of the metric history's decimation: the minimum, maximum, mean and count of the
// values measured over a run of consecutive steps. NaN means "not measured at that step" and
// is skipped, so a block of a stride metric (measured every 10th step) averages only the
// measured steps. Blocks combine associatively, so a block made of eight blocks is exact up
// to float rounding.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>

namespace gradscope::app {

// Finite doubles beyond the float range saturate to +-FLT_MAX instead of becoming infinite,
// so a chart's axis stays finite for a loss of 1e300; true infinities stay infinite.
inline float toStoredFloat(double value) {
  constexpr double kMax = std::numeric_limits<float>::max();
  if (std::isfinite(value)) return float(value > kMax ? kMax : (value < -kMax ? -kMax : value));
  return float(value);
}

// Accumulation and query form, in double, so raw values pass through a decimation exactly.
struct SeriesAggregate {
  double min = std::numeric_limits<double>::infinity();
  double max = -std::numeric_limits<double>::infinity();
  double sum = 0.0;
  std::int64_t count = 0;  // measured (non-NaN) values

  bool empty() const { return count == 0; }
  double mean() const { return count > 0 ? sum / double(count) : std::nan(""); }

  // Plain comparisons: NaN never gets this far.
  void add(double value) {
    if (std::isnan(value)) return;
    min = value < min ? value : min;
    max = value > max ? value : max;
    sum += value;
    ++count;
  }
  void merge(const SeriesAggregate& other) {
    if (other.count == 0) return;
    min = other.min < min ? other.min : min;
    max = other.max > max ? other.max : max;
    sum += other.sum;
    count += other.count;
  }
  static SeriesAggregate of(double value) {
    SeriesAggregate a;
    a.add(value);
    return a;
  }
};

// Stored form, 16 bytes. Floats hold display precision (7 significant digits); the history
// keeps exact per-step values where they are needed (the loss, for export and sessions). The
// mean is stored rather than the sum: a float sum of a 512-step block loses digits with the
// block's length, a mean merged in double and rounded once per merge does not.
struct SeriesBlock {
  float min = std::numeric_limits<float>::infinity();
  float max = -std::numeric_limits<float>::infinity();
  float mean = 0.0f;
  std::uint32_t count = 0;

  bool empty() const { return count == 0; }

  static SeriesBlock of(const SeriesAggregate& a) {
    SeriesBlock b;
    if (a.count > 0)
      b = {toStoredFloat(a.min), toStoredFloat(a.max), toStoredFloat(a.mean()),
           std::uint32_t(a.count)};
    return b;
  }
  SeriesAggregate aggregate() const {
    SeriesAggregate a;
    if (count > 0) a = {min, max, double(mean) * double(count), std::int64_t(count)};
    return a;
  }
  void merge(const SeriesBlock& other) {
    if (other.count == 0) return;
    // Equal counts (the usual pair of fully measured blocks) need no division.
    mean = toStoredFloat(count == other.count
                             ? (double(mean) + double(other.mean)) * 0.5
                             : (double(mean) * count + double(other.mean) * other.count) /
                                   (double(count) + other.count));
    min = std::fmin(min, other.min);
    max = std::fmax(max, other.max);
    count += other.count;
  }
};

}  // namespace gradscope::app
