// The interfaces, alternate settings and endpoints of a configuration
// descriptor, as usbfs needs them to check a request (SETINTERFACE, which
// endpoint a URB may use). Read from raw bytes, so it serves a personality's
// descriptors and a real camera's alike.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace hilcap::testing {

enum class EndpointType : std::uint8_t {
  kControl = 0,
  kIsochronous = 1,
  kBulk = 2,
  kInterrupt = 3
};

struct EndpointInfo {
  std::uint8_t address = 0;
  EndpointType type = EndpointType::kControl;
};

struct AltSettingInfo {
  std::uint8_t interface = 0;
  std::uint8_t alt_setting = 0;
  std::vector<EndpointInfo> endpoints;
};

class ConfigurationLayout {
 public:
  // Walks the descriptors; stops at the first one whose bLength does not fit.
  static ConfigurationLayout parse(std::span<const std::uint8_t> configuration);

  bool has_alt_setting(std::uint8_t interface, std::uint8_t alt_setting) const;
  bool has_interface(std::uint8_t interface) const { return has_alt_setting(interface, 0); }
  // The endpoint `address` of an interface's alternate setting.
  std::optional<EndpointInfo> endpoint(std::uint8_t interface, std::uint8_t alt_setting,
                                       std::uint8_t address) const;
  // The endpoints of an interface's alternate setting.
  std::vector<EndpointInfo> endpoints(std::uint8_t interface, std::uint8_t alt_setting) const;
  // The interface numbers, in order of appearance.
  std::vector<std::uint8_t> interfaces() const;

 private:
  std::vector<AltSettingInfo> alt_settings_;
};

}  // namespace hilcap::testing
