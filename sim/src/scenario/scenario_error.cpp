#include "scenario/scenario_error.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace hilcap::sim {
namespace {

constexpr std::size_t kMaxQuoted = 60;
constexpr std::size_t kMaxKeysShown = 5;

}  // namespace

std::string ScenarioError::to_string() const {
  switch (kind) {
    case Kind::kUnreadable:
      return fmt::format("{}: cannot read: {}", file, found);
    case Kind::kSyntax:
      return fmt::format("{}:{}:{}: invalid JSON: {}", file, line, column, found);
    case Kind::kValue:
      break;
  }
  return fmt::format("{}: at {}: expected {}, found {}", file,
                     pointer.empty() ? std::string("the top level") : pointer, expected, found);
}

std::string describe_found(const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::string: {
      const auto& text = value.get_ref<const std::string&>();
      if (text.size() <= kMaxQuoted) return value.dump();
      // Cut on a UTF-8 character boundary so the message stays valid text.
      std::size_t cut = kMaxQuoted;
      while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80)
        --cut;
      std::string quoted = nlohmann::json(text.substr(0, cut)).dump();
      quoted.insert(quoted.size() - 1, "...");
      return quoted;
    }
    case nlohmann::json::value_t::object: {
      if (value.empty()) return "an empty object";
      std::string keys;
      std::size_t shown = 0;
      for (const auto& item : value.items()) {
        if (shown == kMaxKeysShown) {
          keys += ", ...";
          break;
        }
        keys += fmt::format("{}{}", shown++ == 0 ? "" : ", ", nlohmann::json(item.key()).dump());
      }
      return fmt::format("an object with {} {}", value.size() == 1 ? "key" : "keys", keys);
    }
    case nlohmann::json::value_t::array:
      if (value.empty()) return "an empty array";
      return fmt::format("an array of {} item{}", value.size(), value.size() == 1 ? "" : "s");
    case nlohmann::json::value_t::discarded:
      return "nothing";
    default:
      return value.dump();
  }
}

ScenarioChecks::ScenarioChecks(std::string file, const nlohmann::json& document)
    : file_(std::move(file)), document_(document) {}

void ScenarioChecks::fail(std::string_view pointer, std::string_view expected) {
  const nlohmann::json::json_pointer where{std::string(pointer)};
  std::string found = "nothing";
  if (document_.contains(where)) found = describe_found(document_.at(where));
  errors_.push_back({ScenarioError::Kind::kValue, file_, std::string(pointer),
                     std::string(expected), std::move(found)});
}

bool ScenarioChecks::require(bool condition, std::string_view pointer, std::string_view expected) {
  if (!condition) fail(pointer, expected);
  return condition;
}

}  // namespace hilcap::sim
