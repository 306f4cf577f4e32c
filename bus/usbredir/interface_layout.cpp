#include "interface_layout.h"

#include <algorithm>

namespace hilcap::bus {

namespace {
constexpr std::uint8_t kInterfaceDescriptor = 0x04;
constexpr std::uint8_t kEndpointDescriptor = 0x05;
}  // namespace

InterfaceLayout InterfaceLayout::parse(std::span<const std::uint8_t> configuration) {
  InterfaceLayout layout;
  std::size_t at = 0;
  while (at + 2 <= configuration.size()) {
    const std::uint8_t length = configuration[at];
    if (length < 2 || at + length > configuration.size()) break;
    const std::span<const std::uint8_t> d = configuration.subspan(at, length);
    if (d[1] == kInterfaceDescriptor && length >= 9) {
      layout.alt_settings_.push_back({d[2], d[3], d[5], d[6], d[7], {}});
      if (std::find(layout.interfaces_.begin(), layout.interfaces_.end(), d[2]) ==
          layout.interfaces_.end())
        layout.interfaces_.push_back(d[2]);
    } else if (d[1] == kEndpointDescriptor && length >= 7 && !layout.alt_settings_.empty()) {
      const auto packet = static_cast<std::uint16_t>(d[4] | (d[5] << 8));
      layout.alt_settings_.back().endpoints.push_back(
          {d[2], static_cast<EndpointKind>(d[3] & 0x03), d[6],
           static_cast<std::uint16_t>(packet & 0x7ff),
           static_cast<std::uint8_t>(1 + ((packet >> 11) & 0x3))});
    }
    at += length;
  }
  return layout;
}

const AltSettingDescription* InterfaceLayout::alt_setting(std::uint8_t interface,
                                                          std::uint8_t alt) const {
  for (const AltSettingDescription& a : alt_settings_)
    if (a.interface == interface && a.alt_setting == alt) return &a;
  return nullptr;
}

}  // namespace hilcap::bus
