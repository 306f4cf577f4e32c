// Loading a scenario in one pass: JSON syntax, the schema, the rules a
// schema cannot express (section by section, the device's own validation
// included), the run's limits and the expect block's figure names. A syntax
// error stops there (there is no document to check); every other problem of
// every stage is reported together, each once, in the order the file reads,
// in one form (`FILE: at /json/pointer: expected X, found Y`). Nothing of a
// scenario with errors reaches the runner.
#pragma once

#include <filesystem>
#include <functional>
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

// What the loader checks besides the file itself: how it will run.
struct LoadOptions {
  // The run goes on the wall clock whatever the scenario's "clock" says
  // (`hilcap run --realtime`): the real-time limits apply.
  bool realtime = false;
  // `--allow-long-run`: a virtual-time run may exceed its event estimate's
  // bound (limits.max_events).
  bool allow_long_run = false;
  // Checks the expect block's figure names against the report the run would
  // produce (the report's shape is the runner's: make_scenario_runner passes
  // check_expect_figures); unset, they are not checked.
  std::function<std::vector<ScenarioError>(const Scenario&)> expect_figures;
};

LoadedScenario load_scenario(const std::filesystem::path& file,
                             const FileReader& read_file = disk_file_reader(),
                             const LoadOptions& options = {});

// The same for text in memory; `file` names it in messages and relative
// paths in it are resolved against `directory`.
LoadedScenario parse_scenario(std::string_view text, std::string_view file,
                              const std::filesystem::path& directory, const FileReader& read_file,
                              const LoadOptions& options = {});

}  // namespace hilcap::sim
