// A distribution of non-negative integer samples (latencies in ns, sizes...)
// with deterministic percentiles and bounded memory.
//
// Up to kExactSamples samples every sample is kept and percentiles are exact.
// Past that the samples move into a log-linear histogram (HDR-like): values
// below 2^kSubBucketBits have a bucket each, and every power-of-two range
// above is split into 2^kSubBucketBits equal buckets, so a bucket is at most
// 2^-10 (0.098 %) of its values wide. A percentile is then reported as the
// upper end of its bucket, clamped to max(): never below the true value and
// at most 0.098 % above it. Memory is at most max(kExactSamples * 8 bytes,
// kBucketCount * 8 bytes) (~512 KiB) however many samples are recorded.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace hilcap::sim {

class Distribution {
 public:
  static constexpr std::size_t kExactSamples = 65536;
  static constexpr unsigned kSubBucketBits = 10;

  // `value` must be >= 0.
  void record(std::int64_t value);

  std::uint64_t count() const { return count_; }
  bool exact() const { return buckets_.empty(); }
  // min/max/mean are exact at any count; all three are 0 when count() is 0.
  std::int64_t min() const { return count_ ? min_ : 0; }
  std::int64_t max() const { return count_ ? max_ : 0; }
  double mean() const;

  // Nearest-rank percentile: the smallest sample v such that at least
  // parts_per_million / 1e6 of the samples are <= v (p99.9 is 999'000).
  // 0 when there are no samples. See the header comment for precision.
  std::int64_t percentile(std::uint32_t parts_per_million) const;

  // The samples counted in `bins` equal bins of `width` (> 0) from `low`:
  // bin i holds [low + i * width, low + (i + 1) * width); the first also
  // takes what lies below `low`, the last what lies above. In histogram
  // mode a sample counts at its bucket's upper end (clamped to max()).
  std::vector<std::uint64_t> histogram(std::int64_t low, std::int64_t width,
                                       std::size_t bins) const;

  // Heap bytes held: bounded, whatever count() is.
  std::size_t memory_bytes() const;

 private:
  void move_samples_to_buckets();

  std::uint64_t count_ = 0;
  std::int64_t min_ = 0;
  std::int64_t max_ = 0;
  unsigned __int128 sum_ = 0;
  mutable std::vector<std::int64_t> samples_;  // exact mode; sorted lazily
  mutable bool sorted_ = true;
  std::vector<std::uint64_t> buckets_;  // histogram mode
};

}  // namespace hilcap::sim
