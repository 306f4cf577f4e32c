#include "configuration_layout.h"

#include <algorithm>

namespace hilcap::testing {

namespace {
constexpr std::uint8_t kDescInterface = 0x04;
constexpr std::uint8_t kDescEndpoint = 0x05;
}  // namespace

ConfigurationLayout ConfigurationLayout::parse(std::span<const std::uint8_t> configuration) {
  ConfigurationLayout layout;
  std::size_t at = 0;
  while (at + 2 <= configuration.size()) {
    const std::uint8_t length = configuration[at];
    if (length < 2 || at + length > configuration.size()) break;
    const auto d = configuration.subspan(at, length);
    if (d[1] == kDescInterface && length >= 9) {
      layout.alt_settings_.push_back({d[2], d[3], {}});
    } else if (d[1] == kDescEndpoint && length >= 7 && !layout.alt_settings_.empty()) {
      layout.alt_settings_.back().endpoints.push_back(
          {d[2], static_cast<EndpointType>(d[3] & 0x03)});
    }
    at += length;
  }
  return layout;
}

bool ConfigurationLayout::has_alt_setting(std::uint8_t interface, std::uint8_t alt_setting) const {
  return std::any_of(alt_settings_.begin(), alt_settings_.end(), [&](const AltSettingInfo& a) {
    return a.interface == interface && a.alt_setting == alt_setting;
  });
}

std::optional<EndpointInfo> ConfigurationLayout::endpoint(std::uint8_t interface,
                                                          std::uint8_t alt_setting,
                                                          std::uint8_t address) const {
  for (const AltSettingInfo& a : alt_settings_) {
    if (a.interface != interface || a.alt_setting != alt_setting) continue;
    for (const EndpointInfo& e : a.endpoints)
      if (e.address == address) return e;
  }
  return std::nullopt;
}

std::vector<EndpointInfo> ConfigurationLayout::endpoints(std::uint8_t interface,
                                                         std::uint8_t alt_setting) const {
  for (const AltSettingInfo& a : alt_settings_)
    if (a.interface == interface && a.alt_setting == alt_setting) return a.endpoints;
  return {};
}

std::vector<std::uint8_t> ConfigurationLayout::interfaces() const {
  std::vector<std::uint8_t> out;
  for (const AltSettingInfo& a : alt_settings_)
    if (std::find(out.begin(), out.end(), a.interface) == out.end()) out.push_back(a.interface);
  return out;
}

}  // namespace hilcap::testing
