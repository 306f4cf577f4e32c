#include "scenario/expectations.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace hilcap::sim {
namespace {

using ::testing::ElementsAre;
using Json = nlohmann::json;

Json report() {
  return Json::parse(R"({
    "frames": {"produced": 300, "delivered": 297,
               "dropped": {"total": 3, "by_reason": {"starvation": 3}}},
    "pending_latency_us": {"count": 2, "p50": 12.5, "p99": 50000.25, "p99.9": 50000.25, "max": 50000.25},
    "idle_latency_us": {"count": 0, "p99": null},
    "seed": 18000000000000000000,
    "scenario": "steady",
    "virtual_time_s": 10.0
  })");
}

// Bounds that hold produce no message.
TEST(Expectations, MetBoundsPass) {
  const auto r = evaluate_expectations(report(), Json::parse(R"({
    "frames.produced": 300, "frames.dropped.total": {"max": 3}, "pending_latency_us.p50": {"min": 12.5, "max": 13},
    "pending_latency_us.p99.9": {"max": 50000.25}, "virtual_time_s": 10, "scenario": "steady",
    "seed": 18000000000000000000
  })"));
  EXPECT_TRUE(r.passed()) << ::testing::PrintToString(r.messages());
}

// A missing expect block checks nothing and passes.
TEST(Expectations, NoExpectBlockPasses) {
  EXPECT_TRUE(evaluate_expectations(report(), Json()).passed());
}

// Each failed bound is its own message naming the figure, the bound and the actual value.
TEST(Expectations, OneMessagePerFailedBound) {
  const auto r = evaluate_expectations(report(), Json::parse(R"({
    "frames.delivered": 300,
    "frames.dropped.total": {"max": 0},
    "pending_latency_us.p99": {"min": 60000, "max": 40000}
  })"));
  EXPECT_FALSE(r.passed());
  EXPECT_THAT(r.failures,
              ElementsAre("frames.delivered: expected exactly 300, found 297",
                          "frames.dropped.total: expected <= 0 (max), found 3",
                          "pending_latency_us.p99: expected <= 40000 (max), found 50000.25",
                          "pending_latency_us.p99: expected >= 60000 (min), found 50000.25"));
  EXPECT_TRUE(r.errors.empty());
}

// An unknown figure is an error naming the path, with a suggestion for a typo.
TEST(Expectations, UnknownFigureIsAnError) {
  const auto r =
      evaluate_expectations(report(), Json::parse(R"({"frames.deliverd": 297, "nope.x": 1})"));
  EXPECT_FALSE(r.passed());
  EXPECT_TRUE(r.failures.empty());
  EXPECT_THAT(
      r.errors,
      ElementsAre(
          R"(expect "frames.deliverd": no such figure in the report (did you mean "frames.delivered"?))",
          R"(expect "nope.x": no such figure in the report)"));
}

// Malformed bounds and group paths are errors in the expect block, not silent passes.
TEST(Expectations, MalformedExpectationsAreErrors) {
  const auto r = evaluate_expectations(report(), Json::parse(R"({
    "frames.dropped": {"max": 0},
    "frames.produced": {"mx": 1},
    "frames.delivered": {"max": "300"},
    "seed": [1],
    "virtual_time_s": {}
  })"));
  EXPECT_THAT(
      r.errors,
      ElementsAre(
          R"(expect "frames.delivered": expected a number for "max", found "300")",
          R"(expect "frames.dropped": names a group of figures, not one figure)",
          R"(expect "frames.produced": expected the bounds "min" and/or "max", found "mx")",
          R"(expect "seed": expected a value or {"min", "max"} bounds, found [1])",
          R"(expect "virtual_time_s": expected a "min" and/or "max" bound, found an empty object)"));
}

// A figure without samples (null) fails a bound instead of passing vacuously.
TEST(Expectations, NullFigureFailsBounds) {
  const auto r =
      evaluate_expectations(report(), Json::parse(R"({"idle_latency_us.p99": {"max": 10}})"));
  EXPECT_THAT(r.failures,
              ElementsAre("idle_latency_us.p99: expected <= 10 (max), found null (no samples)"));
}

// Integers compare exactly across signed/unsigned, and 300 equals 300.0.
TEST(Expectations, NumbersCompareByValue) {
  const Json rep = Json::parse(R"({"a": 300, "b": -1, "c": 18446744073709551615})");
  EXPECT_TRUE(
      evaluate_expectations(rep, Json::parse(R"({"a": 300.0, "b": {"max": 0}, "c": {"min": -5}})"))
          .passed());
  EXPECT_FALSE(evaluate_expectations(rep, Json::parse(R"({"c": 18446744073709551614})")).passed());
}

}  // namespace
}  // namespace hilcap::sim
