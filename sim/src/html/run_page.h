// The HTML report of runs (html_page.h draws it): one section per run with
// its headline, its timeline's charts (frames by owner, pending requests,
// drops by reason, lateness, each client's first seconds), the pending-wait
// and lateness histograms with p50, p99 and max marked, the expectations
// (met or not, with the figure), every figure by part, and the scenario as
// it ran. `hilcap run/capture/serve --html` write a page of one section,
// `hilcap test --html` a page of a section per scenario.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "cli/scenario_runner.h"
#include "report/run_headline.h"

namespace hilcap::sim {

// How a run went, as the page's badge says it.
enum class RunVerdict { kPassed, kFailed, kStopped, kInvalid };
const char* to_string(RunVerdict verdict);

// The section of one run. `outcome.report` is as printed (wall time set);
// `problems`: what the console said went wrong (errors, unmet
// expectations), shown under the headline.
nlohmann::json run_section(const ScenarioOutcome& outcome, RunVerdict verdict,
                           const std::vector<std::string>& problems, std::size_t index);

// The section of a run that never started: its file and why.
nlohmann::json invalid_run_section(const std::string& file, const std::vector<std::string>& errors,
                                   std::size_t index);

// A page's data: "run" for one section, "suite" for several.
nlohmann::json runs_page_data(std::string title, std::string subtitle,
                              std::vector<nlohmann::json> sections, bool suite);

// The buckets of a run's timeline on a page of one run, and on a suite's
// page (more sections, lighter each).
inline constexpr std::size_t kRunPageBuckets = 1000;
inline constexpr std::size_t kSuitePageBuckets = 400;

}  // namespace hilcap::sim
