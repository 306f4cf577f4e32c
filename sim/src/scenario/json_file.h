// Reading a scenario (or schema) file as JSON, with the position of syntax
// errors and with duplicate keys reported (nlohmann_json would silently keep
// the last one, hiding a typo'd override).
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>
#include <vector>

#include "scenario/scenario_error.h"

namespace hilcap::sim {

struct JsonFile {
  // Set when the file was read and parsed; duplicate keys still leave a
  // document (with the last value) but are reported in `errors`.
  std::optional<nlohmann::json> document;
  std::vector<ScenarioError> errors;
};

JsonFile load_json_file(const std::filesystem::path& path);

// The same for text already in memory; `file` names it in messages.
JsonFile parse_json_text(std::string_view text, std::string_view file);

}  // namespace hilcap::sim
