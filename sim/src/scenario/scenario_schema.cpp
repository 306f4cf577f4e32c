#include "scenario/scenario_schema.h"

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

namespace hilcap::sim {

const SchemaValidator& scenario_schema() {
  static const std::unique_ptr<SchemaValidator> validator = [] {
    std::string error;
    auto compiled = SchemaValidator::create(nlohmann::json::parse(scenario_schema_text()), error);
    if (!compiled) throw std::logic_error("the built-in scenario schema is broken: " + error);
    return compiled;
  }();
  return *validator;
}

}  // namespace hilcap::sim
