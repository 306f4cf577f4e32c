// hilcap sweep (issue 14): the grid from --vary, the deterministic shards,
// values set into a scenario (--set, a sweep's point), the answer in words,
// the table's files and the merge of shards.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "scenario/scenario_overrides.h"
#include "sweep/sweep_answer.h"
#include "sweep/sweep_grid.h"
#include "sweep/sweep_run.h"
#include "sweep/sweep_table.h"

namespace hilcap::sim {
namespace {

using Json = nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

SweepDimension dimension(const std::string& spec) {
  std::string error;
  auto d = parse_dimension(spec, error);
  EXPECT_TRUE(d) << error;
  return d ? *d : SweepDimension{};
}

// Ranges (integers, or numbers with a step) and lists (JSON values, bare
// words as strings); what is not a range or a list is refused with why.
TEST(SweepGrid, RangesAndLists) {
  EXPECT_EQ(dimension("/allocator/frames=2..8").values, (std::vector<Json>{2, 3, 4, 5, 6, 7, 8}));
  EXPECT_EQ(dimension("/a=0..1:0.25").values, (std::vector<Json>{0.0, 0.25, 0.5, 0.75, 1.0}));
  EXPECT_EQ(dimension("/clients/0/hold_ms=10,20,40").values, (std::vector<Json>{10, 20, 40}));
  EXPECT_EQ(dimension("/device/format=YUY2,\"NV12\",true").values,
            (std::vector<Json>{"YUY2", "NV12", true}));
  EXPECT_EQ(dimension("/x=7").values, (std::vector<Json>{7}));
  std::string error;
  EXPECT_FALSE(parse_dimension("allocator/frames=2..8", error));
  EXPECT_THAT(error, HasSubstr("expected POINTER=VALUES"));
  EXPECT_FALSE(parse_dimension("/a=8..2", error));
  EXPECT_THAT(error, HasSubstr("LOW <= HIGH"));
  EXPECT_FALSE(parse_dimension("/a=1,,2", error));
  EXPECT_FALSE(parse_dimension("/a=x..y", error));
  EXPECT_FALSE(parse_dimension("/a=0..1000000000", error));
  EXPECT_THAT(error, HasSubstr("at most"));
}

// Rows in grid order (first dimension slowest, seed fastest); shards split
// them by row number, disjoint and complete whatever N; I/N is 1-based.
TEST(SweepGrid, RowsAndShards) {
  const SweepGrid grid({dimension("/a=1..3"), dimension("/b=x,y")}, {5, 6});
  EXPECT_EQ(grid.points(), 6u);
  EXPECT_EQ(grid.rows(), 12u);
  EXPECT_EQ(grid.point_of(3), 1u);
  EXPECT_EQ(grid.seed_of(3), 6u);
  EXPECT_EQ(grid.values_of_point(1), (std::vector<Json>{1, "y"}));
  EXPECT_EQ(grid.values_of_point(4), (std::vector<Json>{3, "x"}));
  for (std::size_t total = 1; total <= 5; ++total) {
    std::set<std::size_t> all;
    for (std::size_t index = 0; index < total; ++index) {
      for (std::size_t row : grid.rows_of({index, total}))
        EXPECT_TRUE(all.insert(row).second) << "row " << row << " in two shards";
    }
    EXPECT_EQ(all.size(), grid.rows());
  }
  EXPECT_THAT(grid.rows_of({1, 4}), ElementsAre(1, 5, 9));
  std::string error;
  const auto shard = parse_shard("2/4", error);
  ASSERT_TRUE(shard);
  EXPECT_EQ(shard->index, 1u);
  EXPECT_EQ(shard->total, 4u);
  EXPECT_FALSE(parse_shard("0/4", error));
  EXPECT_FALSE(parse_shard("5/4", error));
  EXPECT_FALSE(parse_shard("2", error));
  EXPECT_THAT(error, HasSubstr("1 <= I <= N"));
}

// --set / a point: members are added (with the objects on their way), an
// array element must exist; the error names the pointer.
TEST(ScenarioOverrides, SetIntoTheDocument) {
  std::string error;
  const auto text = apply_overrides(R"({"clients": [{"hold": 10}], "seed": 1})",
                                    {{"/allocator/frames", 5}, {"/clients/0/hold", 40}}, error);
  ASSERT_TRUE(text) << error;
  const Json doc = Json::parse(*text);
  EXPECT_EQ(doc["allocator"]["frames"], 5);
  EXPECT_EQ(doc["clients"][0]["hold"], 40);
  EXPECT_FALSE(apply_overrides(R"({"clients": [{}]})", {{"/clients/3/hold", 1}}, error));
  EXPECT_EQ(error,
            "at /clients/3/hold: expected an existing element of the array at /clients (0..0), "
            "found \"3\"");
  EXPECT_FALSE(apply_overrides(R"({"seed": 1})", {{"/seed/x", 1}}, error));
  EXPECT_THAT(error, HasSubstr("expected an object or array at /seed"));
  const auto change = parse_override("/device/format=YUY2", error);
  ASSERT_TRUE(change);
  EXPECT_EQ(change->value, "YUY2");
  EXPECT_EQ(override_text(*change), "/device/format=YUY2");
  EXPECT_EQ(rerun_command("a b.json", 3, {{"/x", 1}, {"/y", "two words"}}),
            "hilcap run 'a b.json' --seed 3 --set /x=1 --set '/y=two words'");
}

SweepTable hold_table() {
  // Drops by pool size (knob) and hold time: zero from 2, 3, 4 frames up.
  SweepTable t;
  t.scenario = "hold.json";
  t.dimensions = {dimension("/allocator/frames=1..5"), dimension("/clients/0/hold_ms=10,40,70")};
  t.seeds = {1};
  t.metrics = {"frames.dropped.total", "pending_latency_us.max"};
  t.rows_total = 15;
  const int drops[5][3] = {{5, 9, 20}, {0, 3, 9}, {0, 0, 4}, {0, 0, 0}, {0, 0, 0}};
  for (std::size_t f = 0; f < 5; ++f) {
    for (std::size_t h = 0; h < 3; ++h) {
      SweepRow r;
      r.row = f * 3 + h;
      r.point = r.row;
      r.seed = 1;
      r.values = {t.dimensions[0].values[f], t.dimensions[1].values[h]};
      r.metrics = {drops[f][h], 1000.5 + static_cast<double>(r.row)};
      r.status = "completed";
      t.rows.push_back(r);
    }
  }
  return t;
}

// The boundary question in words, read from the rows.
TEST(SweepAnswer, SaysWhereTheMetricIsZero) {
  const auto answers = boundary_answers(hold_table());
  ASSERT_EQ(answers.size(), 2u);
  EXPECT_EQ(answers[0],
            "/allocator/frames >= 4 gives frames.dropped.total = 0 for every "
            "/clients/0/hold_ms in 10, 40, 70; the smallest /allocator/frames with "
            "frames.dropped.total = 0: 2 at /clients/0/hold_ms=10, 3 at 40, 4 at 70");
  EXPECT_THAT(answers[1], HasSubstr("pending_latency_us.max is 0 at no point: from 1000.5"));

  // Zero below a boundary (the hold time as the knob); a condition never zero.
  SweepTable t = hold_table();
  std::swap(t.dimensions[0], t.dimensions[1]);
  for (SweepRow& r : t.rows)
    std::swap(r.values[0], r.values[1]);
  EXPECT_THAT(boundary_answers(t)[0],
              HasSubstr("/clients/0/hold_ms <= 10 gives frames.dropped.total = 0 where it can"));
  EXPECT_THAT(boundary_answers(t)[0],
              HasSubstr("no /clients/0/hold_ms in 10, 40, 70 gives frames.dropped.total = 0 at "
                        "/allocator/frames=1"));
}

// JSON round trip, CSV, and shards merging into the table of one run.
TEST(SweepTable, FilesAndMerge) {
  const SweepTable whole = hold_table();
  std::string error;
  const auto back = sweep_from_json(sweep_json(whole, boundary_answers(whole)), error);
  ASSERT_TRUE(back) << error;
  EXPECT_EQ(sweep_json(*back, {}), sweep_json(whole, {}));
  const std::string csv = sweep_csv(whole);
  EXPECT_EQ(csv.substr(0, csv.find("\r\n")),
            "row,point,seed,/allocator/frames,/clients/0/hold_ms,frames.dropped.total,"
            "pending_latency_us.max,expectations_met,status");

  std::vector<SweepTable> parts;
  for (std::size_t i = 0; i < 3; ++i) {
    SweepTable part = whole;
    part.rows.clear();
    part.shards = {std::to_string(i + 1) + "/3"};
    for (const SweepRow& r : whole.rows) {
      if (r.row % 3 == i) part.rows.push_back(r);
    }
    parts.push_back(part);
  }
  std::swap(parts[0], parts[2]);
  auto merged = merge_sweeps(parts, error);
  ASSERT_TRUE(merged) << error;
  EXPECT_EQ(missing_rows(*merged), 0u);
  EXPECT_EQ(sweep_json(*merged, {})["rows"], sweep_json(whole, {})["rows"]);
  EXPECT_EQ(boundary_answers(*merged), boundary_answers(whole));

  parts.pop_back();
  merged = merge_sweeps(parts, error);
  ASSERT_TRUE(merged);
  EXPECT_EQ(missing_rows(*merged), 5u);
  parts[1].seeds = {2};
  EXPECT_FALSE(merge_sweeps(parts, error));
  EXPECT_THAT(error, HasSubstr("part 2 is of another grid"));
}

}  // namespace
}  // namespace hilcap::sim
