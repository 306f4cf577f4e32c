// JUnit XML for `hilcap test --junit FILE`, the format CI systems read.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace hilcap::sim {

struct ScenarioResult {
  enum class Verdict {
    kPassed,
    kFailed,  // expectations not met, or the run stopped on a violation
    kError,   // the scenario (or its expect block) is invalid, or running it broke
  };
  std::filesystem::path file;
  Verdict verdict = Verdict::kPassed;
  double seconds = 0;
  std::vector<std::string> messages;  // why it did not pass, most important first
};

// Escapes text for XML content or attribute values; characters XML 1.0
// cannot carry (most control characters) become U+FFFD.
std::string xml_escape(std::string_view text);

// One <testsuite> named `suite_name`; a scenario is a <testcase> whose
// classname is its directory (dots for slashes) and name its file stem.
std::string junit_xml(std::string_view suite_name, const std::vector<ScenarioResult>& results);

}  // namespace hilcap::sim
