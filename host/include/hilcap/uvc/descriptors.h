// The model of a USB device's descriptors as far as video capture needs it:
// the device, its configuration with interfaces, alternate settings and
// endpoints, and each USB Video Class function found in it (VideoControl
// entities, VideoStreaming interfaces with their formats and frames). Values
// only: copyable, no pointers into the parsed bytes.
#pragma once

#include <hilcap/device/uvc_protocol.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace hilcap::uvc {

using Guid = device::uvc::Guid;

// Bus speed. The descriptors only hint at it (libusb reports the real one).
enum class UsbSpeed { kUnknown, kFull, kHigh, kSuper };
const char* to_string(UsbSpeed speed);

enum class TransferType : std::uint8_t {
  kControl = 0,
  kIsochronous = 1,
  kBulk = 2,
  kInterrupt = 3
};
const char* to_string(TransferType type);

struct DeviceDescriptor {
  std::uint16_t bcd_usb = 0;
  std::uint8_t device_class = 0;
  std::uint8_t device_subclass = 0;
  std::uint8_t device_protocol = 0;
  std::uint8_t max_packet_size0 = 0;
  std::uint16_t vendor_id = 0;
  std::uint16_t product_id = 0;
  std::uint16_t bcd_device = 0;
  std::uint8_t i_manufacturer = 0;
  std::uint8_t i_product = 0;
  std::uint8_t i_serial = 0;
  std::uint8_t num_configurations = 0;
};

// SuperSpeed endpoint companion (USB 3.x 9.6.7).
struct SsEndpointCompanion {
  std::uint8_t max_burst = 0;  // bursts of max_burst + 1 packets
  std::uint8_t attributes = 0;
  std::uint16_t bytes_per_interval = 0;

  // Isochronous: bursts per service interval minus one (bits 1:0).
  std::uint8_t mult() const { return attributes & 0x03; }
};

struct Endpoint {
  std::uint8_t address = 0;
  std::uint8_t attributes = 0;
  std::uint16_t max_packet_size_raw = 0;  // wMaxPacketSize as sent, with bits 12:11
  std::uint8_t interval = 0;
  std::optional<SsEndpointCompanion> companion;
  std::size_t offset = 0;  // in the configuration descriptor

  TransferType transfer_type() const { return static_cast<TransferType>(attributes & 0x03); }
  bool is_in() const { return (address & 0x80) != 0; }
  std::uint16_t packet_size() const { return max_packet_size_raw & 0x07FF; }
  // High-speed high-bandwidth: additional transactions per microframe (0..2).
  std::uint8_t additional_transactions() const { return (max_packet_size_raw >> 11) & 0x03; }
  // Bytes the endpoint moves per service interval at `speed` (USB 2.0 5.6.3,
  // USB 3.x 9.6.7: wBytesPerInterval when the companion gives it).
  std::uint32_t bytes_per_interval(UsbSpeed speed) const;
};

struct AltSetting {
  std::uint8_t interface_number = 0;
  std::uint8_t alternate_setting = 0;
  std::uint8_t num_endpoints = 0;  // as declared
  std::uint8_t interface_class = 0;
  std::uint8_t interface_subclass = 0;
  std::uint8_t interface_protocol = 0;
  std::uint8_t i_interface = 0;
  std::vector<Endpoint> endpoints;  // as present
  std::size_t offset = 0;
};

struct Interface {
  std::uint8_t number = 0;
  std::vector<AltSetting> alt_settings;

  bool is_video_control() const;
  bool is_video_streaming() const;
};

struct InterfaceAssociation {
  std::uint8_t first_interface = 0;
  std::uint8_t interface_count = 0;
  std::uint8_t function_class = 0;
  std::uint8_t function_subclass = 0;
  std::uint8_t function_protocol = 0;
  std::uint8_t i_function = 0;
  std::size_t offset = 0;

  bool is_video() const {
    return function_class == device::uvc::kClassVideo &&
           function_subclass == device::uvc::kSubclassVideoInterfaceCollection;
  }
  bool covers(std::uint8_t interface_number) const {
    return interface_number >= first_interface &&
           interface_number < first_interface + interface_count;
  }
};

// --- VideoControl ---

struct VideoControlHeader {
  std::uint16_t bcd_uvc = 0;
  std::uint16_t total_length = 0;
  std::uint32_t clock_frequency_hz = 0;
  std::vector<std::uint8_t> streaming_interfaces;  // baInterfaceNr
  std::size_t offset = 0;
};

enum class EntityKind {
  kInputTerminal,  // includes the camera terminal (terminal_type 0x0201)
  kOutputTerminal,
  kSelectorUnit,
  kProcessingUnit,
  kExtensionUnit,
  kEncodingUnit,
};
const char* to_string(EntityKind kind);

// A terminal or unit of the VideoControl topology (UVC 3.7.2).
struct VideoEntity {
  EntityKind kind = EntityKind::kInputTerminal;
  std::uint8_t id = 0;                 // bTerminalID / bUnitID
  std::uint16_t terminal_type = 0;     // terminals only
  std::uint8_t assoc_terminal = 0;     // terminals only
  std::vector<std::uint8_t> sources;   // bSourceID / baSourceID
  std::vector<std::uint8_t> controls;  // bmControls, little-endian bytes
  std::uint8_t i_name = 0;             // iTerminal / iSelector / iProcessing / ...
  // Camera terminal.
  std::uint16_t objective_focal_length_min = 0;
  std::uint16_t objective_focal_length_max = 0;
  std::uint16_t ocular_focal_length = 0;
  // Processing unit.
  std::uint16_t max_multiplier = 0;
  std::optional<std::uint8_t> video_standards;  // absent in the UVC 1.0 layout
  // Extension unit.
  Guid extension_code{};
  std::uint8_t num_controls = 0;
  // Encoding unit (UVC 1.5): bmControlsRuntime.
  std::vector<std::uint8_t> runtime_controls;
  std::size_t offset = 0;
};

// --- VideoStreaming ---

struct InputHeader {
  std::uint8_t num_formats = 0;
  std::uint16_t total_length = 0;
  std::uint8_t endpoint_address = 0;
  std::uint8_t info = 0;
  std::uint8_t terminal_link = 0;
  std::uint8_t still_capture_method = 0;
  std::uint8_t trigger_support = 0;
  std::uint8_t trigger_usage = 0;
  std::vector<std::vector<std::uint8_t>> format_controls;  // bmaControls, one per format
  std::size_t offset = 0;
};

enum class FormatKind {
  kUncompressed,
  kMjpeg,
  kFrameBased,
  kOther,  // MPEG-2 TS, DV, stream-based, UVC 1.5 H.264/VP8: listed, not streamed
};
const char* to_string(FormatKind kind);

struct ColorMatching {
  std::uint8_t color_primaries = 0;
  std::uint8_t transfer_characteristics = 0;
  std::uint8_t matrix_coefficients = 0;
};

struct FrameIntervals {
  bool continuous = false;
  std::vector<std::uint32_t> discrete;  // 100 ns units, when !continuous
  std::uint32_t min = 0;                // when continuous
  std::uint32_t max = 0;
  std::uint32_t step = 0;
};

struct Frame {
  std::uint8_t subtype = 0;
  std::uint8_t index = 0;
  std::uint8_t capabilities = 0;
  std::uint16_t width = 0;
  std::uint16_t height = 0;
  std::uint32_t min_bit_rate = 0;
  std::uint32_t max_bit_rate = 0;
  std::uint32_t max_video_frame_buffer_size = 0;  // uncompressed and MJPEG
  std::uint32_t bytes_per_line = 0;               // frame-based (0: variable)
  std::uint32_t default_interval = 0;
  FrameIntervals intervals;
  std::size_t offset = 0;

  // Whether the device offers this exact interval (100 ns units).
  bool offers_interval(std::uint32_t interval_100ns) const;
};

struct Format {
  FormatKind kind = FormatKind::kOther;
  std::uint8_t subtype = 0;
  std::uint8_t index = 0;
  std::uint8_t num_frame_descriptors = 0;  // as declared
  Guid guid{};                             // uncompressed and frame-based
  std::string name;                        // "YUY2", "NV12", "H264", "MJPEG", or the GUID
  std::uint8_t bits_per_pixel = 0;
  std::uint8_t default_frame_index = 0;
  std::uint8_t aspect_ratio_x = 0;
  std::uint8_t aspect_ratio_y = 0;
  std::uint8_t interlace_flags = 0;
  std::uint8_t copy_protect = 0;
  std::uint8_t flags = 0;  // MJPEG bmFlags; frame-based bVariableSize
  std::vector<Frame> frames;
  std::optional<ColorMatching> color;
  std::size_t offset = 0;

  bool compressed() const { return kind != FormatKind::kUncompressed; }
  const Frame* find_frame(std::uint8_t frame_index) const;
};

struct StillImageFrame {
  std::uint8_t endpoint_address = 0;
  struct Size {
    std::uint16_t width = 0;
    std::uint16_t height = 0;
  };
  std::vector<Size> sizes;
  std::vector<std::uint8_t> compressions;
  std::uint8_t format_index = 0;  // the format it follows
  std::size_t offset = 0;
};

struct StreamingInterface {
  std::uint8_t interface_number = 0;
  InputHeader header;
  std::vector<Format> formats;
  std::vector<StillImageFrame> still_frames;
  std::vector<AltSetting> alt_settings;  // copies of the interface's alternate settings

  const Format* find_format(std::uint8_t format_index) const;
  const AltSetting* find_alt_setting(std::uint8_t alternate_setting) const;
};

// One USB Video Class function: a VideoControl interface with its topology and
// the VideoStreaming interfaces it lists.
struct VideoFunction {
  std::optional<InterfaceAssociation> association;  // absent for devices without IAD
  std::uint8_t control_interface = 0;
  VideoControlHeader header;
  std::vector<VideoEntity> entities;
  std::vector<StreamingInterface> streaming;

  std::uint16_t bcd_uvc() const { return header.bcd_uvc; }
};

struct Configuration {
  std::uint16_t total_length = 0;
  std::uint8_t num_interfaces = 0;
  std::uint8_t configuration_value = 0;
  std::uint8_t i_configuration = 0;
  std::uint8_t attributes = 0;
  std::uint8_t max_power = 0;  // units of 2 mA (8 mA at SuperSpeed)
  std::vector<InterfaceAssociation> associations;
  std::vector<Interface> interfaces;  // every interface, video or not
  std::vector<VideoFunction> video_functions;

  const Interface* find_interface(std::uint8_t number) const;
};

// "YUY2" for the standard GUID family {XXXXXXXX-0000-0010-8000-00AA00389B71}
// with a printable fourcc, else the GUID in registry form.
std::string format_name(const Guid& guid);
// "{32595559-0000-0010-8000-00aa00389b71}": the Windows GUID layout (first
// three groups little-endian), as lsusb and UsbTreeView print it.
std::string guid_string(const Guid& guid);

}  // namespace hilcap::uvc
