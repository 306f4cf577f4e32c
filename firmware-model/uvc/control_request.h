// Control transfers as a device sees them: the setup packet, the answer (data
// or STALL), and the standard requests every USB device answers from its
// descriptors.
#pragma once

#include <hilcap/device_internal.h>

#include <cstddef>
#include <cstdint>
#include <span>

#include "descriptor_builder.h"

namespace hilcap::device::uvc {

// USB 2.0 9.4 standard requests.
inline constexpr std::uint8_t kRequestGetStatus = 0x00;
inline constexpr std::uint8_t kRequestClearFeature = 0x01;
inline constexpr std::uint8_t kRequestGetDescriptor = 0x06;
inline constexpr std::uint8_t kRequestGetConfiguration = 0x08;
inline constexpr std::uint16_t kFeatureEndpointHalt = 0x0000;
inline constexpr std::uint8_t kRequestTypeStandardDeviceIn = 0x80;
inline constexpr std::uint8_t kRequestTypeStandardInterfaceIn = 0x81;
inline constexpr std::uint8_t kRequestTypeStandardEndpointIn = 0x82;
inline constexpr std::uint8_t kRequestTypeStandardEndpointOut = 0x02;

struct SetupPacket {
  std::uint8_t request_type = 0;
  std::uint8_t request = 0;
  std::uint16_t value = 0;
  std::uint16_t index = 0;
  std::uint16_t length = 0;

  static SetupPacket parse(std::span<const std::uint8_t, 8> bytes);
  bool device_to_host() const { return (request_type & 0x80) != 0; }
};

// How a control transfer's status stage ends (USB 2.0 8.4.5: ACK or STALL).
enum class Handshake : std::uint8_t { kAck, kStall };

// How the device ends a control transfer: with `length` bytes of data (IN:
// returned, OUT: accepted), or with a STALL.
struct ControlOutcome {
  Handshake status = Handshake::kStall;
  std::size_t length = 0;

  static ControlOutcome ack(std::size_t length) { return {Handshake::kAck, length}; }
  static ControlOutcome stall() { return {Handshake::kStall, 0}; }
  bool stalled() const { return status == Handshake::kStall; }
  friend bool operator==(const ControlOutcome&, const ControlOutcome&) = default;
};

// Standard requests answered from the descriptors: GET_DESCRIPTOR (device,
// configuration, string, device qualifier, BOS), GET_CONFIGURATION and
// GET_STATUS of the device or an interface. Anything else, and a descriptor the
// device does not have, is a STALL. `in` receives at most setup.length bytes.
ControlOutcome answer_standard_request(const DescriptorSet& descriptors, const SetupPacket& setup,
                                       std::span<std::uint8_t> in);

}  // namespace hilcap::device::uvc
