// Loading a scenario: JSON syntax, the schema, then the rules a schema cannot
// express and the device's own validation, all reported in one form
// (`FILE: at /json/pointer: expected X, found Y`) and all at once. Nothing
// of a scenario with errors reaches the runner.
#pragma once

#include <filesystem>
#include <optional>
#include <string_view>
#include <vector>

#include "scenario/scenario.h"
#include "scenario/scenario_error.h"
#include "scenario/scenario_files.h"

namespace hilcap::sim {

struct LoadedScenario {
  std::optional<Scenario> scenario;  // set exactly when `errors` is empty
  std::vector<ScenarioError> errors;
};

LoadedScenario load_scenario(const std::filesystem::path& file,
                             const FileReader& read_file = disk_file_reader());

// The same for text in memory; `file` names it in messages and relative
// paths in it are resolved against `directory`.
LoadedScenario parse_scenario(std::string_view text, std::string_view file,
                              const std::filesystem::path& directory, const FileReader& read_file);

}  // namespace hilcap::sim
