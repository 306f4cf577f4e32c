// Values set into a scenario's JSON before it is loaded: `hilcap run --set
// /allocator/frames=5` and each point of `hilcap sweep --vary` (a sweep's
// row is re-run with the same --set flags and its --seed). The document so
// changed is then loaded and checked as any scenario is, so an impossible
// value is refused naming the file, the pointer, the expected and the found
// value.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hilcap::sim {

// One JSON pointer (RFC 6901) into the scenario and its new value.
struct ScenarioOverride {
  std::string pointer;  // "/clients/0/hold_ms"
  nlohmann::json value;
};

// A value as typed on the command line: JSON when it reads as JSON (5, 2.5,
// true, null, "text", [1,2], {...}), else the text as a string (YUY2).
nlohmann::json command_line_value(std::string_view text);

// "POINTER=VALUE" as --set takes it; nullopt with `error` set otherwise.
std::optional<ScenarioOverride> parse_override(std::string_view spec, std::string& error);

// "POINTER=VALUE" again, as a --set flag's argument (the value as JSON text,
// a string bare when it reads back the same).
std::string override_text(const ScenarioOverride& change);

// Sets each value into the JSON document `text`. An object's member is
// added when missing (with the objects on its way: /allocator/frames in a
// scenario without an allocator section); an array's element must exist.
// Returns the document, or nullopt with `error` ("at /clients/3/hold_ms:
// expected an existing element of the array at /clients (0..0), found
// \"3\""); text that is not JSON comes back unchanged (the loader then
// says where it breaks).
std::optional<std::string> apply_overrides(std::string_view text,
                                           const std::vector<ScenarioOverride>& changes,
                                           std::string& error);

}  // namespace hilcap::sim
