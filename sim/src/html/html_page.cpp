#include "html/html_page.h"

#include <fmt/format.h>

#include "cli/junit_xml.h"  // xml_escape: text safe in HTML as in XML
#include "html/html_assets.h"

namespace hilcap::sim {
namespace {

// JSON safe inside a <script> element: no "</" (which could close it) and
// no "<!--"; "\/" and "\u003c" read back as the same JSON.
std::string script_safe_json(const nlohmann::json& data) {
  const std::string json = data.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::string out;
  out.reserve(json.size() + json.size() / 64);
  for (const char c : json) {
    if (c == '<') {
      out += "\\u003c";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

std::string html_page(const nlohmann::json& data) {
  const std::string title = data.value("title", std::string("hilcap report"));
  std::string page;
  page.reserve(chartjs_script().size() + 64 * 1024);
  page += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  page += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  page += fmt::format("<meta name=\"generator\" content=\"hilcap {}\">\n", HILCAP_VERSION);
  page += "<title>" + xml_escape(title) + "</title>\n<style>\n";
  page += report_page_style();
  page += "</style>\n</head>\n<body>\n";
  page += "<noscript>This report draws its charts with JavaScript.</noscript>\n";
  page += "<script type=\"application/json\" id=\"hilcap-data\">";
  page += script_safe_json(data);
  page += "</script>\n<script>\n";
  page += chartjs_script();
  page += "\n</script>\n<script>\n";
  page += report_page_script();
  page += "</script>\n</body>\n</html>\n";
  return page;
}

}  // namespace hilcap::sim
