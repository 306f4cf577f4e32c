#include "html/run_page.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "report/figure_groups.h"
#include "scenario/expectations.h"
#include "timeline/run_timeline.h"

namespace hilcap::sim {
namespace {

using Json = nlohmann::json;

constexpr std::size_t kHistogramBins = 40;

// The smallest 1, 2 or 5 x 10^k at or above `value` (> 0).
std::int64_t round_width(double value) {
  std::int64_t step = 1;
  while (true) {
    for (const std::int64_t m : {1, 2, 5}) {
      if (static_cast<double>(step * m) >= value) return step * m;
    }
    step *= 10;
  }
}

double in_unit(std::int64_t value, double unit) {
  return std::round(static_cast<double>(value) / unit * 1000) / 1000;
}

// A distribution's histogram with its p50, p99 and max; null when empty.
// `ns_per_sample`: what one recorded sample unit is in ns.
Json histogram(const Distribution& d, std::string_view figure) {
  if (d.count() == 0) return nullptr;
  // Samples are ns; show ms from 10 ms up, us below.
  const bool ms = d.max() >= 10'000'000;
  const double unit = ms ? 1e6 : 1e3;
  const std::int64_t width =
      round_width(std::max(1.0, static_cast<double>(d.max()) / kHistogramBins));
  const auto bins = static_cast<std::size_t>(d.max() / width + 1);
  Json counts = Json::array();
  for (const std::uint64_t c : d.histogram(0, width, bins))
    counts.push_back(c);
  return {{"figure", figure},
          {"unit", ms ? "ms" : "us"},
          {"count", d.count()},
          {"low", 0},
          {"width", in_unit(width, unit)},
          {"counts", counts},
          {"marks",
           {{"p50", in_unit(d.percentile(500'000), unit)},
            {"p99", in_unit(d.percentile(990'000), unit)},
            {"max", in_unit(d.max(), unit)}}}};
}

// Distributions in ns shown as us or ms (SampleScale::kNsToUs).
const Distribution* ns_distribution(const Report& report, std::string_view path) {
  SampleScale scale = SampleScale::kAsRecorded;
  const Distribution* d = report.find_distribution(path, &scale);
  return d != nullptr && scale == SampleScale::kNsToUs ? d : nullptr;
}

Json histograms(const Report& report) {
  Json out = Json::object();
  if (const Distribution* wait = ns_distribution(report, "pending_latency_us"))
    out["pending_wait"] = histogram(*wait, "pending_latency_us");
  for (const char* path :
       {"realtime.frame_lateness_us", "arrival.latency_us", "frames.lateness_us"}) {
    if (const Distribution* late = ns_distribution(report, path); late && late->count() > 0) {
      out["lateness"] = histogram(*late, path);
      break;
    }
  }
  return out;
}

std::string title_of(const std::string& file) {
  const std::string stem = std::filesystem::path(file).stem().string();
  return stem.empty() ? file : stem;
}

}  // namespace

const char* to_string(RunVerdict verdict) {
  switch (verdict) {
    case RunVerdict::kPassed:
      return "passed";
    case RunVerdict::kFailed:
      return "failed";
    case RunVerdict::kStopped:
      return "stopped";
    case RunVerdict::kInvalid:
      return "invalid";
  }
  return "failed";
}

Json run_section(const ScenarioOutcome& outcome, RunVerdict verdict,
                 const std::vector<std::string>& problems, std::size_t index) {
  const Json report = outcome.report.to_json(WallTime::kInclude);
  const RunHeadline headline = make_headline(
      report, outcome.expect, {outcome.scenario_file, outcome.clock, outcome.stopped_by});
  Json groups = Json::array();
  for (const FigureGroup& group : group_figures(report, outcome.client_names)) {
    Json rows = Json::array();
    for (const FigureView& figure : group.figures)
      rows.push_back({figure.path, figure_text(figure)});
    groups.push_back({{"title", group.title}, {"rows", rows}});
  }
  Json expectations = Json::array();
  for (const ExpectationCheck& check : check_each_expectation(report, outcome.expect)) {
    expectations.push_back({{"figure", check.figure},
                            {"expected", check.expected},
                            {"found", check.found},
                            {"met", check.met},
                            {"problem", check.problem}});
  }
  return {{"id", fmt::format("run-{}", index)},
          {"title", title_of(outcome.scenario_file)},
          {"file", outcome.scenario_file},
          {"verdict", to_string(verdict)},
          {"clock", outcome.clock},
          {"headline", headline_json(headline)},
          {"headline_text", headline_text(headline)},
          {"problems", problems},
          {"timeline", outcome.timeline ? outcome.timeline->to_json() : Json()},
          {"histograms", histograms(outcome.report)},
          {"expectations", expectations},
          {"script_failures", outcome.failures},
          {"groups", groups},
          {"scenario_text", outcome.scenario_text}};
}

Json invalid_run_section(const std::string& file, const std::vector<std::string>& errors,
                         std::size_t index) {
  return {{"id", fmt::format("run-{}", index)},
          {"title", title_of(file)},
          {"file", file},
          {"verdict", to_string(RunVerdict::kInvalid)},
          {"problems", errors},
          {"timeline", nullptr},
          {"histograms", Json::object()},
          {"expectations", Json::array()},
          {"groups", Json::array()}};
}

Json runs_page_data(std::string title, std::string subtitle, std::vector<Json> sections,
                    bool suite) {
  return {{"kind", suite ? "suite" : "run"},
          {"title", std::move(title)},
          {"subtitle", std::move(subtitle)},
          {"runs", std::move(sections)}};
}

}  // namespace hilcap::sim
