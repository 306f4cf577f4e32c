// Values over a run's time in bounded memory, so that a chart of a run of
// 10^7 frames is as light as one of 300 and still shows every spike. The
// run's time is cut into equal buckets, at most `capacity` of them; per
// bucket each series keeps what a chart needs:
//   gauge   a level (frames held, requests pending): its min and max in the
//           bucket; a bucket without a change keeps the level it had
//   count   events (frames dropped): how many in the bucket
//   sample  measurements (frame lateness): their min and max in the bucket,
//           none when nothing was measured
// When the run's time passes the last bucket, neighbouring buckets merge in
// pairs (min of the mins, max of the maxes, sum of the counts) and the width
// doubles: memory stays capacity x series whatever the run's length, and a
// short spike still shows as its bucket's max.
//
// Times are >= 0 and, for speed, mostly increasing (an earlier time is
// still placed right). Not thread-safe: the run's monitor calls it under its
// own lock.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "scheduler/scheduler.h"

namespace hilcap::sim {

class BucketedSeries {
 public:
  // `first_width`: the buckets' width to start with (> 0); `capacity` >= 2.
  BucketedSeries(TimeNs first_width, std::size_t capacity);

  enum class Kind : std::uint8_t { kGauge, kCount, kSample };
  // Adds a series (before or after values were recorded); its index. A
  // gauge's buckets before its first level read `initial_level`.
  std::size_t add(std::string name, Kind kind, std::int64_t initial_level = 0);
  // The series' index by name, or npos.
  std::size_t find(std::string_view name) const;
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);

  void gauge(std::size_t series, TimeNs t, std::int64_t level);
  void count(std::size_t series, TimeNs t, std::uint64_t n = 1);
  void sample(std::size_t series, TimeNs t, std::int64_t value);

  // Every series runs to `end` (gauges keep their last level up to there).
  void finish(TimeNs end);

  TimeNs width() const { return width_; }
  std::size_t buckets() const { return used_; }
  std::size_t capacity() const { return capacity_; }

  // {"bucket_s": width in s, "buckets": n, "series": {name: {"kind": "gauge",
  //   "min": [...], "max": [...]} | {"kind": "count", "sum": [...]} |
  //   {"kind": "sample", "min": [...], "max": [...]}}}; sample values are
  // divided by `sample_scale` (ns -> us: 1000) and rounded to 3 decimals;
  // a bucket without samples is null.
  nlohmann::json to_json(double sample_scale) const;

 private:
  struct Cell {
    std::int64_t min = 0;
    std::int64_t max = 0;
    std::int64_t last = 0;  // gauge: the level at the bucket's end
    std::uint64_t n = 0;    // count: the sum; sample: how many
  };
  struct Series {
    std::string name;
    Kind kind;
    std::int64_t level;       // gauge: the level now
    bool leveled = false;     // gauge: a level was recorded (the first opens its bucket)
    std::vector<Cell> cells;  // the buckets filled so far (a prefix)
  };

  // The bucket of `t`, merging buckets until it fits.
  std::size_t bucket_of(TimeNs t);
  void merge_pairs();
  // Fills `s` up to (not including) `bucket` (gauges carry their level).
  static void fill_to(Series& s, std::size_t bucket);

  TimeNs width_;
  const std::size_t capacity_;
  std::size_t used_ = 0;  // buckets up to the latest time seen
  std::vector<Series> series_;
};

}  // namespace hilcap::sim
