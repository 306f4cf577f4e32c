// The "script" section of a scenario: timed steps with expected outcomes,
// acting through scripted clients (every name a step uses that is not a
// client model).
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "scenario/scenario.h"
#include "scenario/scenario_error.h"

namespace hilcap::sim {

inline constexpr std::string_view kDefaultScriptClient = "script";

struct ScriptSection {
  std::vector<ScriptStep> steps;
  std::vector<ClientSpec> clients;  // scripted, in order of first use
};

// Reads `doc["script"]`. `models` are the client models, whose names a step
// may not act through. Steps run in file order, so times must not decrease;
// every step is before the end of the run; `free` and `cancel` name an
// earlier alloc.
ScriptSection read_script_section(const nlohmann::json& doc, TimeNs duration_ns,
                                  const std::vector<ClientSpec>& models, ScenarioChecks& checks);

}  // namespace hilcap::sim
