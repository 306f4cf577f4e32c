// Checks a JSON document against a JSON Schema (draft 7, through valijson)
// and turns every violation into a ScenarioError that says where, what was
// expected (described from the schema itself: "a number > 0", "one of
// "yuy2", "nv12"") and what was found. Also reports every unknown property
// (valijson names only the first) with a "did you mean" for near misses.
#pragma once

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "scenario/scenario_error.h"

namespace valijson {
class Schema;
}

namespace hilcap::sim {

// A value the schema refused, for the checks that run after it: where it is
// (for a missing required property, where it would be), and whether it is
// merely an unknown property (reading the document without it changes
// nothing) rather than a value that is wrong or missing.
struct SchemaRefusal {
  std::string pointer;
  bool unknown_property = false;
};

struct SchemaCheck {
  std::vector<ScenarioError> errors;  // ordered by position in the document
  std::vector<SchemaRefusal> refusals;
};

class SchemaValidator {
 public:
  // Null with `error` set when the schema itself is not a usable schema.
  static std::unique_ptr<SchemaValidator> create(nlohmann::json schema, std::string& error);
  static std::unique_ptr<SchemaValidator> load(const std::filesystem::path& schema_file,
                                               std::string& error);
  ~SchemaValidator();

  // Every violation, ordered by position in the document; empty when valid.
  std::vector<ScenarioError> validate(const nlohmann::json& document, std::string_view file) const;
  // The same, with the values refused.
  SchemaCheck check(const nlohmann::json& document, std::string_view file) const;

 private:
  SchemaValidator(nlohmann::json schema, std::unique_ptr<valijson::Schema> compiled);

  nlohmann::json schema_;
  std::unique_ptr<valijson::Schema> compiled_;
};

}  // namespace hilcap::sim
