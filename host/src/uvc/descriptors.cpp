#include <fmt/format.h>
#include <hilcap/uvc/descriptors.h>

#include <algorithm>

namespace hilcap::uvc {

namespace uvcp = device::uvc;

const char* to_string(UsbSpeed speed) {
  switch (speed) {
    case UsbSpeed::kFull:
      return "full-speed";
    case UsbSpeed::kHigh:
      return "high-speed";
    case UsbSpeed::kSuper:
      return "SuperSpeed";
    case UsbSpeed::kUnknown:
      break;
  }
  return "unknown speed";
}

const char* to_string(TransferType type) {
  switch (type) {
    case TransferType::kControl:
      return "control";
    case TransferType::kIsochronous:
      return "isochronous";
    case TransferType::kBulk:
      return "bulk";
    case TransferType::kInterrupt:
      return "interrupt";
  }
  return "?";
}

const char* to_string(EntityKind kind) {
  switch (kind) {
    case EntityKind::kInputTerminal:
      return "input terminal";
    case EntityKind::kOutputTerminal:
      return "output terminal";
    case EntityKind::kSelectorUnit:
      return "selector unit";
    case EntityKind::kProcessingUnit:
      return "processing unit";
    case EntityKind::kExtensionUnit:
      return "extension unit";
    case EntityKind::kEncodingUnit:
      return "encoding unit";
  }
  return "?";
}

const char* to_string(FormatKind kind) {
  switch (kind) {
    case FormatKind::kUncompressed:
      return "uncompressed";
    case FormatKind::kMjpeg:
      return "MJPEG";
    case FormatKind::kFrameBased:
      return "frame-based";
    case FormatKind::kOther:
      break;
  }
  return "other";
}

std::uint32_t Endpoint::bytes_per_interval(UsbSpeed speed) const {
  const std::uint32_t packet = packet_size();
  if (speed == UsbSpeed::kSuper && companion) {
    if (companion->bytes_per_interval != 0) return companion->bytes_per_interval;
    const std::uint32_t bursts =
        transfer_type() == TransferType::kIsochronous ? std::uint32_t{companion->mult()} + 1 : 1;
    return (std::uint32_t{companion->max_burst} + 1) * bursts * packet;
  }
  if (speed == UsbSpeed::kFull || transfer_type() == TransferType::kBulk) return packet;
  return packet * (std::uint32_t{additional_transactions()} + 1);
}

bool Interface::is_video_control() const {
  return !alt_settings.empty() && alt_settings.front().interface_class == uvcp::kClassVideo &&
         alt_settings.front().interface_subclass == uvcp::kSubclassVideoControl;
}

bool Interface::is_video_streaming() const {
  return !alt_settings.empty() && alt_settings.front().interface_class == uvcp::kClassVideo &&
         alt_settings.front().interface_subclass == uvcp::kSubclassVideoStreaming;
}

bool Frame::offers_interval(std::uint32_t interval_100ns) const {
  if (intervals.continuous) {
    if (interval_100ns < intervals.min || interval_100ns > intervals.max) return false;
    if (intervals.step == 0) return interval_100ns == intervals.min;
    return (interval_100ns - intervals.min) % intervals.step == 0;
  }
  return std::find(intervals.discrete.begin(), intervals.discrete.end(), interval_100ns) !=
         intervals.discrete.end();
}

const Frame* Format::find_frame(std::uint8_t frame_index) const {
  for (const Frame& f : frames)
    if (f.index == frame_index) return &f;
  return nullptr;
}

const Format* StreamingInterface::find_format(std::uint8_t format_index) const {
  for (const Format& f : formats)
    if (f.index == format_index) return &f;
  return nullptr;
}

const AltSetting* StreamingInterface::find_alt_setting(std::uint8_t alternate_setting) const {
  for (const AltSetting& a : alt_settings)
    if (a.alternate_setting == alternate_setting) return &a;
  return nullptr;
}

const Interface* Configuration::find_interface(std::uint8_t number) const {
  for (const Interface& i : interfaces)
    if (i.number == number) return &i;
  return nullptr;
}

std::string format_name(const Guid& guid) {
  // Bytes 4..15 of the Microsoft media subtype family; bytes 0..3 are the fourcc.
  static constexpr std::array<std::uint8_t, 12> kFamilyTail = {0x00, 0x00, 0x10, 0x00, 0x80, 0x00,
                                                               0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71};
  const bool family = std::equal(kFamilyTail.begin(), kFamilyTail.end(), guid.begin() + 4);
  const bool printable = std::all_of(guid.begin(), guid.begin() + 4,
                                     [](std::uint8_t c) { return c >= 0x20 && c < 0x7F; });
  if (family && printable) {
    std::string name(guid.begin(), guid.begin() + 4);
    while (!name.empty() && name.back() == ' ')
      name.pop_back();
    return name;
  }
  return guid_string(guid);
}

std::string guid_string(const Guid& g) {
  return fmt::format(
      "{{{:02x}{:02x}{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}-"
      "{:02x}{:02x}{:02x}{:02x}{:02x}{:02x}}}",
      g[3], g[2], g[1], g[0], g[5], g[4], g[7], g[6], g[8], g[9], g[10], g[11], g[12], g[13], g[14],
      g[15]);
}

}  // namespace hilcap::uvc
