#include "descriptor_builder.h"

#include <hilcap/device/uvc_protocol.h>

#include <algorithm>
#include <limits>

#include "byte_writer.h"

namespace hilcap::device::uvc {

std::vector<std::uint8_t> DescriptorSet::sysfs_descriptors() const {
  std::vector<std::uint8_t> bytes = device;
  bytes.insert(bytes.end(), configuration.begin(), configuration.end());
  return bytes;
}

namespace {

// Entity IDs of the VideoControl topology: camera -> processing unit -> streaming output.
constexpr std::uint8_t kCameraTerminalId = 1;
constexpr std::uint8_t kProcessingUnitId = 2;
constexpr std::uint8_t kOutputTerminalId = 3;
constexpr std::uint8_t kIadDeviceClass = 0xEF;  // miscellaneous, common class, IAD protocol
constexpr std::uint8_t kIadDeviceSubclass = 0x02;
constexpr std::uint8_t kIadDeviceProtocol = 0x01;
constexpr std::uint8_t kEndpointIsochronousAsync = 0x05;
constexpr std::uint8_t kEndpointBulk = 0x02;
constexpr std::uint8_t kEndpointInterrupt = 0x03;
constexpr std::uint16_t kStatusPacketSize = 16;

std::uint16_t bcd_usb(UsbSpeed speed) {
  return speed == UsbSpeed::kSuper ? 0x0320 : 0x0200;
}

// bMaxPacketSize0: 64 bytes below SuperSpeed, 2^9 at SuperSpeed.
std::uint8_t ep0_size_field(UsbSpeed speed) {
  return speed == UsbSpeed::kSuper ? 9 : 64;
}

std::uint8_t interface_protocol(UvcVersion version) {
  return version == UvcVersion::k1_5 ? kProtocol15 : kProtocolUndefined;
}

std::uint8_t string_index(const std::string& s, std::uint8_t index) {
  return s.empty() ? 0 : index;
}

std::vector<std::uint8_t> string_descriptor(const std::string& ascii) {
  if (ascii.empty()) return {};
  ByteWriter w;
  w.u8(static_cast<std::uint8_t>(2 + 2 * ascii.size()));
  w.u8(kDescString);
  for (const char c : ascii)
    w.u16(static_cast<std::uint8_t>(c));
  return w.take();
}

void write_interface(ByteWriter& w, std::uint8_t number, std::uint8_t alt, std::uint8_t endpoints,
                     std::uint8_t subclass, std::uint8_t protocol) {
  w.u8(9);
  w.u8(kDescInterface);
  w.u8(number);
  w.u8(alt);
  w.u8(endpoints);
  w.u8(kClassVideo);
  w.u8(subclass);
  w.u8(protocol);
  w.u8(0);  // iInterface
}

void write_endpoint(ByteWriter& w, std::uint8_t address, std::uint8_t attributes,
                    std::uint16_t max_packet_size, std::uint8_t interval) {
  w.u8(7);
  w.u8(kDescEndpoint);
  w.u8(address);
  w.u8(attributes);
  w.u16(max_packet_size);
  w.u8(interval);
}

void write_ss_companion(ByteWriter& w, std::uint8_t burst, std::uint8_t attributes,
                        std::uint16_t bytes_per_interval) {
  w.u8(6);
  w.u8(kDescSsEndpointCompanion);
  w.u8(static_cast<std::uint8_t>(burst - 1));  // bMaxBurst
  w.u8(attributes);
  w.u16(bytes_per_interval);
}

void write_video_control(ByteWriter& w, const UvcDeviceConfig& config) {
  write_interface(w, kControlInterface, 0, config.interrupt_endpoint ? 1 : 0, kSubclassVideoControl,
                  interface_protocol(config.uvc_version));
  const std::size_t header_at = w.size();
  w.u8(13);
  w.u8(kCsInterface);
  w.u8(kVcHeader);
  w.u16(bcd_uvc(config.uvc_version));
  const std::size_t total_at = w.size();
  w.u16(0);  // wTotalLength, patched below
  w.u32(config.clock_frequency_hz);
  w.u8(1);  // bInCollection
  w.u8(kStreamingInterface);

  // Camera terminal without controls (bControlSize 3, all zero).
  w.u8(18);
  w.u8(kCsInterface);
  w.u8(kVcInputTerminal);
  w.u8(kCameraTerminalId);
  w.u16(kIttCamera);
  w.u8(0);   // bAssocTerminal
  w.u8(0);   // iTerminal
  w.u16(0);  // wObjectiveFocalLengthMin
  w.u16(0);  // wObjectiveFocalLengthMax
  w.u16(0);  // wOcularFocalLength
  w.u8(3);   // bControlSize
  w.u8(0);
  w.u8(0);
  w.u8(0);

  // Processing unit: 11 bytes in 1.0, + bmVideoStandards in 1.1, bControlSize 3 in 1.5.
  const std::uint8_t pu_control_size = config.uvc_version == UvcVersion::k1_5 ? 3 : 2;
  const bool video_standards = config.uvc_version != UvcVersion::k1_0;
  w.u8(static_cast<std::uint8_t>(9 + pu_control_size + (video_standards ? 1 : 0)));
  w.u8(kCsInterface);
  w.u8(kVcProcessingUnit);
  w.u8(kProcessingUnitId);
  w.u8(kCameraTerminalId);
  w.u16(0);  // wMaxMultiplier
  w.u8(pu_control_size);
  for (std::uint8_t i = 0; i < pu_control_size; ++i)
    w.u8(0);
  w.u8(0);  // iProcessing
  if (video_standards) w.u8(0);

  w.u8(9);
  w.u8(kCsInterface);
  w.u8(kVcOutputTerminal);
  w.u8(kOutputTerminalId);
  w.u16(kTtStreaming);
  w.u8(0);  // bAssocTerminal
  w.u8(kProcessingUnitId);
  w.u8(0);  // iTerminal
  w.patch_u16(total_at, static_cast<std::uint16_t>(w.size() - header_at));

  if (config.interrupt_endpoint) {
    // HS/SS bInterval 8 = 2^7 microframes (16 ms); full speed counts in frames.
    write_endpoint(w, kStatusEndpoint, kEndpointInterrupt, kStatusPacketSize,
                   config.speed == UsbSpeed::kFull ? 16 : 8);
    if (config.speed == UsbSpeed::kSuper) write_ss_companion(w, 1, 0, kStatusPacketSize);
    w.u8(5);
    w.u8(kCsEndpoint);
    w.u8(kEpInterrupt);
    w.u16(kStatusPacketSize);  // wMaxTransferSize
  }
}

std::uint32_t saturate_u32(std::uint64_t v) {
  return static_cast<std::uint32_t>(
      std::min<std::uint64_t>(v, std::numeric_limits<std::uint32_t>::max()));
}

std::pair<std::uint32_t, std::uint32_t> interval_range(const FrameConfig& frame) {
  if (const auto* discrete = std::get_if<DiscreteIntervals>(&frame.intervals))
    return {discrete->intervals_100ns.front(), discrete->intervals_100ns.back()};
  const auto& range = std::get<ContinuousIntervals>(frame.intervals);
  return {range.min_100ns, range.max_100ns};
}

void write_frame(ByteWriter& w, const FormatConfig& format, const FrameConfig& frame,
                 std::uint8_t index) {
  const auto* discrete = std::get_if<DiscreteIntervals>(&frame.intervals);
  const std::size_t n = discrete ? discrete->intervals_100ns.size() : 3;
  const std::uint32_t frame_bytes = max_frame_bytes(format, frame);
  const auto [fastest, slowest] = interval_range(frame);
  const std::uint64_t frame_bits = std::uint64_t{frame_bytes} * 8;
  w.u8(static_cast<std::uint8_t>(26 + 4 * n));
  w.u8(kCsInterface);
  w.u8(is_uncompressed(format.format) ? kVsFrameUncompressed : kVsFrameMjpeg);
  w.u8(index);
  w.u8(0);  // bmCapabilities: no still image, fixed frame rate not claimed
  w.u16(frame.width);
  w.u16(frame.height);
  w.u32(saturate_u32(frame_bits * 10'000'000 / slowest));  // dwMinBitRate
  w.u32(saturate_u32(frame_bits * 10'000'000 / fastest));  // dwMaxBitRate
  w.u32(frame_bytes);                                      // dwMaxVideoFrameBufferSize
  w.u32(frame.default_interval_100ns);
  if (discrete) {
    w.u8(static_cast<std::uint8_t>(n));
    for (const std::uint32_t interval : discrete->intervals_100ns)
      w.u32(interval);
  } else {
    const auto& range = std::get<ContinuousIntervals>(frame.intervals);
    w.u8(0);
    w.u32(range.min_100ns);
    w.u32(range.max_100ns);
    w.u32(range.step_100ns);
  }
}

const Guid& format_guid(VideoFormat format) {
  switch (format) {
    case VideoFormat::kNv12:
      return kGuidNv12;
    case VideoFormat::kGrey:
      return kGuidY800;
    case VideoFormat::kYuy2:
    case VideoFormat::kMjpeg:
      break;
  }
  return kGuidYuy2;
}

void write_format(ByteWriter& w, const FormatConfig& format, std::uint8_t index) {
  const auto frames = static_cast<std::uint8_t>(format.frames.size());
  if (is_uncompressed(format.format)) {
    w.u8(27);
    w.u8(kCsInterface);
    w.u8(kVsFormatUncompressed);
    w.u8(index);
    w.u8(frames);
    w.append(format_guid(format.format));
    w.u8(bits_per_pixel(format.format));
    w.u8(format.default_frame_index);
  } else {
    w.u8(11);
    w.u8(kCsInterface);
    w.u8(kVsFormatMjpeg);
    w.u8(index);
    w.u8(frames);
    w.u8(0x01);  // bmFlags: fixed-size samples
    w.u8(format.default_frame_index);
  }
  w.u8(0);  // bAspectRatioX
  w.u8(0);  // bAspectRatioY
  w.u8(0);  // bmInterlaceFlags
  w.u8(0);  // bCopyProtect
  for (std::size_t i = 0; i < format.frames.size(); ++i)
    write_frame(w, format, format.frames[i], static_cast<std::uint8_t>(i + 1));
  // Color matching: BT.709 primaries and transfer, BT.601 matrix (the UVC defaults).
  w.u8(6);
  w.u8(kCsInterface);
  w.u8(kVsColorFormat);
  w.u8(1);
  w.u8(1);
  w.u8(4);
}

void write_video_streaming(ByteWriter& w, const UvcDeviceConfig& config) {
  const auto* bulk = std::get_if<BulkTransport>(&config.transport);
  const std::uint8_t protocol = interface_protocol(config.uvc_version);
  write_interface(w, kStreamingInterface, 0, bulk ? 1 : 0, kSubclassVideoStreaming, protocol);

  const auto formats = static_cast<std::uint8_t>(config.formats.size());
  const std::size_t header_at = w.size();
  w.u8(static_cast<std::uint8_t>(13 + formats));
  w.u8(kCsInterface);
  w.u8(kVsInputHeader);
  w.u8(formats);
  const std::size_t total_at = w.size();
  w.u16(0);  // wTotalLength, patched below
  w.u8(kStreamingEndpoint);
  w.u8(0);  // bmInfo: no dynamic format change
  w.u8(kOutputTerminalId);
  w.u8(0);  // bStillCaptureMethod: none
  w.u8(0);  // bTriggerSupport
  w.u8(0);  // bTriggerUsage
  w.u8(1);  // bControlSize
  for (std::uint8_t i = 0; i < formats; ++i)
    w.u8(0);
  for (std::size_t i = 0; i < config.formats.size(); ++i)
    write_format(w, config.formats[i], static_cast<std::uint8_t>(i + 1));
  w.patch_u16(total_at, static_cast<std::uint16_t>(w.size() - header_at));

  const bool super_speed = config.speed == UsbSpeed::kSuper;
  if (bulk) {
    write_endpoint(w, kStreamingEndpoint, kEndpointBulk, bulk->max_packet_size, 0);
    if (super_speed) write_ss_companion(w, bulk->burst, 0, 0);
    return;
  }
  const auto& iso = std::get<IsochronousTransport>(config.transport);
  for (std::size_t i = 0; i < iso.alt_settings.size(); ++i) {
    const IsoAltSetting& alt = iso.alt_settings[i];
    write_interface(w, kStreamingInterface, static_cast<std::uint8_t>(i + 1), 1,
                    kSubclassVideoStreaming, protocol);
    // High speed carries the extra transactions in wMaxPacketSize bits 11..12.
    const std::uint16_t mps_field =
        config.speed == UsbSpeed::kHigh
            ? static_cast<std::uint16_t>(alt.max_packet_size | ((alt.transactions - 1) << 11))
            : alt.max_packet_size;
    write_endpoint(w, kStreamingEndpoint, kEndpointIsochronousAsync, mps_field, 1);
    if (super_speed)
      write_ss_companion(w, alt.burst, static_cast<std::uint8_t>(alt.transactions - 1),
                         static_cast<std::uint16_t>(bytes_per_interval(alt)));
  }
}

std::vector<std::uint8_t> device_descriptor(const UvcDeviceConfig& config) {
  ByteWriter w;
  w.u8(18);
  w.u8(kDescDevice);
  w.u16(bcd_usb(config.speed));
  w.u8(kIadDeviceClass);
  w.u8(kIadDeviceSubclass);
  w.u8(kIadDeviceProtocol);
  w.u8(ep0_size_field(config.speed));
  w.u16(config.vendor_id);
  w.u16(config.product_id);
  w.u16(config.bcd_device);
  w.u8(string_index(config.manufacturer, kManufacturerStringIndex));
  w.u8(string_index(config.product, kProductStringIndex));
  w.u8(string_index(config.serial, kSerialStringIndex));
  w.u8(1);  // bNumConfigurations
  return w.take();
}

std::vector<std::uint8_t> configuration_descriptor(const UvcDeviceConfig& config) {
  ByteWriter w;
  w.u8(9);
  w.u8(kDescConfiguration);
  w.u16(0);                                            // wTotalLength, patched below
  w.u8(2);                                             // bNumInterfaces
  w.u8(1);                                             // bConfigurationValue
  w.u8(0);                                             // iConfiguration
  w.u8(0x80);                                          // bus powered
  w.u8(config.speed == UsbSpeed::kSuper ? 100 : 250);  // 800 mA (8 mA units) / 500 mA (2 mA units)

  w.u8(8);
  w.u8(kDescInterfaceAssociation);
  w.u8(kControlInterface);
  w.u8(2);  // bInterfaceCount
  w.u8(kClassVideo);
  w.u8(kSubclassVideoInterfaceCollection);
  w.u8(kProtocolUndefined);
  w.u8(string_index(config.product, kProductStringIndex));

  write_video_control(w, config);
  write_video_streaming(w, config);
  w.patch_u16(2, static_cast<std::uint16_t>(w.size()));
  return w.take();
}

std::vector<std::uint8_t> device_qualifier(const UvcDeviceConfig& config) {
  if (config.speed != UsbSpeed::kHigh) return {};
  ByteWriter w;
  w.u8(10);
  w.u8(kDescDeviceQualifier);
  w.u16(bcd_usb(config.speed));
  w.u8(kIadDeviceClass);
  w.u8(kIadDeviceSubclass);
  w.u8(kIadDeviceProtocol);
  w.u8(64);
  w.u8(1);  // bNumConfigurations
  w.u8(0);
  return w.take();
}

// USB 3.2 9.6.2: USB 2.0 extension (LPM) and SuperSpeed USB device capability.
std::vector<std::uint8_t> bos_descriptor(const UvcDeviceConfig& config) {
  if (config.speed != UsbSpeed::kSuper) return {};
  ByteWriter w;
  w.u8(5);
  w.u8(kDescBos);
  w.u16(5 + 7 + 10);
  w.u8(2);
  w.u8(7);
  w.u8(kDescDeviceCapability);
  w.u8(0x02);  // USB 2.0 extension
  w.u32(0x00000002);
  w.u8(10);
  w.u8(kDescDeviceCapability);
  w.u8(0x03);     // SuperSpeed USB
  w.u8(0);        // bmAttributes
  w.u16(0x000E);  // full, high and 5 Gb/s
  w.u8(1);        // bFunctionalitySupport: full speed upwards
  w.u8(0x0A);     // bU1DevExitLat
  w.u16(0x07FF);  // wU2DevExitLat
  return w.take();
}

}  // namespace

DescriptorSet build_descriptors(const UvcDeviceConfig& config) {
  DescriptorSet set;
  set.device = device_descriptor(config);
  set.configuration = configuration_descriptor(config);
  set.device_qualifier = device_qualifier(config);
  set.bos = bos_descriptor(config);
  set.strings = {{4, kDescString, 0x09, 0x04},  // LANGID: English (United States)
                 string_descriptor(config.manufacturer),
                 string_descriptor(config.product),
                 string_descriptor(config.serial)};
  return set;
}

}  // namespace hilcap::device::uvc
