#include "timeline/bucketed_series.h"

#include <algorithm>
#include <cmath>

namespace hilcap::sim {
namespace {
using Json = nlohmann::json;
}  // namespace

BucketedSeries::BucketedSeries(TimeNs first_width, std::size_t capacity)
    : width_(std::max<TimeNs>(first_width, 1)), capacity_(std::max<std::size_t>(capacity, 2)) {}

std::size_t BucketedSeries::add(std::string name, Kind kind, std::int64_t initial_level) {
  series_.push_back({std::move(name), kind, initial_level, false, {}});
  return series_.size() - 1;
}

std::size_t BucketedSeries::find(std::string_view name) const {
  for (std::size_t i = 0; i < series_.size(); ++i) {
    if (series_[i].name == name) return i;
  }
  return npos;
}

std::size_t BucketedSeries::bucket_of(TimeNs t) {
  if (t < 0) t = 0;
  auto bucket = static_cast<std::size_t>(t / width_);
  while (bucket >= capacity_) {
    merge_pairs();
    width_ *= 2;
    bucket = static_cast<std::size_t>(t / width_);
  }
  used_ = std::max(used_, bucket + 1);
  return bucket;
}

void BucketedSeries::merge_pairs() {
  for (Series& s : series_) {
    std::vector<Cell> merged((s.cells.size() + 1) / 2);
    for (std::size_t i = 0; i < merged.size(); ++i) {
      const Cell& a = s.cells[2 * i];
      if (2 * i + 1 >= s.cells.size()) {
        merged[i] = a;
        continue;
      }
      const Cell& b = s.cells[2 * i + 1];
      Cell& m = merged[i];
      m.last = b.last;
      m.n = a.n + b.n;
      if (s.kind == Kind::kSample && (a.n == 0 || b.n == 0)) {
        const Cell& only = a.n == 0 ? b : a;
        m.min = only.min;
        m.max = only.max;
      } else {
        m.min = std::min(a.min, b.min);
        m.max = std::max(a.max, b.max);
      }
    }
    s.cells = std::move(merged);
  }
  used_ = (used_ + 1) / 2;
}

void BucketedSeries::fill_to(Series& s, std::size_t bucket) {
  while (s.cells.size() < bucket) {
    Cell c;
    if (s.kind == Kind::kGauge) c.min = c.max = c.last = s.level;
    s.cells.push_back(c);
  }
}

void BucketedSeries::gauge(std::size_t series, TimeNs t, std::int64_t level) {
  const std::size_t bucket = bucket_of(t);
  Series& s = series_[series];
  if (!s.leveled) {
    fill_to(s, bucket);
    s.level = level;
    s.leveled = true;
  }
  if (bucket >= s.cells.size()) {
    fill_to(s, bucket);
    // The bucket opens at the level it had, then moves to the new one.
    s.cells.push_back({std::min(s.level, level), std::max(s.level, level), level, 0});
  } else {
    Cell& c = s.cells[bucket];
    c.min = std::min(c.min, level);
    c.max = std::max(c.max, level);
    if (bucket + 1 == s.cells.size()) c.last = level;
  }
  s.level = level;
}

void BucketedSeries::count(std::size_t series, TimeNs t, std::uint64_t n) {
  const std::size_t bucket = bucket_of(t);
  Series& s = series_[series];
  fill_to(s, bucket + 1);
  s.cells[bucket].n += n;
}

void BucketedSeries::sample(std::size_t series, TimeNs t, std::int64_t value) {
  const std::size_t bucket = bucket_of(t);
  Series& s = series_[series];
  fill_to(s, bucket + 1);
  Cell& c = s.cells[bucket];
  if (c.n == 0) {
    c.min = c.max = value;
  } else {
    c.min = std::min(c.min, value);
    c.max = std::max(c.max, value);
  }
  ++c.n;
}

void BucketedSeries::finish(TimeNs end) {
  if (end > 0) bucket_of(end - 1);
  for (Series& s : series_)
    fill_to(s, used_);
}

nlohmann::json BucketedSeries::to_json(double sample_scale) const {
  Json all = Json::object();
  const auto scaled = [sample_scale](std::int64_t v) {
    return std::round(static_cast<double>(v) / sample_scale * 1000) / 1000;
  };
  for (const Series& s : series_) {
    Json min = Json::array();
    Json max = Json::array();
    Json sum = Json::array();
    for (std::size_t i = 0; i < used_; ++i) {
      Cell c;
      if (i < s.cells.size()) {
        c = s.cells[i];
      } else if (s.kind == Kind::kGauge) {
        c.min = c.max = s.level;
      }
      switch (s.kind) {
        case Kind::kGauge:
          min.push_back(c.min);
          max.push_back(c.max);
          break;
        case Kind::kCount:
          sum.push_back(c.n);
          break;
        case Kind::kSample:
          min.push_back(c.n == 0 ? Json() : Json(scaled(c.min)));
          max.push_back(c.n == 0 ? Json() : Json(scaled(c.max)));
          break;
      }
    }
    if (s.kind == Kind::kCount) {
      all[s.name] = {{"kind", "count"}, {"sum", std::move(sum)}};
    } else {
      all[s.name] = {{"kind", s.kind == Kind::kGauge ? "gauge" : "sample"},
                     {"min", std::move(min)},
                     {"max", std::move(max)}};
    }
  }
  return {{"bucket_s", static_cast<double>(width_) / 1e9}, {"buckets", used_}, {"series", all}};
}

}  // namespace hilcap::sim
