// One self-contained HTML page: the page's data as JSON in a
// <script type="application/json"> element, Chart.js, the page's script
// and style inline. Opens from a file with no network.
//
// The data is a JSON object whose "kind" says what the page shows (the page
// script, report_page.js, draws it):
//   "run"    one run ("runs": [one run section])       hilcap run / capture / serve --html
//   "suite"  a scenario suite ("runs": [a section each]) hilcap test --html
//   "sweep"  a parameter sweep ("sweep": {...})        hilcap sweep
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace hilcap::sim {

std::string html_page(const nlohmann::json& data);

}  // namespace hilcap::sim
