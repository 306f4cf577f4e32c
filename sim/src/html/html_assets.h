// What every HTML report page carries inline, built into hilcap at build
// time (sim/meson.build reads the files): Chart.js (Debian's libjs-chart.js,
// MIT, its licence header kept), the page's script and its style sheet. A
// page needs no network to open.
#pragma once

#include <string_view>

namespace hilcap::sim {

std::string_view chartjs_script();      // /usr/share/javascript/chart.js/chart.min.js
std::string_view report_page_script();  // sim/src/html/report_page.js
std::string_view report_page_style();   // sim/src/html/report_page.css

}  // namespace hilcap::sim
