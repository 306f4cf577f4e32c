// What a person reads of a run (issue 14): the headline, the figures grouped
// by part, the run's timeline in bounded buckets, the self-contained page.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "html/html_page.h"
#include "report/figure_groups.h"
#include "report/run_headline.h"
#include "timeline/bucketed_series.h"

namespace hilcap::sim {
namespace {

using Json = nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

Json sample_report() {
  return Json::parse(R"({
    "seed": 7, "virtual_time_s": 10.0, "events": 1612,
    "frames": {"due": 300, "delivered": 290, "received": 290,
               "dropped": {"total": 10, "by_reason": {"starvation": 8, "stall": 2, "random": 0}}},
    "requests": {"immediate": 190, "pended": 111, "refused": 1, "completed": 110},
    "pending_latency_us": {"count": 110, "min": 94.5, "mean": 9183.3, "p50": 7336.9,
                           "p90": 18000.0, "p99": 22002.6, "p99.9": 22215.2, "max": 22215.2},
    "clients": {"viewer": {"frames": 200, "pended": 80}, "archiver": {"frames": 90, "frees": 90}},
    "allocator": {"frames": 8},
    "device": {"interrupts": 300},
    "zz_unplaced": 1
  })");
}

// The headline's lines: identity, frames due/delivered/dropped by reason
// (only reasons that happened), requests pended with the worst wait, and
// expectations met N/M over the expect block's keys.
TEST(RunHeadline, SaysWhatTheRunCameTo) {
  const Json expect = {{"frames.dropped.total", 0}, {"frames.due", 300}};
  const RunHeadline h =
      make_headline(sample_report(), expect, {.file = "configs/default.json", .clock = "virtual"});
  EXPECT_EQ(headline_text(h),
            "default (configs/default.json): virtual clock, 10.000 s, seed 7\n"
            "  frames        300 due, 290 delivered, 290 received, 10 dropped (stall 2, "
            "starvation 8)\n"
            "  requests      302 ALLOCs: 190 at once, 111 pended; worst pending wait 22.215 ms "
            "(p99 22.003 ms)\n"
            "  expectations  1/2 met\n");
  const Json j = headline_json(h);
  EXPECT_EQ(j["frames"]["dropped_by_reason"], Json({{"starvation", 8}, {"stall", 2}}));
  EXPECT_EQ(j["expectations"], Json({{"met", 1}, {"total", 2}}));
  EXPECT_EQ(j["stopped_by"], "end");
}

// A report without requests (a served camera) leaves that line out; a run
// stopped early says by what.
TEST(RunHeadline, LeavesOutWhatTheReportDoesNotHave) {
  const RunHeadline h = make_headline(Json{{"frames", {{"due", 3}}}}, Json(),
                                      {.file = "s.json", .clock = "wall", .stopped_by = "SIGINT"});
  const std::string text = headline_text(h);
  EXPECT_THAT(text, HasSubstr("s (s.json): wall clock, stopped by SIGINT\n"));
  EXPECT_THAT(text, Not(HasSubstr("requests")));
  EXPECT_THAT(text, HasSubstr("expectations  none"));
}

// Figures come by part in a fixed order (run, device, host, each client in
// the scenario's order, then the rest), not alphabetically.
TEST(FigureGroups, ByPartInAFixedOrder) {
  const auto groups = group_figures(sample_report(), {"viewer", "archiver"});
  std::vector<std::string> titles;
  for (const auto& g : groups)
    titles.push_back(g.title);
  EXPECT_EQ(titles, (std::vector<std::string>{"run", "device", "host", "client viewer",
                                              "client archiver", "other"}));
  EXPECT_EQ(groups[0].figures[0].path, "seed");
  EXPECT_EQ(groups[1].figures[0].path, "frames.due");
  EXPECT_EQ(groups[1].figures[1].path, "frames.dropped.total");
  EXPECT_EQ(groups.back().figures[0].path, "zz_unplaced");
  const std::string table = grouped_table(groups);
  EXPECT_LT(table.find("\nrun\n"), table.find("\ndevice\n"));
  EXPECT_LT(table.find("\ndevice\n"), table.find("\nhost\n"));
  EXPECT_THAT(table, HasSubstr("n=110  min 94.5"));
}

// A spike shorter than a bucket survives the buckets' merging as its max;
// counts keep their sum; memory stays within the capacity however long the
// run (what keeps a 10^7-frame page light).
TEST(BucketedSeries, KeepsEverySpikeInBoundedBuckets) {
  BucketedSeries s(1000, 16);
  const std::size_t level = s.add("held", BucketedSeries::Kind::kGauge);
  const std::size_t drops = s.add("dropped", BucketedSeries::Kind::kCount);
  const std::size_t late = s.add("late", BucketedSeries::Kind::kSample);
  s.gauge(level, 0, 1);
  s.gauge(level, 500'000, 9);  // a spike of 1 ns
  s.gauge(level, 500'001, 1);
  for (TimeNs t = 0; t < 10'000'000; t += 1000) {
    s.count(drops, t);
    s.sample(late, t, t == 7'000'000 ? 5'000 : 10);
  }
  s.finish(10'000'000);
  EXPECT_LE(s.buckets(), s.capacity());
  const Json j = s.to_json(1000);
  std::int64_t max_level = 0;
  for (const Json& v : j["series"]["held"]["max"])
    max_level = std::max(max_level, v.get<std::int64_t>());
  EXPECT_EQ(max_level, 9);
  EXPECT_EQ(j["series"]["held"]["min"].back(), 1);
  std::uint64_t total = 0;
  for (const Json& v : j["series"]["dropped"]["sum"])
    total += v.get<std::uint64_t>();
  EXPECT_EQ(total, 10'000u);
  double worst = 0;
  for (const Json& v : j["series"]["late"]["max"])
    worst = std::max(worst, v.get<double>());
  EXPECT_EQ(worst, 5.0);
  EXPECT_EQ(j["buckets"].get<std::size_t>() * j["bucket_s"].get<double>() >= 0.01, true);
}

// The page opens without a network (Chart.js and the page's script inline,
// nothing fetched) and data that contain markup cannot end the data's
// <script> element early.
TEST(HtmlPage, SelfContainedAndScriptSafe) {
  const std::string page = html_page(
      {{"kind", "run"}, {"title", "a <b>&</b>"}, {"runs", Json::array({{{"x", "</script><x>"}}})}});
  EXPECT_THAT(page, HasSubstr("<title>a &lt;b&gt;&amp;&lt;/b&gt;</title>"));
  EXPECT_THAT(page, Not(HasSubstr("</script><x>")));
  EXPECT_THAT(page, HasSubstr("\\u003c/script>\\u003cx>"));
  EXPECT_THAT(page, HasSubstr("Chart.js v3"));
  EXPECT_THAT(page, HasSubstr("hilcapReport"));
  EXPECT_THAT(page, Not(HasSubstr("src=")));
  EXPECT_THAT(page, Not(HasSubstr("<link")));
}

}  // namespace
}  // namespace hilcap::sim
