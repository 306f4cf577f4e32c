#include "cli/junit_xml.h"

#include <fmt/format.h>

#include <algorithm>

namespace hilcap::sim {
namespace {

std::string join_lines(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& line : lines)
    out += line + "\n";
  return out;
}

std::string classname_of(const std::filesystem::path& file) {
  std::string dir = file.parent_path().generic_string();
  while (dir.starts_with("./"))
    dir.erase(0, 2);
  if (dir.empty() || dir == ".") return "scenarios";
  std::replace(dir.begin(), dir.end(), '/', '.');
  return dir;
}

}  // namespace

std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      case '\n':
        out += "&#10;";  // kept through attribute-value normalisation
        break;
      case '\t':
        out += "&#9;";
        break;
      case '\r':
        out += "&#13;";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) {
          out += "\xEF\xBF\xBD";
        } else {
          out += c;
        }
    }
  }
  return out;
}

std::string junit_xml(std::string_view suite_name, const std::vector<ScenarioResult>& results) {
  std::size_t failures = 0;
  std::size_t errors = 0;
  double total_seconds = 0;
  for (const ScenarioResult& r : results) {
    failures += r.verdict == ScenarioResult::Verdict::kFailed;
    errors += r.verdict == ScenarioResult::Verdict::kError;
    total_seconds += r.seconds;
  }
  const std::string name = xml_escape(suite_name);
  std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  xml += fmt::format(
      "<testsuites name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" time=\"{:.3f}\">\n", name,
      results.size(), failures, errors, total_seconds);
  xml += fmt::format(
      "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"0\" "
      "time=\"{:.3f}\">\n",
      name, results.size(), failures, errors, total_seconds);
  for (const ScenarioResult& r : results) {
    xml += fmt::format("    <testcase classname=\"{}\" name=\"{}\" file=\"{}\" time=\"{:.3f}\"",
                       xml_escape(classname_of(r.file)), xml_escape(r.file.stem().string()),
                       xml_escape(r.file.generic_string()), r.seconds);
    if (r.verdict == ScenarioResult::Verdict::kPassed) {
      xml += "/>\n";
      continue;
    }
    const bool failed = r.verdict == ScenarioResult::Verdict::kFailed;
    const std::string first = r.messages.empty() ? std::string() : r.messages.front();
    xml += fmt::format(">\n      <{0} message=\"{1}\" type=\"{2}\">{3}</{0}>\n    </testcase>\n",
                       failed ? "failure" : "error", xml_escape(first),
                       failed ? "expectation" : "scenario", xml_escape(join_lines(r.messages)));
  }
  xml += "  </testsuite>\n</testsuites>\n";
  return xml;
}

}  // namespace hilcap::sim
