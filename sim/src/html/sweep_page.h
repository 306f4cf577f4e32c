// The HTML page of a sweep (html_page.h draws it, kind "sweep"): the grid,
// the answers in words, a line chart per metric over the first --vary (a
// line per combination of the others, seeds averaged, their spread in the
// tooltip), and every row.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sweep/sweep_table.h"

namespace hilcap::sim {

nlohmann::json sweep_page_data(const SweepTable& table, const std::vector<std::string>& answers,
                               const std::string& summary);

}  // namespace hilcap::sim
