// The descriptors a UVC personality presents on the bus, built from its
// configuration: the device descriptor, one configuration (IAD, VideoControl
// interface with camera terminal, processing unit and output terminal,
// VideoStreaming interface with formats, frames and color matching, then
// isochronous alternate settings or a bulk endpoint, SuperSpeed companions at
// SuperSpeed), the string descriptors, and the device qualifier (high speed)
// or BOS (SuperSpeed) a host asks for.
#pragma once

#include <hilcap/device_internal.h>

#include <cstdint>
#include <vector>

#include "uvc_device_config.h"

namespace hilcap::device::uvc {

// Where the UVC function sits in the configuration the builder makes.
inline constexpr std::uint8_t kControlInterface = 0;
inline constexpr std::uint8_t kStreamingInterface = 1;
inline constexpr std::uint8_t kStreamingEndpoint = 0x81;
inline constexpr std::uint8_t kStatusEndpoint = 0x82;
inline constexpr std::uint8_t kManufacturerStringIndex = 1;
inline constexpr std::uint8_t kProductStringIndex = 2;
inline constexpr std::uint8_t kSerialStringIndex = 3;

// The descriptor bytes of a device, as it sends them (little endian).
struct DescriptorSet {
  std::vector<std::uint8_t> device;            // 18 bytes
  std::vector<std::uint8_t> configuration;     // wTotalLength bytes
  std::vector<std::uint8_t> device_qualifier;  // empty unless the device runs at high speed
  std::vector<std::uint8_t> bos;               // empty unless the device runs at SuperSpeed
  // strings[0] is the LANGID list; strings[i] string descriptor i (empty: none).
  std::vector<std::vector<std::uint8_t>> strings;

  // What Linux shows in sysfs `descriptors`: the device descriptor followed by
  // the configuration.
  std::vector<std::uint8_t> sysfs_descriptors() const;
};

// Builds the descriptors of a configuration that validate() accepts.
DescriptorSet build_descriptors(const UvcDeviceConfig& config);

}  // namespace hilcap::device::uvc
