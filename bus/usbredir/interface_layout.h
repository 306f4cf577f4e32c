// What a usbredir peer must be told about a device's configuration: every
// interface's alternate settings with their class codes and endpoints (type,
// bInterval, packet size), read from the configuration descriptor's bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace hilcap::bus {

enum class EndpointKind : std::uint8_t {
  kControl = 0,
  kIsochronous = 1,
  kBulk = 2,
  kInterrupt = 3
};

struct EndpointDescription {
  std::uint8_t address = 0;
  EndpointKind kind = EndpointKind::kControl;
  std::uint8_t interval = 0;          // bInterval as written
  std::uint16_t max_packet_size = 0;  // wMaxPacketSize bits 0..10
  std::uint8_t transactions = 1;      // high-bandwidth: 1 + bits 11..12
  std::uint32_t bytes_per_interval() const { return std::uint32_t{max_packet_size} * transactions; }
};

struct AltSettingDescription {
  std::uint8_t interface = 0;
  std::uint8_t alt_setting = 0;
  std::uint8_t interface_class = 0;
  std::uint8_t interface_subclass = 0;
  std::uint8_t interface_protocol = 0;
  std::vector<EndpointDescription> endpoints;
};

class InterfaceLayout {
 public:
  // Walks the configuration descriptor; stops at the first descriptor whose
  // bLength does not fit (what it read so far stays).
  static InterfaceLayout parse(std::span<const std::uint8_t> configuration);

  // Interface numbers in order of appearance.
  const std::vector<std::uint8_t>& interfaces() const { return interfaces_; }
  const AltSettingDescription* alt_setting(std::uint8_t interface, std::uint8_t alt) const;

 private:
  std::vector<AltSettingDescription> alt_settings_;
  std::vector<std::uint8_t> interfaces_;
};

}  // namespace hilcap::bus
