// The report's figures as a person reads them: grouped by the part of the
// capture stack they describe, in a fixed order that follows a frame's
// life, not the alphabet:
//   run        seed, virtual_time_s, events, wall_time_s
//   device     frames due, produced, dropped (total, then by reason), in
//              flight; the device's interrupts, faults and state; a
//              camera's arrival timing
//   host       the completion path, frames delivered by what the host found,
//              frames received, the allocator, the ALLOC requests and how
//              long pended ones waited
//   client X   each client, in the scenario's order
//   script     the script's steps and expectations
//   USB        a camera's (or a served camera's) transfers and requests
//   real time  the wall clock's own figures
//   other      anything else, by path
// Both the console report and the HTML report show these groups; the JSON
// report (--report) keeps its own keys and shape.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace hilcap::sim {

// One figure: its dotted path and its value as the JSON report has it (a
// distribution: its object of count, min, mean, percentiles and max).
struct FigureView {
  std::string path;
  nlohmann::json value;
  bool distribution = false;
};

struct FigureGroup {
  std::string title;  // "device", "client viewer"...
  std::vector<FigureView> figures;
};

// Every figure of `report` (Report::to_json), in groups as above.
// `client_order`: the clients' names in the scenario's order (others
// follow by name).
std::vector<FigureGroup> group_figures(const nlohmann::json& report,
                                       const std::vector<std::string>& client_order);

// A figure's value as the console shows it: the JSON value, or for a
// distribution "n=111  min 0.0  mean 7.5  p50 7.3  p99 21.9  p99.9 22.2  max 22.2".
std::string figure_text(const FigureView& figure);

// The groups as an indented two-column table, a title line before each group.
std::string grouped_table(const std::vector<FigureGroup>& groups);

}  // namespace hilcap::sim
