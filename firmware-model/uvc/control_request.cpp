#include "control_request.h"

#include <hilcap/device/uvc_protocol.h>

#include <algorithm>

namespace hilcap::device::uvc {

SetupPacket SetupPacket::parse(std::span<const std::uint8_t, 8> bytes) {
  SetupPacket setup;
  setup.request_type = bytes[0];
  setup.request = bytes[1];
  setup.value = detail::get16(bytes, 2);
  setup.index = detail::get16(bytes, 4);
  setup.length = detail::get16(bytes, 6);
  return setup;
}

namespace {

ControlOutcome reply(std::span<const std::uint8_t> data, const SetupPacket& setup,
                     std::span<std::uint8_t> in) {
  if (data.empty()) return ControlOutcome::stall();
  const std::size_t n = std::min({data.size(), std::size_t{setup.length}, in.size()});
  std::copy_n(data.begin(), n, in.begin());
  return ControlOutcome::ack(n);
}

}  // namespace

ControlOutcome answer_standard_request(const DescriptorSet& descriptors, const SetupPacket& setup,
                                       std::span<std::uint8_t> in) {
  static constexpr std::uint8_t kNoStatus[2] = {0, 0};  // bus powered, no remote wakeup
  static constexpr std::uint8_t kConfigurationValue[1] = {1};
  if (setup.request_type == kRequestTypeStandardDeviceIn) {
    if (setup.request == kRequestGetDescriptor) {
      const auto type = static_cast<std::uint8_t>(setup.value >> 8);
      const auto index = static_cast<std::uint8_t>(setup.value);
      switch (type) {
        case kDescDevice:
          return reply(descriptors.device, setup, in);
        case kDescConfiguration:
          return index == 0 ? reply(descriptors.configuration, setup, in) : ControlOutcome::stall();
        case kDescString:
          return index < descriptors.strings.size() ? reply(descriptors.strings[index], setup, in)
                                                    : ControlOutcome::stall();
        case kDescDeviceQualifier:
          return reply(descriptors.device_qualifier, setup, in);
        case kDescBos:
          return reply(descriptors.bos, setup, in);
        default:
          return ControlOutcome::stall();
      }
    }
    if (setup.request == kRequestGetConfiguration) return reply(kConfigurationValue, setup, in);
    if (setup.request == kRequestGetStatus) return reply(kNoStatus, setup, in);
  }
  if (setup.request_type == kRequestTypeStandardInterfaceIn && setup.request == kRequestGetStatus)
    return reply(kNoStatus, setup, in);
  return ControlOutcome::stall();
}

}  // namespace hilcap::device::uvc
