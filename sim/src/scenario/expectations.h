// A scenario's `expect` block checked against its report:
//   {"frames.delivered": 300,
//    "frames.dropped.total": {"max": 0},
//    "pending_latency_us.p99": {"min": 0, "max": 40000}}
// A key is a figure's dotted path in the report (a key that itself contains
// a dot, like "p99.9", is matched as a whole). A plain value must be matched
// exactly; an object gives inclusive "min" and/or "max" bounds.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace hilcap::sim {

struct ExpectationResult {
  // One per bound not met, naming the figure, the bound and the actual value:
  //   frames.dropped.total: expected <= 0 (max), found 3
  std::vector<std::string> failures;
  // Mistakes in the expect block itself: unknown figure, malformed bound.
  std::vector<std::string> errors;

  bool passed() const { return failures.empty() && errors.empty(); }
  // failures then errors, for printing.
  std::vector<std::string> messages() const;
};

// `expect` null means the scenario has no expect block: nothing to check.
ExpectationResult evaluate_expectations(const nlohmann::json& report, const nlohmann::json& expect);

// One key of an expect block against the report, for tables (the HTML
// report, the headline's "N/M met").
struct ExpectationCheck {
  std::string figure;    // the key: a figure's dotted path
  std::string expected;  // "= 300", ">= 1", "<= 0", "1 .. 5"
  std::string found;     // the figure's value as JSON text; empty when there is none
  bool met = false;
  std::string problem;  // why not met (the failure or the error), empty when met
};
std::vector<ExpectationCheck> check_each_expectation(const nlohmann::json& report,
                                                     const nlohmann::json& expect);

// The figure at a dotted path of a report (a key may itself contain dots,
// as "p99.9"); null when there is none.
const nlohmann::json* find_report_figure(const nlohmann::json& report, std::string_view path);

}  // namespace hilcap::sim
