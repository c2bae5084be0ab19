#include "app/history/bucket_grid.h"

#include <algorithm>

namespace gradscope::app {

namespace {

std::int64_t floorDiv(std::int64_t a, std::int64_t b) {
  const std::int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

}  // namespace

std::int64_t BucketGrid::blocksInRange(std::int64_t from, std::int64_t to,
                                       std::int64_t blockSteps) {
  if (from > to) return 0;
  return floorDiv(to, blockSteps) - floorDiv(from, blockSteps) + 1;
}

void BucketGrid::reset(std::int64_t from, std::int64_t to, int points, std::int64_t blockSteps) {
  m_from = from;
  m_to = to;
  m_blockSteps = blockSteps;
  m_firstBlock = floorDiv(from, blockSteps);
  m_blocks = blocksInRange(from, to, blockSteps);
  const std::int64_t buckets = std::min<std::int64_t>(std::max(points, 1), m_blocks);
  m_buckets.assign(std::size_t(std::max<std::int64_t>(buckets, 0)), SeriesAggregate{});
  m_cursor = 0;
  m_cursorLast = m_buckets.empty() ? -1 : bucketLastStep(0);
}

int BucketGrid::bucketOf(std::int64_t step) const {
  const std::int64_t block = floorDiv(std::max(step, m_from), m_blockSteps) - m_firstBlock;
  // Block b of m goes to bucket floor(b * buckets / m): each bucket gets floor or ceil(m / N).
  const std::int64_t bucket = block * std::int64_t(m_buckets.size()) / m_blocks;
  return int(std::min<std::int64_t>(bucket, std::int64_t(m_buckets.size()) - 1));
}

std::int64_t BucketGrid::blockStart(std::int64_t bucket) const {
  // The smallest block b with floor(b * N / m) >= bucket: ceil(bucket * m / N).
  const std::int64_t n = std::int64_t(m_buckets.size());
  return (bucket * m_blocks + n - 1) / n;
}

std::int64_t BucketGrid::bucketFirstStep(int bucket) const {
  return std::max(m_from, (m_firstBlock + blockStart(bucket)) * m_blockSteps);
}

std::int64_t BucketGrid::bucketLastStep(int bucket) const {
  return std::min(m_to, (m_firstBlock + blockStart(bucket + 1)) * m_blockSteps - 1);
}

DecimatedSeries BucketGrid::series(std::int64_t stepOffset, std::int64_t resolution) const {
  DecimatedSeries out;
  out.resolution = resolution;
  out.buckets.reserve(m_buckets.size());
  for (int i = 0; i < bucketCount(); ++i) {
    const SeriesAggregate& a = m_buckets[std::size_t(i)];
    if (a.empty()) continue;
    out.buckets.push_back(
        {bucketFirstStep(i) + stepOffset, bucketLastStep(i) + stepOffset, a.min, a.max, a.mean()});
  }
  return out;
}

}  // namespace gradscope::app
