// A configuration error that names the exact field, what was expected there and
// what was found, e.g. "device.timing.fps: expected a positive frame rate, found 0/1".
#pragma once

#include <string>
#include <vector>

namespace hilcap::device {

struct ConfigError {
  std::string field;     // dotted path, close to the scenario JSON: "device.timing.fps"
  std::string expected;  // "a positive frame rate"
  std::string found;     // "0/1"

  std::string message() const { return field + ": expected " + expected + ", found " + found; }
  bool operator==(const ConfigError&) const = default;
};

using ConfigErrors = std::vector<ConfigError>;

}  // namespace hilcap::device
