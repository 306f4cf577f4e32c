#include "scenario/expectations.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <string_view>

#include "scenario/spelling.h"

namespace hilcap::sim {
namespace {

using Json = nlohmann::json;

// Walks `path` through nested objects; a key may itself contain dots.
const Json* find_figure(const Json& node, std::string_view path) {
  if (!node.is_object()) return nullptr;
  if (const auto exact = node.find(std::string(path)); exact != node.end()) return &*exact;
  for (const auto& item : node.items()) {
    const std::string& key = item.key();
    if (path.size() > key.size() && path.starts_with(key) && path[key.size()] == '.') {
      if (const Json* found = find_figure(item.value(), path.substr(key.size() + 1))) return found;
    }
  }
  return nullptr;
}

void collect_leaf_paths(const Json& node, const std::string& prefix,
                        std::vector<std::string>& out) {
  if (!node.is_object()) {
    out.push_back(prefix);
    return;
  }
  for (const auto& item : node.items()) {
    collect_leaf_paths(item.value(), prefix.empty() ? item.key() : prefix + "." + item.key(), out);
  }
}

// -1, 0, 1 comparing two JSON numbers; integers compare exactly.
int compare_numbers(const Json& a, const Json& b) {
  if (a.is_number_integer() && b.is_number_integer()) {
    const bool a_neg = a.is_number_unsigned() ? false : a.get<std::int64_t>() < 0;
    const bool b_neg = b.is_number_unsigned() ? false : b.get<std::int64_t>() < 0;
    if (a_neg != b_neg) return a_neg ? -1 : 1;
    if (a_neg) {
      const auto x = a.get<std::int64_t>();
      const auto y = b.get<std::int64_t>();
      return x < y ? -1 : (x > y ? 1 : 0);
    }
    const auto x = a.get<std::uint64_t>();
    const auto y = b.get<std::uint64_t>();
    return x < y ? -1 : (x > y ? 1 : 0);
  }
  const auto x = a.get<double>();
  const auto y = b.get<double>();
  return x < y ? -1 : (x > y ? 1 : 0);
}

std::string shown(const Json& actual) {
  return actual.is_null() ? "null (no samples)" : actual.dump();
}

void check_exact(const std::string& path, const Json& actual, const Json& wanted,
                 ExpectationResult& result) {
  const bool equal = actual.is_number() && wanted.is_number() ? compare_numbers(actual, wanted) == 0
                                                              : actual == wanted;
  if (!equal) {
    result.failures.push_back(
        fmt::format("{}: expected exactly {}, found {}", path, wanted.dump(), shown(actual)));
  }
}

void check_bounds(const std::string& path, const Json& actual, const Json& bounds,
                  ExpectationResult& result) {
  if (bounds.empty()) {
    result.errors.push_back(fmt::format(
        "expect \"{}\": expected a \"min\" and/or \"max\" bound, found an empty object", path));
    return;
  }
  for (const auto& item : bounds.items()) {
    const bool is_min = item.key() == "min";
    if (!is_min && item.key() != "max") {
      result.errors.push_back(
          fmt::format("expect \"{}\": expected the bounds \"min\" and/or \"max\", found {}", path,
                      Json(item.key()).dump()));
      continue;
    }
    const Json& bound = item.value();
    if (!bound.is_number()) {
      result.errors.push_back(fmt::format("expect \"{}\": expected a number for \"{}\", found {}",
                                          path, item.key(), bound.dump()));
      continue;
    }
    if (!actual.is_number()) {
      result.failures.push_back(fmt::format("{}: expected {} {} ({}), found {}", path,
                                            is_min ? ">=" : "<=", bound.dump(), item.key(),
                                            shown(actual)));
      continue;
    }
    const int order = compare_numbers(actual, bound);
    if (is_min ? order < 0 : order > 0) {
      result.failures.push_back(fmt::format("{}: expected {} {} ({}), found {}", path,
                                            is_min ? ">=" : "<=", bound.dump(), item.key(),
                                            actual.dump()));
    }
  }
}

std::string expected_text(const Json& wanted) {
  if (!wanted.is_object()) return "= " + wanted.dump();
  const Json* min = wanted.contains("min") ? &wanted["min"] : nullptr;
  const Json* max = wanted.contains("max") ? &wanted["max"] : nullptr;
  if (min != nullptr && max != nullptr) return min->dump() + " .. " + max->dump();
  if (min != nullptr) return ">= " + min->dump();
  if (max != nullptr) return "<= " + max->dump();
  return wanted.dump();
}

}  // namespace

const Json* find_report_figure(const Json& report, std::string_view path) {
  return find_figure(report, path);
}

std::vector<ExpectationCheck> check_each_expectation(const Json& report, const Json& expect) {
  std::vector<ExpectationCheck> checks;
  if (!expect.is_object()) return checks;
  for (const auto& item : expect.items()) {
    ExpectationCheck check;
    check.figure = item.key();
    check.expected = expected_text(item.value());
    if (const Json* actual = find_figure(report, item.key());
        actual != nullptr && !actual->is_object()) {
      check.found = actual->dump();
    }
    const ExpectationResult result =
        evaluate_expectations(report, Json{{item.key(), item.value()}});
    check.met = result.passed();
    if (!check.met) check.problem = result.messages().front();
    checks.push_back(std::move(check));
  }
  return checks;
}

std::vector<std::string> ExpectationResult::messages() const {
  std::vector<std::string> all = failures;
  all.insert(all.end(), errors.begin(), errors.end());
  return all;
}

ExpectationResult evaluate_expectations(const Json& report, const Json& expect) {
  ExpectationResult result;
  if (expect.is_null()) return result;
  if (!expect.is_object()) {
    result.errors.push_back(
        fmt::format("expect: expected an object of figure bounds, found {}", expect.dump()));
    return result;
  }
  std::vector<std::string> known;
  for (const auto& item : expect.items()) {
    const std::string& path = item.key();
    const Json* actual = find_figure(report, path);
    if (actual == nullptr) {
      if (known.empty()) collect_leaf_paths(report, "", known);
      std::string message = fmt::format("expect \"{}\": no such figure in the report", path);
      if (const auto nearest = nearest_name(path, known))
        message += fmt::format(" (did you mean \"{}\"?)", *nearest);
      result.errors.push_back(std::move(message));
      continue;
    }
    if (actual->is_object() || actual->is_array()) {
      result.errors.push_back(
          fmt::format("expect \"{}\": names a group of figures, not one figure", path));
      continue;
    }
    const Json& wanted = item.value();
    if (wanted.is_object()) {
      check_bounds(path, *actual, wanted, result);
    } else if (wanted.is_array() || wanted.is_null()) {
      result.errors.push_back(
          fmt::format("expect \"{}\": expected a value or {{\"min\", \"max\"}} bounds, found {}",
                      path, wanted.dump()));
    } else {
      check_exact(path, *actual, wanted, result);
    }
  }
  return result;
}

}  // namespace hilcap::sim
