// The scenario JSON Schema (configs/schema/scenario.schema.json), built in.
#pragma once

#include <string_view>

#include "scenario/schema_validator.h"

namespace hilcap::sim {

// The schema's text, as shipped in configs/schema/.
std::string_view scenario_schema_text();

// The schema, compiled once (thread-safe); it is known to be valid (a unit
// test loads it).
const SchemaValidator& scenario_schema();

}  // namespace hilcap::sim
