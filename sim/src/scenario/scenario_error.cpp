#include "scenario/scenario_error.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

namespace hilcap::sim {
namespace {

constexpr std::size_t kMaxQuoted = 60;
constexpr std::size_t kMaxKeysShown = 5;

bool is_index(std::string_view token) {
  return !token.empty() &&
         std::all_of(token.begin(), token.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Whether pointer `a` comes before pointer `b` reading the document.
bool before_in_document(const std::string& a, const std::string& b) {
  std::size_t i = 0;
  std::size_t j = 0;
  while (i < a.size() && j < b.size()) {
    const std::size_t a_end = std::min(a.find('/', i + 1), a.size());
    const std::size_t b_end = std::min(b.find('/', j + 1), b.size());
    const std::string_view ta = std::string_view(a).substr(i + 1, a_end - i - 1);
    const std::string_view tb = std::string_view(b).substr(j + 1, b_end - j - 1);
    if (ta != tb) {
      if (is_index(ta) && is_index(tb) && ta.size() != tb.size()) return ta.size() < tb.size();
      return ta < tb;
    }
    i = a_end;
    j = b_end;
  }
  return a.size() - i < b.size() - j;
}

}  // namespace

std::string ScenarioError::to_string() const {
  switch (kind) {
    case Kind::kUnreadable:
      return fmt::format("{}: cannot read: {}", file, found);
    case Kind::kSyntax: {
      const std::string where = line == 0 ? file : fmt::format("{}:{}:{}", file, line, column);
      return json_pointer.empty()
                 ? fmt::format("{}: invalid JSON: {}", where, found)
                 : fmt::format("{}: invalid JSON: {} (at {})", where, found, json_pointer);
    }
    case Kind::kValue:
      break;
  }
  const std::string where = line == 0 ? file : fmt::format("{}:{}:{}", file, line, column);
  return fmt::format("{}: {}", where, message());
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

void ScenarioChecks::fail(std::string_view pointer, std::string_view expected, std::string found) {
  errors_.push_back({ScenarioError::Kind::kValue, file_, std::string(pointer),
                     std::string(expected), std::move(found)});
}

void ScenarioChecks::fail(FieldError error) {
  errors_.emplace_back(file_, std::move(error));
}

std::vector<ScenarioError> ScenarioChecks::errors() const {
  std::vector<ScenarioError> sorted = errors_;
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const ScenarioError& a, const ScenarioError& b) {
                     return before_in_document(a.json_pointer, b.json_pointer);
                   });
  return sorted;
}

bool ScenarioChecks::require(bool condition, std::string_view pointer, std::string_view expected) {
  if (!condition) fail(pointer, expected);
  return condition;
}

}  // namespace hilcap::sim
