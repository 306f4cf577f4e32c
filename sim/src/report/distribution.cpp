#include "report/distribution.h"

#include <algorithm>
#include <bit>
#include <cassert>

namespace hilcap::sim {
namespace {

constexpr std::uint64_t kSubBuckets = std::uint64_t{1} << Distribution::kSubBucketBits;
// Values are < 2^63, so the highest power-of-two range starts at 2^62.
constexpr std::size_t kBucketCount = kSubBuckets * (1 + 63 - Distribution::kSubBucketBits);

std::size_t bucket_of(std::uint64_t value) {
  if (value < kSubBuckets) return value;
  const unsigned exponent = std::bit_width(value) - 1;
  const unsigned shift = exponent - Distribution::kSubBucketBits;
  return static_cast<std::size_t>(kSubBuckets * (1 + shift) + ((value >> shift) - kSubBuckets));
}

// Largest value that falls in `bucket`.
std::uint64_t bucket_upper(std::size_t bucket) {
  if (bucket < kSubBuckets) return bucket;
  const std::uint64_t shift = bucket / kSubBuckets - 1;
  const std::uint64_t lower = (kSubBuckets + bucket % kSubBuckets) << shift;
  return lower + ((std::uint64_t{1} << shift) - 1);
}

std::uint64_t rank_for(std::uint64_t count, std::uint32_t parts_per_million) {
  const std::uint64_t rank = (count * parts_per_million + 999'999) / 1'000'000;
  return std::clamp<std::uint64_t>(rank, 1, count);
}

}  // namespace

void Distribution::record(std::int64_t value) {
  assert(value >= 0 && "Distribution takes non-negative samples");
  if (count_ == 0) {
    min_ = max_ = value;
  } else {
    min_ = std::min(min_, value);
    max_ = std::max(max_, value);
  }
  ++count_;
  sum_ += static_cast<std::uint64_t>(value);
  if (buckets_.empty() && samples_.size() == kExactSamples) move_samples_to_buckets();
  if (buckets_.empty()) {
    if (sorted_ && !samples_.empty() && value < samples_.back()) sorted_ = false;
    samples_.push_back(value);
  } else {
    ++buckets_[bucket_of(static_cast<std::uint64_t>(value))];
  }
}

double Distribution::mean() const {
  return count_ ? static_cast<double>(sum_) / static_cast<double>(count_) : 0.0;
}

std::int64_t Distribution::percentile(std::uint32_t parts_per_million) const {
  if (count_ == 0) return 0;
  const std::uint64_t rank = rank_for(count_, parts_per_million);
  if (buckets_.empty()) {
    if (!sorted_) {
      std::sort(samples_.begin(), samples_.end());
      sorted_ = true;
    }
    return samples_[rank - 1];
  }
  std::uint64_t seen = 0;
  for (std::size_t bucket = 0; bucket < buckets_.size(); ++bucket) {
    seen += buckets_[bucket];
    if (seen >= rank) return std::min(static_cast<std::int64_t>(bucket_upper(bucket)), max_);
  }
  return max_;
}

std::vector<std::uint64_t> Distribution::histogram(std::int64_t low, std::int64_t width,
                                                   std::size_t bins) const {
  std::vector<std::uint64_t> counts(bins, 0);
  if (bins == 0 || width <= 0) return counts;
  const auto bin_of = [&](std::int64_t value) -> std::size_t {
    if (value < low) return 0;
    return std::min<std::size_t>(static_cast<std::size_t>((value - low) / width), bins - 1);
  };
  if (buckets_.empty()) {
    for (const std::int64_t v : samples_)
      ++counts[bin_of(v)];
    return counts;
  }
  for (std::size_t bucket = 0; bucket < buckets_.size(); ++bucket) {
    if (buckets_[bucket] == 0) continue;
    const auto upper = std::min(static_cast<std::int64_t>(bucket_upper(bucket)), max_);
    counts[bin_of(upper)] += buckets_[bucket];
  }
  return counts;
}

std::size_t Distribution::memory_bytes() const {
  return samples_.capacity() * sizeof(std::int64_t) + buckets_.capacity() * sizeof(std::uint64_t);
}

void Distribution::move_samples_to_buckets() {
  buckets_.assign(kBucketCount, 0);
  for (std::int64_t v : samples_)
    ++buckets_[bucket_of(static_cast<std::uint64_t>(v))];
  std::vector<std::int64_t>().swap(samples_);
  sorted_ = true;
}

}  // namespace hilcap::sim
