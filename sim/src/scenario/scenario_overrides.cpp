#include "scenario/scenario_overrides.h"

#include <fmt/format.h>

#include <charconv>

namespace hilcap::sim {
namespace {

using Json = nlohmann::json;

}  // namespace

Json command_line_value(std::string_view text) {
  Json value = Json::parse(text, nullptr, false);
  if (value.is_discarded()) return std::string(text);
  return value;
}

std::optional<ScenarioOverride> parse_override(std::string_view spec, std::string& error) {
  const std::size_t equals = spec.find('=');
  if (equals == std::string_view::npos || spec.empty() || spec.front() != '/') {
    error = fmt::format(
        "expected POINTER=VALUE with a JSON pointer (e.g. /allocator/frames=5), "
        "found \"{}\"",
        spec);
    return std::nullopt;
  }
  const std::string_view value = spec.substr(equals + 1);
  if (value.empty()) {
    error = fmt::format("expected a value after '=' in \"{}\"", spec);
    return std::nullopt;
  }
  std::string pointer(spec.substr(0, equals));
  try {
    (void)Json::json_pointer(pointer);
  } catch (const Json::exception& e) {
    error = fmt::format("\"{}\" is not a JSON pointer: {}", pointer, e.what());
    return std::nullopt;
  }
  return ScenarioOverride{std::move(pointer), command_line_value(value)};
}

std::string override_text(const ScenarioOverride& change) {
  std::string value = change.value.dump();
  if (change.value.is_string() && command_line_value(change.value.get<std::string>()).is_string())
    value = change.value.get<std::string>();
  return change.pointer + "=" + value;
}

std::optional<std::string> apply_overrides(std::string_view text,
                                           const std::vector<ScenarioOverride>& changes,
                                           std::string& error) {
  if (changes.empty()) return std::string(text);
  Json doc = Json::parse(text, nullptr, false);
  if (doc.is_discarded()) return std::string(text);
  for (const ScenarioOverride& change : changes) {
    // Walks the pointer: an object's missing member is added (an empty
    // object on the way, the value at the end); an array's element must exist.
    const Json::json_pointer pointer(change.pointer);
    if (pointer.empty()) {
      error = fmt::format("at {}: expected a pointer into the scenario, found the whole document",
                          change.pointer);
      return std::nullopt;
    }
    std::vector<std::string> tokens;
    for (Json::json_pointer p = pointer; !p.empty(); p.pop_back())
      tokens.insert(tokens.begin(), p.back());
    Json* at = &doc;
    std::string walked;
    for (std::size_t i = 0; i < tokens.size(); ++i) {
      const std::string& key = tokens[i];
      const bool last = i + 1 == tokens.size();
      if (at->is_object()) {
        Json& next = (*at)[key];
        if (!last && next.is_null()) next = Json::object();
        at = &next;
      } else if (at->is_array()) {
        std::size_t index = 0;
        const auto [end, ec] = std::from_chars(key.data(), key.data() + key.size(), index);
        if (ec != std::errc() || end != key.data() + key.size() || index >= at->size()) {
          error = fmt::format(
              "at {}: expected an existing element of the array at {} (0..{}), "
              "found \"{}\"",
              change.pointer, walked.empty() ? "/" : walked, at->empty() ? 0 : at->size() - 1, key);
          return std::nullopt;
        }
        at = &(*at)[index];
      } else {
        error = fmt::format("at {}: expected an object or array at {}, found {}", change.pointer,
                            walked.empty() ? "/" : walked, at->dump());
        return std::nullopt;
      }
      walked += "/" + key;
    }
    *at = change.value;
  }
  return doc.dump(2);
}

}  // namespace hilcap::sim
