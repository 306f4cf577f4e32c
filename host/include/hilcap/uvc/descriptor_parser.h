// Descriptor bytes (as libusb returns them, or as a dump file holds them) to
// the model in descriptors.h. Malformed input is reported with the byte offset
// and the descriptor, never read past: a problem that leaves a descriptor
// unusable is an error and that descriptor is left out of the model; a
// problem that loses nothing is a warning.
#pragma once

#include <hilcap/uvc/descriptors.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace hilcap::uvc {

enum class Severity { kWarning, kError };

enum class DescriptorSource { kDevice, kConfiguration };

struct Diagnostic {
  Severity severity = Severity::kError;
  DescriptorSource source = DescriptorSource::kConfiguration;
  std::size_t offset = 0;  // of the descriptor, in its buffer
  std::string message;     // names the descriptor and the field

  // "cfg+0x1a3: error: VS_FRAME_UNCOMPRESSED bLength 26 < ..."
  std::string to_string() const;
};

struct ParsedDevice {
  std::optional<DeviceDescriptor> device;  // absent when none was given or it was unusable
  Configuration configuration;
  std::vector<Diagnostic> diagnostics;

  bool has_errors() const;
  // A hint from the descriptors alone: SuperSpeed companions or bcdUSB 3.x,
  // high-speed packet sizes, full-speed bulk sizes.
  UsbSpeed speed_hint() const;
};

// Parses a device descriptor (18 bytes; pass an empty span when there is none)
// and one configuration descriptor with everything wTotalLength covers.
ParsedDevice parse_descriptors(std::span<const std::uint8_t> device_descriptor,
                               std::span<const std::uint8_t> configuration_descriptor);

}  // namespace hilcap::uvc
