// Reading a schema-checked scenario document: optional members, and times
// written in human units ("at_ms": 33.3) turned into the simulation's ns.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "scheduler/scheduler.h"

namespace hilcap::sim {

inline constexpr std::int64_t kNsPerUs = 1'000;
inline constexpr std::int64_t kNsPerMs = 1'000'000;
inline constexpr std::int64_t kNsPerS = 1'000'000'000;

// The member `key` of `object`, or null when `object` is not an object or has none.
inline const nlohmann::json* member(const nlohmann::json& object, std::string_view key) {
  if (!object.is_object()) return nullptr;
  const auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

// A JSON number in units of `ns_per_unit` ns, rounded to the nearest ns and
// saturated to [0, max]: the schema bounds every time far below that, this
// only keeps arithmetic defined whatever the document says.
inline TimeNs to_ns(const nlohmann::json& value, std::int64_t ns_per_unit) {
  if (!value.is_number()) return 0;
  const double ns = value.get<double>() * static_cast<double>(ns_per_unit);
  constexpr double kMax = 4.0e18;
  if (!(ns > 0)) return 0;  // also NaN
  if (ns >= kMax) return static_cast<TimeNs>(kMax);
  return static_cast<TimeNs>(std::llround(ns));
}

// Appends `token` to a JSON Pointer as one more level ("~" and "/" escaped
// as RFC 6901 says). Built as text: a script of 100,000 steps asks for
// several pointers per step.
inline void append_pointer_token(std::string& pointer, std::string_view token) {
  pointer += '/';
  for (const char c : token) {
    if (c == '~') {
      pointer += "~0";
    } else if (c == '/') {
      pointer += "~1";
    } else {
      pointer += c;
    }
  }
}

// A pointer one level below `pointer`.
inline std::string child_pointer(std::string_view pointer, std::string_view token) {
  std::string out(pointer);
  append_pointer_token(out, token);
  return out;
}

inline std::string child_pointer(std::string_view pointer, std::size_t index) {
  return child_pointer(pointer, std::to_string(index));
}

}  // namespace hilcap::sim
