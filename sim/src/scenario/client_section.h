// The "clients" section of a scenario: KS client models, with `count`
// expanded into one ClientSpec per client.
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "scenario/scenario.h"
#include "scenario/scenario_error.h"

namespace hilcap::sim {

// Reads `doc["clients"]`; `duration_ns` bounds the times a client acts at.
// Names are unique after expansion. Seeds are left for Scenario::reseed().
std::vector<ClientSpec> read_client_section(const nlohmann::json& doc, TimeNs duration_ns,
                                            ScenarioChecks& checks);

// A hold or think time: a number of ms (fixed) or {"kind": ...}.
DurationSpec read_duration(const nlohmann::json& value, const std::string& pointer,
                           ScenarioChecks& checks);

}  // namespace hilcap::sim
