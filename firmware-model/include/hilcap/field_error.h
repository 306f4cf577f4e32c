// One wrong value in a configuration, in the one shape every configuration
// check reports: the device model's (DeviceConfig::validate), its UVC
// personality's (uvc::validate, uvc_config_for) and the scenario loader's.
// The place is the value's JSON Pointer (RFC 6901) in the scenario file
// ("/device/timing/bursts/0/interval_us"), or, for a configuration built in
// code, in that configuration's own fields ("/formats/0/frames/1/width").
//
//   at /device/timing/fps: expected a positive frame rate (num/den, both > 0), found 0/1
//
// Not part of the device's datasheet (host/ has no configuration to check).
#pragma once

#include <string>
#include <vector>

namespace hilcap {

struct FieldError {
  std::string json_pointer;  // "/device/timing/fps"; "" is the whole configuration
  std::string expected;      // "a positive frame rate (num/den, both > 0)"
  std::string found;         // "0/1"

  std::string message() const {
    return "at " + (json_pointer.empty() ? std::string("the top level") : json_pointer) +
           ": expected " + expected + ", found " + found;
  }
  bool operator==(const FieldError&) const = default;
};

using FieldErrors = std::vector<FieldError>;

}  // namespace hilcap
