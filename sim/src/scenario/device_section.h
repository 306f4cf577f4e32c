// The "device" section of a scenario: JSON (human units) to the device
// model's DeviceConfig (ns), and the device's own validation errors (which
// it reports at the JSON Pointers the user wrote).
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>

#include "device_config.h"
#include "scenario/scenario_error.h"
#include "scenario/scenario_files.h"

namespace hilcap::sim {

// Reads `doc["device"]` (defaults where absent; `seed` is the scenario's).
// What the schema cannot check (one cadence, one trigger, the parameters a
// kind needs) and a replay file that cannot be read or parsed are reported
// through `checks`. Relative replay paths are resolved against `directory`.
device::DeviceConfig read_device_section(const nlohmann::json& doc, std::uint64_t seed,
                                         const std::filesystem::path& directory,
                                         const FileReader& read_file, ScenarioChecks& checks);

// A fault's kind and its parameters ("bytes" for short, "duration_ms" for
// stall, nothing else), as written in the device's faults and in a script's
// inject_fault step.
device::FaultAction read_fault_action(const nlohmann::json& fault, const std::string& pointer,
                                      ScenarioChecks& checks);

}  // namespace hilcap::sim
