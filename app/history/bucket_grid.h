// Divides a step range into at most N buckets for decimation. The range is first cut into
// blocks of a given width aligned to step 0 (the width of the stored blocks the query reads)
// and whole blocks are then dealt out to the buckets, floor or ceil(blocks / N) each, so a
// stored block never straddles two buckets and every bucket's min/max is exact. The first and
// last buckets are clipped to the range. Steps here are relative to the run's first step.
#pragma once

#include <cstdint>
#include <vector>

#include "app/history/decimated_series.h"
#include "app/history/series_block.h"

namespace gradscope::app {

class BucketGrid {
 public:
  // [from, to] with from <= to, points >= 1, blockSteps >= 1.
  void reset(std::int64_t from, std::int64_t to, int points, std::int64_t blockSteps);

  // Blocks of `blockSteps` that overlap [from, to].
  static std::int64_t blocksInRange(std::int64_t from, std::int64_t to, std::int64_t blockSteps);

  int bucketCount() const { return int(m_buckets.size()); }
  // The bucket of a value or block that starts at `step` (steps before the range count as
  // its first step: a coarse stored block may begin before the range).
  int bucketOf(std::int64_t step) const;
  std::int64_t bucketFirstStep(int bucket) const;
  std::int64_t bucketLastStep(int bucket) const;

  // Adds a value or block starting at `step`. Steps must not decrease between calls (queries
  // read series in step order), so the bucket is found by advancing a cursor, without the two
  // divisions of bucketOf() per block.
  void add(std::int64_t step, const SeriesAggregate& value) {
    while (step > m_cursorLast && m_cursor + 1 < bucketCount())
      m_cursorLast = bucketLastStep(++m_cursor);
    m_buckets[std::size_t(m_cursor)].merge(value);
  }
  const SeriesAggregate& bucket(int bucket) const { return m_buckets[std::size_t(bucket)]; }

  // Non-empty buckets, with steps shifted by `stepOffset` (the run's first step).
  DecimatedSeries series(std::int64_t stepOffset, std::int64_t resolution) const;

 private:
  std::int64_t blockStart(std::int64_t bucket) const;  // first block index of a bucket

  std::int64_t m_from = 0;
  std::int64_t m_to = -1;
  std::int64_t m_blockSteps = 1;
  std::int64_t m_firstBlock = 0;  // block index of m_from
  std::int64_t m_blocks = 0;      // blocks in range
  std::vector<SeriesAggregate> m_buckets;
  int m_cursor = 0;                // bucket of the last add()
  std::int64_t m_cursorLast = -1;  // its last step
};

}  // namespace gradscope::app
