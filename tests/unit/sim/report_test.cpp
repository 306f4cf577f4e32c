#include "report/report.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <random>
#include <stdexcept>
#include <vector>

#include "report/distribution.h"

namespace hilcap::sim {
namespace {

std::vector<std::int64_t> shuffled_range(std::int64_t first, std::int64_t last) {
  std::vector<std::int64_t> v;
  for (std::int64_t x = first; x <= last; ++x)
    v.push_back(x);
  std::shuffle(v.begin(), v.end(), std::mt19937_64(7));
  return v;
}

// Nearest-rank percentiles are exact on known data, whatever the insertion order.
TEST(Distribution, ExactPercentilesOnKnownData) {
  Distribution d;
  for (auto v : shuffled_range(1, 100))
    d.record(v);
  EXPECT_TRUE(d.exact());
  EXPECT_EQ(d.count(), 100u);
  EXPECT_EQ(d.min(), 1);
  EXPECT_EQ(d.max(), 100);
  EXPECT_DOUBLE_EQ(d.mean(), 50.5);
  EXPECT_EQ(d.percentile(500'000), 50);
  EXPECT_EQ(d.percentile(900'000), 90);
  EXPECT_EQ(d.percentile(990'000), 99);
  EXPECT_EQ(d.percentile(999'000), 100);
  EXPECT_EQ(d.percentile(1'000'000), 100);

  Distribution thousand;
  for (auto v : shuffled_range(1, 1000))
    thousand.record(v);
  EXPECT_EQ(thousand.percentile(999'000), 999);
  EXPECT_EQ(thousand.percentile(990'000), 990);
}

// Recording after a percentile query keeps later queries exact (lazy sort is redone).
TEST(Distribution, RecordAfterQueryStaysExact) {
  Distribution d;
  d.record(10);
  d.record(5);
  EXPECT_EQ(d.percentile(500'000), 5);
  d.record(1);
  d.record(2);
  EXPECT_EQ(d.percentile(500'000), 2);
  EXPECT_EQ(d.min(), 1);
}

// An empty distribution reports zeros instead of reading missing samples.
TEST(Distribution, EmptyReportsZero) {
  Distribution d;
  EXPECT_EQ(d.count(), 0u);
  EXPECT_EQ(d.percentile(990'000), 0);
  EXPECT_EQ(d.max(), 0);
  EXPECT_EQ(d.mean(), 0.0);
}

// Past the exact limit, percentiles are never below the true value and within 2^-10 above it.
TEST(Distribution, BucketedPercentilesStayWithinDocumentedPrecision) {
  Distribution d;
  std::vector<std::int64_t> all;
  std::mt19937_64 rng(3);
  for (int i = 0; i < 300'000; ++i) {
    // Latency-like: mostly tens of µs, a long tail up to tens of ms (in ns).
    const std::int64_t v = static_cast<std::int64_t>(rng() % 50'000) +
                           (i % 100 == 0 ? static_cast<std::int64_t>(rng() % 40'000'000) : 0);
    d.record(v);
    all.push_back(v);
  }
  EXPECT_FALSE(d.exact());
  std::sort(all.begin(), all.end());
  for (std::uint32_t ppm : {500'000u, 900'000u, 990'000u, 999'000u}) {
    const std::size_t rank = (all.size() * ppm + 999'999) / 1'000'000;
    const std::int64_t truth = all[rank - 1];
    const std::int64_t got = d.percentile(ppm);
    EXPECT_GE(got, truth) << ppm;
    EXPECT_LE(static_cast<double>(got), static_cast<double>(truth) * (1.0 + 1.0 / 1024)) << ppm;
  }
  EXPECT_EQ(d.percentile(1'000'000), all.back());
  EXPECT_EQ(d.max(), all.back());
  EXPECT_EQ(d.min(), all.front());
}

// Memory stays flat as samples grow (the run must not store per-frame data).
TEST(Distribution, MemoryIsBoundedWhateverTheCount) {
  Distribution d;
  for (std::int64_t i = 0; i < 200'000; ++i)
    d.record(i * 977 % 1'000'003);
  const std::size_t after_200k = d.memory_bytes();
  for (std::int64_t i = 0; i < 2'000'000; ++i)
    d.record(i * 7919 % 100'000'007);
  EXPECT_EQ(d.memory_bytes(), after_200k);
  EXPECT_LE(d.memory_bytes(), 512u * 1024u);
}

// Dotted paths nest, keys come out sorted, numbers keep their type.
TEST(Report, JsonNestsDottedPathsInSortedOrder) {
  Report r;
  ++r.counter("frames.produced");
  r.counter("frames.dropped.by_reason.starvation") += 2;
  r.counter("frames.dropped.total") += 2;
  r.set("seed", std::uint64_t{18'000'000'000'000'000'000u});
  r.set("virtual_time_s", 10.0, 3);
  r.set("scenario", "steady");
  EXPECT_EQ(r.to_json_text(WallTime::kOmit),
            R"({
  "frames": {
    "dropped": {
      "by_reason": {
        "starvation": 2
      },
      "total": 2
    },
    "produced": 1
  },
  "scenario": "steady",
  "seed": 18000000000000000000,
  "virtual_time_s": 10.0
}
)");
}

// The same figures registered in a different order give byte-identical text.
TEST(Report, TextIsIndependentOfRegistrationOrder) {
  Report a;
  Report b;
  a.counter("b.x") = 1;
  a.counter("a.y") = 2;
  a.set("c", 1.0 / 3.0, 6);
  b.set("c", 1.0 / 3.0, 6);
  b.counter("a.y") = 2;
  b.counter("b.x") = 1;
  EXPECT_EQ(a.to_json_text(WallTime::kOmit), b.to_json_text(WallTime::kOmit));
  EXPECT_NE(a.to_json_text(WallTime::kOmit).find("0.333333"), std::string::npos);
}

// Real numbers are rounded when set, so float noise never reaches the text.
TEST(Report, RealNumbersAreRoundedToTheirDecimals) {
  Report r;
  r.set("sum", 0.1 + 0.2, 3);
  EXPECT_EQ(r.to_json(WallTime::kOmit)["sum"].dump(), "0.3");
}

// wall_time_s is the only run-dependent key and can be left out.
TEST(Report, WallTimeIsIncludedOrOmittedOnRequest) {
  Report r;
  r.counter("frames.delivered") = 300;
  r.set_wall_time_s(0.123456);
  EXPECT_EQ(r.to_json(WallTime::kInclude)["wall_time_s"].dump(), "0.123");
  EXPECT_FALSE(r.to_json(WallTime::kOmit).contains("wall_time_s"));
}

// Latencies recorded in ns show in µs with exact decimals and all named percentiles.
TEST(Report, DistributionRendersScaledPercentiles) {
  Report r;
  Distribution& d = r.distribution("pending_latency_us", SampleScale::kNsToUs);
  for (std::int64_t ns : {1500, 2500, 1000, 40'000'001})
    d.record(ns);
  const nlohmann::json j = r.to_json(WallTime::kOmit)["pending_latency_us"];
  EXPECT_EQ(j["count"], 4);
  EXPECT_EQ(j["min"].dump(), "1.0");
  EXPECT_EQ(j["p50"].dump(), "1.5");
  EXPECT_EQ(j["p90"].dump(), "40000.001");
  EXPECT_EQ(j["p99.9"].dump(), "40000.001");
  EXPECT_EQ(j["max"].dump(), "40000.001");
  EXPECT_EQ(j["mean"].dump(), "10001.25");
}

// A distribution without samples shows null figures, not misleading zeros.
TEST(Report, EmptyDistributionRendersNulls) {
  Report r;
  r.distribution("pending_latency_us", SampleScale::kNsToUs);
  const nlohmann::json j = r.to_json(WallTime::kOmit)["pending_latency_us"];
  EXPECT_EQ(j["count"], 0);
  EXPECT_TRUE(j["p99"].is_null());
  EXPECT_TRUE(j["max"].is_null());
}

// A path that is both a leaf and a branch, or reused for another kind, is a programming error.
TEST(Report, ClashingPathsAreRejected) {
  Report r;
  r.counter("frames.dropped.total");
  EXPECT_THROW(r.counter("frames.dropped"), std::logic_error);
  EXPECT_THROW(r.counter("frames.dropped.total.x"), std::logic_error);
  EXPECT_THROW(r.set("frames.dropped.total", 1), std::logic_error);
  EXPECT_THROW(r.counter("frames..x"), std::logic_error);
  EXPECT_NO_THROW(r.counter("frames.dropped.total"));
  EXPECT_NO_THROW(r.counter("frames.dropped_total"));
}

// Counter references handed to the runner survive moving the Report out of it.
TEST(Report, CounterReferenceSurvivesMove) {
  Report r;
  std::uint64_t& produced = r.counter("frames.produced");
  Report moved = std::move(r);
  produced += 5;
  EXPECT_EQ(moved.to_json(WallTime::kOmit)["frames"]["produced"], 5);
}

// The stdout table lists every figure by path, distributions on one row.
TEST(Report, SummaryTableListsFigures) {
  Report r;
  r.counter("frames.delivered") = 300;
  r.distribution("pending_latency_us", SampleScale::kNsToUs).record(12'000);
  r.set_wall_time_s(1.5);
  const std::string table = r.summary_table(WallTime::kInclude);
  EXPECT_NE(table.find("frames.delivered"), std::string::npos);
  EXPECT_NE(table.find("300\n"), std::string::npos);
  EXPECT_NE(table.find("pending_latency_us  n=1  min 12.0  mean 12.0  p50 12.0"), std::string::npos)
      << table;
  EXPECT_NE(table.find("wall_time_s"), std::string::npos);
  EXPECT_EQ(r.summary_table(WallTime::kOmit).find("wall_time_s"), std::string::npos);
}

}  // namespace
}  // namespace hilcap::sim
