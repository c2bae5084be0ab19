// What the metric history answers to "this series over this step range at N points": up to N
// buckets, each the minimum, maximum and mean of the values measured in a range of steps. A
// chart draws min and max per bucket (a pixel column), so a one-step spike stays visible at
// any zoom.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace gradscope::app {

struct DecimatedBucket {
  std::int64_t step = 0;      // first step of the bucket (the x to plot)
  std::int64_t lastStep = 0;  // last step of the bucket
  double min = 0.0;
  double max = 0.0;
  double mean = 0.0;  // over the measured (non-NaN) values
};

struct DecimatedSeries {
  // Steps per stored value in the oldest part of the range: 1 when every step is available,
  // larger where the history keeps only blocks of older per-layer values (zooming in further
  // cannot show more detail there).
  std::int64_t resolution = 1;
  // Buckets in step order; a bucket with no measured value is left out.
  std::vector<DecimatedBucket> buckets;

  bool empty() const { return buckets.empty(); }
  std::size_t size() const { return buckets.size(); }
};

}  // namespace gradscope::app
