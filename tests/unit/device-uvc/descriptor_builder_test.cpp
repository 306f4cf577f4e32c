#include "descriptor_builder.h"

#include <gtest/gtest.h>
#include <hilcap/device/uvc_protocol.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "test_configs.h"

namespace hilcap::device::uvc {
namespace {

using Bytes = std::vector<std::uint8_t>;
using test::le16;
using test::le32;

Bytes to_bytes(std::span<const std::uint8_t> s) {
  return Bytes(s.begin(), s.end());
}

std::vector<std::span<const std::uint8_t>> config_descriptors(const DescriptorSet& set) {
  return test::split_descriptors(set.configuration);
}

// The descriptors of one kind (type, and subtype for class-specific ones). Class-specific
// subtypes overlap between VideoControl and VideoStreaming, so those are looked up only inside
// interfaces of `subclass`.
std::vector<std::span<const std::uint8_t>> find_all(const DescriptorSet& set, std::uint8_t type,
                                                    int subtype = -1, int subclass = -1) {
  std::vector<std::span<const std::uint8_t>> out;
  int current_subclass = -1;
  for (const auto d : config_descriptors(set)) {
    if (d[1] == kDescInterface) current_subclass = d[6];
    if (d[1] == type && (subtype < 0 || d[2] == subtype) &&
        (subclass < 0 || subclass == current_subclass))
      out.push_back(d);
  }
  return out;
}

std::vector<std::span<const std::uint8_t>> vc(const DescriptorSet& set, std::uint8_t subtype) {
  return find_all(set, kCsInterface, subtype, kSubclassVideoControl);
}
std::vector<std::span<const std::uint8_t>> vs(const DescriptorSet& set, std::uint8_t subtype) {
  return find_all(set, kCsInterface, subtype, kSubclassVideoStreaming);
}

// The device descriptor announces an IAD composite device with our IDs and strings.
TEST(DescriptorBuilder, DeviceDescriptorBytes) {
  const DescriptorSet set = build_descriptors(test::camera_config());
  EXPECT_EQ(set.device, (Bytes{18, 1, 0x00, 0x02, 0xEF, 0x02, 0x01, 64, 0xFE, 0xCA, 0x10, 0x40,
                               0x00, 0x01, 1, 2, 3, 1}));
}

// The configuration is exactly wTotalLength bytes of well-formed descriptors.
TEST(DescriptorBuilder, ConfigurationLengthIsExact) {
  for (const UvcDeviceConfig& c : {test::camera_config(), test::bulk_config()}) {
    const DescriptorSet set = build_descriptors(c);
    ASSERT_GE(set.configuration.size(), 9u);
    EXPECT_EQ(le16(set.configuration, 2), set.configuration.size());
    std::size_t sum = 0;
    for (const auto d : config_descriptors(set))
      sum += d.size();
    EXPECT_EQ(sum, set.configuration.size());
    EXPECT_EQ(set.configuration[4], 2);  // bNumInterfaces
  }
}

// Standard descriptors have their fixed lengths (what lsusb and libusb check first).
TEST(DescriptorBuilder, StandardDescriptorLengths) {
  const DescriptorSet set = build_descriptors(test::camera_config());
  for (const auto d : config_descriptors(set)) {
    switch (d[1]) {
      case kDescConfiguration:
      case kDescInterface:
        EXPECT_EQ(d.size(), 9u);
        break;
      case kDescEndpoint:
        EXPECT_EQ(d.size(), 7u);
        break;
      case kDescInterfaceAssociation:
        EXPECT_EQ(d.size(), 8u);
        break;
      default:
        EXPECT_EQ(d[1], kCsInterface);
    }
  }
}

// The IAD groups the VideoControl and VideoStreaming interfaces as one video function.
TEST(DescriptorBuilder, InterfaceAssociation) {
  const DescriptorSet set = build_descriptors(test::camera_config());
  const auto iad = find_all(set, kDescInterfaceAssociation);
  ASSERT_EQ(iad.size(), 1u);
  EXPECT_EQ(to_bytes(iad[0]), (Bytes{8, 0x0B, 0, 2, 0x0E, 0x03, 0x00, 2}));
}

// VC header: bcdUVC, dwClockFrequency, and a wTotalLength covering all VC class descriptors.
TEST(DescriptorBuilder, VideoControlHeaderTotalsItsDescriptors) {
  UvcDeviceConfig c = test::camera_config();
  c.clock_frequency_hz = 30'000'000;
  const DescriptorSet set = build_descriptors(c);
  const auto descriptors = config_descriptors(set);
  std::size_t i = 0;
  while (!(descriptors[i][1] == kCsInterface && descriptors[i][2] == kVcHeader))
    ++i;
  const auto header = descriptors[i];
  EXPECT_EQ(le16(header, 3), 0x0110);
  EXPECT_EQ(le32(header, 7), 30'000'000u);
  EXPECT_EQ(header[11], 1);  // bInCollection
  EXPECT_EQ(header[12], kStreamingInterface);
  std::size_t total = 0;
  for (; i < descriptors.size() && descriptors[i][1] == kCsInterface; ++i)
    total += descriptors[i].size();
  EXPECT_EQ(le16(header, 5), total);
  EXPECT_EQ(total, 13u + 18 + 12 + 9);
}

// The terminal chain is camera -> processing unit -> streaming output terminal.
TEST(DescriptorBuilder, TerminalTopology) {
  const DescriptorSet set = build_descriptors(test::camera_config());
  const auto it = vc(set, kVcInputTerminal);
  const auto pu = vc(set, kVcProcessingUnit);
  const auto ot = vc(set, kVcOutputTerminal);
  ASSERT_EQ(it.size(), 1u);
  ASSERT_EQ(pu.size(), 1u);
  ASSERT_EQ(ot.size(), 1u);
  EXPECT_EQ(le16(it[0], 4), kIttCamera);
  EXPECT_EQ(pu[0][4], it[0][3]);  // PU source = camera terminal
  EXPECT_EQ(to_bytes(ot[0]), (Bytes{9, 0x24, 0x03, 3, 0x01, 0x01, 0, pu[0][3], 0}));
}

// PU length and interface protocol follow the UVC version (11/12/13 bytes; PC_PROTOCOL_15).
TEST(DescriptorBuilder, VersionDependentLayout) {
  const struct {
    UvcVersion version;
    std::size_t pu_length;
    std::uint8_t protocol;
  } cases[] = {{UvcVersion::k1_0, 11, 0}, {UvcVersion::k1_1, 12, 0}, {UvcVersion::k1_5, 13, 1}};
  for (const auto& k : cases) {
    const DescriptorSet set = build_descriptors(test::camera_config(k.version));
    EXPECT_EQ(vc(set, kVcProcessingUnit)[0].size(), k.pu_length);
    for (const auto itf : find_all(set, kDescInterface))
      EXPECT_EQ(itf[7], k.protocol);
  }
}

// VS input header: format count, endpoint, terminal link and a wTotalLength over formats,
// frames and color matching.
TEST(DescriptorBuilder, InputHeaderTotalsFormats) {
  const DescriptorSet set = build_descriptors(test::camera_config());
  const auto descriptors = config_descriptors(set);
  std::size_t i = 0;
  while (descriptors[i][1] != kDescInterface || descriptors[i][6] != kSubclassVideoStreaming)
    ++i;
  ++i;  // the input header follows the VS interface descriptor
  const auto header = descriptors[i];
  EXPECT_EQ(header.size(), 13u + 2);
  EXPECT_EQ(header[3], 2);  // bNumFormats
  EXPECT_EQ(header[6], kStreamingEndpoint);
  EXPECT_EQ(header[8], 3);  // bTerminalLink = output terminal
  std::size_t total = 0;
  for (; i < descriptors.size() && descriptors[i][1] == kCsInterface; ++i)
    total += descriptors[i].size();
  EXPECT_EQ(le16(header, 4), total);
  EXPECT_EQ(vs(set, kVsColorFormat).size(), 2u);  // one per format
}

// Uncompressed format and a discrete frame, byte for byte.
TEST(DescriptorBuilder, UncompressedFormatAndDiscreteFrame) {
  const DescriptorSet set = build_descriptors(test::camera_config());
  const auto format = vs(set, kVsFormatUncompressed);
  ASSERT_EQ(format.size(), 1u);
  Bytes expected{27, 0x24, 0x04, 1, 2};
  expected.insert(expected.end(), kGuidYuy2.begin(), kGuidYuy2.end());
  expected.insert(expected.end(), {16, 1, 0, 0, 0, 0});
  EXPECT_EQ(to_bytes(format[0]), expected);

  const auto frames = vs(set, kVsFrameUncompressed);
  ASSERT_EQ(frames.size(), 2u);
  const auto f = frames[1];
  ASSERT_EQ(f.size(), 26u + 3 * 4);
  EXPECT_EQ(f[3], 2);                          // bFrameIndex
  EXPECT_EQ(le16(f, 5), 320);                  // wWidth
  EXPECT_EQ(le16(f, 7), 240);                  // wHeight
  EXPECT_EQ(le32(f, 9), 320u * 240 * 16 * 5);  // dwMinBitRate at 2000000 (5 fps)
  EXPECT_EQ(le32(f, 13), 320u * 240 * 16 * 10'000'000ull / 333333);  // dwMaxBitRate
  EXPECT_EQ(le32(f, 17), 320u * 240 * 2);                            // dwMaxVideoFrameBufferSize
  EXPECT_EQ(le32(f, 21), 666666u);                                   // dwDefaultFrameInterval
  EXPECT_EQ(f[25], 3);                                               // bFrameIntervalType
  EXPECT_EQ(le32(f, 26), 333333u);
  EXPECT_EQ(le32(f, 30), 666666u);
  EXPECT_EQ(le32(f, 34), 2000000u);
}

// MJPEG format and a continuous-interval frame (bFrameIntervalType 0, min/max/step).
TEST(DescriptorBuilder, MjpegFormatAndContinuousFrame) {
  const DescriptorSet set = build_descriptors(test::camera_config());
  const auto format = vs(set, kVsFormatMjpeg);
  ASSERT_EQ(format.size(), 1u);
  EXPECT_EQ(to_bytes(format[0]), (Bytes{11, 0x24, 0x06, 2, 1, 0x01, 1, 0, 0, 0, 0}));
  const auto frames = vs(set, kVsFrameMjpeg);
  ASSERT_EQ(frames.size(), 1u);
  const auto f = frames[0];
  ASSERT_EQ(f.size(), 38u);
  EXPECT_EQ(le32(f, 17), 400000u);  // dwMaxVideoFrameBufferSize
  EXPECT_EQ(f[25], 0);
  EXPECT_EQ(le32(f, 26), 333333u);
  EXPECT_EQ(le32(f, 30), 1333332u);
  EXPECT_EQ(le32(f, 34), 333333u);
}

// NV12 and GREY use their GUIDs and bits per pixel.
TEST(DescriptorBuilder, Nv12AndGreyFormats) {
  UvcDeviceConfig c = test::camera_config();
  c.formats[0].format = VideoFormat::kNv12;
  c.formats[1] = c.formats[0];
  c.formats[1].format = VideoFormat::kGrey;
  const DescriptorSet set = build_descriptors(c);
  const auto formats = vs(set, kVsFormatUncompressed);
  ASSERT_EQ(formats.size(), 2u);
  EXPECT_EQ(Bytes(formats[0].begin() + 5, formats[0].begin() + 21), to_bytes(kGuidNv12));
  EXPECT_EQ(formats[0][21], 12);
  EXPECT_EQ(Bytes(formats[1].begin() + 5, formats[1].begin() + 21), to_bytes(kGuidY800));
  EXPECT_EQ(formats[1][21], 8);
}

// Isochronous: alt 0 without endpoints, then one alt per packet size; high-bandwidth
// transactions go into wMaxPacketSize bits 11..12.
TEST(DescriptorBuilder, IsochronousAltSettings) {
  const DescriptorSet set = build_descriptors(test::camera_config());
  std::vector<std::pair<int, int>> alts;  // (alt, endpoints) of interface 1
  for (const auto itf : find_all(set, kDescInterface))
    if (itf[2] == kStreamingInterface) alts.emplace_back(itf[3], itf[4]);
  EXPECT_EQ(alts,
            (std::vector<std::pair<int, int>>{{0, 0}, {1, 1}, {2, 1}, {3, 1}, {4, 1}, {5, 1}}));
  std::vector<std::uint16_t> sizes;
  for (const auto ep : find_all(set, kDescEndpoint)) {
    EXPECT_EQ(ep[2], kStreamingEndpoint);
    EXPECT_EQ(ep[3], 0x05);  // isochronous, asynchronous
    EXPECT_EQ(ep[6], 1);     // bInterval
    sizes.push_back(le16(ep, 4));
  }
  EXPECT_EQ(sizes, (std::vector<std::uint16_t>{128, 512, 1024, 0x0800 | 1024, 0x1000 | 1024}));
}

// Bulk: the endpoint sits on alternate setting 0 and there is no other alternate setting.
TEST(DescriptorBuilder, BulkEndpointOnAltZero) {
  const DescriptorSet set = build_descriptors(test::bulk_config());
  const auto interfaces = find_all(set, kDescInterface);
  ASSERT_EQ(interfaces.size(), 2u);
  EXPECT_EQ(interfaces[1][4], 1);  // bNumEndpoints
  const auto eps = find_all(set, kDescEndpoint);
  ASSERT_EQ(eps.size(), 1u);
  EXPECT_EQ(to_bytes(eps[0]), (Bytes{7, 5, 0x81, 0x02, 0x00, 0x02, 0}));
}

// SuperSpeed: bcdUSB 3.2, ep0 2^9, a companion after every endpoint with the burst, mult and
// bytes per interval, and a BOS; no device qualifier.
TEST(DescriptorBuilder, SuperSpeedCompanionsAndBos) {
  UvcDeviceConfig c = test::camera_config();
  c.speed = UsbSpeed::kSuper;
  c.interrupt_endpoint = true;
  c.transport = IsochronousTransport{{{1024, 1, 1}, {1024, 2, 4}}};
  const DescriptorSet set = build_descriptors(c);
  EXPECT_EQ(le16(set.device, 2), 0x0320);
  EXPECT_EQ(set.device[7], 9);
  EXPECT_TRUE(set.device_qualifier.empty());
  ASSERT_EQ(set.bos.size(), 22u);
  EXPECT_EQ(le16(set.bos, 2), 22);
  const auto descriptors = config_descriptors(set);
  std::vector<Bytes> companions;
  for (std::size_t i = 0; i < descriptors.size(); ++i) {
    if (descriptors[i][1] != kDescEndpoint) continue;
    ASSERT_LT(i + 1, descriptors.size());
    ASSERT_EQ(descriptors[i + 1][1], kDescSsEndpointCompanion);
    companions.push_back(to_bytes(descriptors[i + 1]));
  }
  ASSERT_EQ(companions.size(), 3u);
  EXPECT_EQ(companions[0], (Bytes{6, 0x30, 0, 0, 16, 0}));       // status interrupt
  EXPECT_EQ(companions[1], (Bytes{6, 0x30, 0, 0, 0x00, 0x04}));  // 1024
  EXPECT_EQ(companions[2], (Bytes{6, 0x30, 3, 1, 0x00, 0x20}));  // 1024 x 4 burst x 2 = 8192
}

// The optional status endpoint: interrupt IN with its class-specific descriptor after it.
TEST(DescriptorBuilder, StatusInterruptEndpoint) {
  UvcDeviceConfig c = test::camera_config();
  c.interrupt_endpoint = true;
  const DescriptorSet set = build_descriptors(c);
  const auto descriptors = config_descriptors(set);
  std::size_t i = 0;
  while (descriptors[i][1] != kDescEndpoint)
    ++i;
  EXPECT_EQ(to_bytes(descriptors[i]), (Bytes{7, 5, kStatusEndpoint, 0x03, 16, 0, 8}));
  EXPECT_EQ(to_bytes(descriptors[i + 1]), (Bytes{5, 0x25, 0x03, 16, 0}));
  EXPECT_EQ(find_all(set, kDescInterface)[0][4], 1);  // VC interface has 1 endpoint
}

// Strings: LANGID table, UTF-16LE strings, no serial string when none is configured.
TEST(DescriptorBuilder, StringDescriptors) {
  UvcDeviceConfig c = test::camera_config();
  c.manufacturer = "Ab";
  c.serial.clear();
  const DescriptorSet set = build_descriptors(c);
  ASSERT_GE(set.strings.size(), 4u);
  EXPECT_EQ(set.strings[0], (Bytes{4, 3, 0x09, 0x04}));
  EXPECT_EQ(set.strings[kManufacturerStringIndex], (Bytes{6, 3, 'A', 0, 'b', 0}));
  EXPECT_TRUE(set.strings[kSerialStringIndex].empty());
  EXPECT_EQ(set.device[16], 0);  // iSerialNumber
}

// A high-speed device has a device qualifier; the sysfs view is device + configuration.
TEST(DescriptorBuilder, QualifierAndSysfsView) {
  const DescriptorSet set = build_descriptors(test::camera_config());
  EXPECT_EQ(set.device_qualifier, (Bytes{10, 6, 0x00, 0x02, 0xEF, 0x02, 0x01, 64, 1, 0}));
  const Bytes sysfs = set.sysfs_descriptors();
  EXPECT_EQ(sysfs.size(), set.device.size() + set.configuration.size());
  EXPECT_TRUE(std::equal(set.device.begin(), set.device.end(), sysfs.begin()));
}

// Our YUY2 640x480 frame descriptor matches the one a real Logitech C270 sends (UVC 1.0),
// apart from the still-image capability and the rounding of dwMaxBitRate.
TEST(DescriptorBuilder, MatchesLogitechC270FrameDescriptor) {
  const char* realdata = std::getenv("HILCAP_REALDATA");
  const std::string path =
      std::string(realdata ? realdata : "") + "/descriptors/esp-usb/logitech_c270.cfg.bin";
  std::ifstream in(path, std::ios::binary);
  if (!realdata || !in) GTEST_SKIP() << "real descriptors not found at " << path;
  const Bytes real((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::span<const std::uint8_t> real_frame;
  std::span<const std::uint8_t> real_format;
  std::span<const std::uint8_t> real_color;
  int subclass = -1;
  for (const auto d : test::split_descriptors(real)) {
    if (d[1] == kDescInterface) subclass = d[6];
    if (d[1] != kCsInterface || d.size() < 3 || subclass != kSubclassVideoStreaming) continue;
    if (d[2] == kVsFormatUncompressed && real_format.empty()) real_format = d;
    if (d[2] == kVsFrameUncompressed && real_frame.empty()) real_frame = d;
    if (d[2] == kVsColorFormat && real_color.empty()) real_color = d;
  }
  ASSERT_FALSE(real_frame.empty());

  UvcDeviceConfig c = test::camera_config(UvcVersion::k1_0);
  c.formats.resize(1);
  c.formats[0].frames = {
      {640, 480, DiscreteIntervals{{333333, 400000, 500000, 666666, 1000000, 2000000}}, 333333, 0}};
  const DescriptorSet set = build_descriptors(c);
  Bytes ours = to_bytes(vs(set, kVsFrameUncompressed)[0]);
  Bytes theirs = to_bytes(real_frame);
  ASSERT_EQ(ours.size(), theirs.size());
  ours[4] = theirs[4] = 0;  // bmCapabilities: the C270 offers still images
  for (int i = 13; i < 17; ++i)
    ours[i] = theirs[i] = 0;  // dwMaxBitRate: C270 rounds to 30 fps
  EXPECT_EQ(ours, theirs);

  Bytes our_format = to_bytes(vs(set, kVsFormatUncompressed)[0]);
  Bytes their_format = to_bytes(real_format);
  our_format[4] = their_format[4] = 0;  // bNumFrameDescriptors: 19 on the C270
  EXPECT_EQ(our_format, their_format);
  EXPECT_EQ(to_bytes(vs(set, kVsColorFormat)[0]), to_bytes(real_color));
}

}  // namespace
}  // namespace hilcap::device::uvc
