// One scalar per training step for the whole run, at full resolution, with a min/max/mean
// pyramid (fan-out 8) over it so any range decimates in time independent of the run's length.
// Exact series store doubles (the loss: exported and resumed as measured); the others store
// floats, enough for display and export of accuracies, norms and flags. Indices are steps
// relative to the run's first step.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "app/history/block_pyramid.h"
#include "app/history/chunked_vector.h"
#include "app/history/decimated_series.h"

namespace gradscope::app {

class BucketGrid;

class StepSeries {
 public:
  explicit StepSeries(bool exact = true) : m_exact(exact) {}

  bool exact() const { return m_exact; }
  void clear();
  void append(double value);  // NaN: not measured at this step
  std::int64_t size() const { return m_exact ? m_doubles.size() : m_floats.size(); }
  double value(std::int64_t index) const {
    return m_exact ? m_doubles[index] : double(m_floats[index]);
  }

  // Buckets over relative steps [from, to] (clamped to the stored steps), steps in the result
  // shifted by stepOffset. Reads O(points * 8 + 16 * levels) values.
  DecimatedSeries decimate(std::int64_t from, std::int64_t to, int points,
                           std::int64_t stepOffset) const;
  // Adds the range to `grid` (already reset for it), reading the coarsest pyramid level
  // whose blocks fit the grid's blocks.
  void accumulate(std::int64_t from, std::int64_t to, int level, BucketGrid& grid) const;
  // The coarsest level with at least `points` blocks in [from, to] (0 if none has).
  int levelFor(std::int64_t from, std::int64_t to, int points) const;

  std::size_t bytes() const;

 private:
  bool m_exact;
  ChunkedVector<double> m_doubles;
  ChunkedVector<float> m_floats;
  BlockPyramid m_pyramid;
};

}  // namespace gradscope::app
