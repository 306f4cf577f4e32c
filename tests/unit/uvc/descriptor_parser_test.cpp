// Descriptor parser on synthetic descriptor sets: every descriptor type, the
// three UVC versions, and malformed input (reported, never read past).
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <hilcap/uvc/descriptor_parser.h>

#include <algorithm>

#include "config_builder.h"

namespace hilcap::uvc::testing {
namespace {

constexpr std::uint8_t kUncompressedFrame = 0x05;
constexpr std::uint8_t kMjpegFrame = 0x07;
constexpr std::uint8_t kFrameBasedFrame = 0x11;

std::vector<std::string> messages(const ParsedDevice& p) {
  std::vector<std::string> out;
  for (const Diagnostic& d : p.diagnostics)
    out.push_back(d.to_string());
  return out;
}

// A UVC function with every descriptor kind the parser models.
ConfigBuilder full_function(std::uint16_t bcd_uvc) {
  ConfigBuilder b;
  b.iad(0, 2)
      .vc_interface(0)
      .vc_header(bcd_uvc, {1})
      .camera_terminal(1)
      .processing_unit(2, 1, bcd_uvc >= 0x0150 ? 3 : 2, bcd_uvc >= 0x0110)
      .selector_unit(3, {2})
      .extension_unit(4, 3)
      .output_terminal(5, 4)
      .vs_interface(1)
      .input_header(3, 0x81)
      .format_uncompressed(1, 2, "YUY2")
      .frame(kUncompressedFrame, 1, 640, 480, 614400, 333333, {333333, 666666})
      .frame(kUncompressedFrame, 2, 320, 240, 153600, 333333, {333333})
      .still_frame({{640, 480}, {320, 240}})
      .color_matching()
      .format_mjpeg(2, 1)
      .frame(kMjpegFrame, 1, 1280, 720, 1843200, 333333, {333333, 2000000, 333333}, true)
      .format_frame_based(3, 1, "H264")
      .frame(kFrameBasedFrame, 1, 1920, 1080, 0, 333333, {333333})
      .vs_interface(1, 1, 1)
      .endpoint(0x81, 0x05, 0x1400);
  return b;
}

// Guards: a complete UVC 1.1 function is modelled field by field.
TEST(DescriptorParser, ParsesACompleteFunction) {
  const ParsedDevice p = parse_descriptors({}, full_function(0x0110).finish());
  EXPECT_TRUE(p.diagnostics.empty()) << ::testing::PrintToString(messages(p));
  ASSERT_EQ(p.configuration.video_functions.size(), 1u);
  const VideoFunction& fn = p.configuration.video_functions[0];
  ASSERT_TRUE(fn.association.has_value());
  EXPECT_EQ(fn.bcd_uvc(), 0x0110);
  EXPECT_EQ(fn.header.clock_frequency_hz, 6000000u);
  EXPECT_EQ(fn.header.streaming_interfaces, std::vector<std::uint8_t>{1});
  ASSERT_EQ(fn.entities.size(), 5u);
  EXPECT_EQ(fn.entities[0].kind, EntityKind::kInputTerminal);
  EXPECT_EQ(fn.entities[0].terminal_type, 0x0201);
  EXPECT_EQ(fn.entities[0].controls.size(), 3u);
  EXPECT_EQ(fn.entities[1].kind, EntityKind::kProcessingUnit);
  EXPECT_TRUE(fn.entities[1].video_standards.has_value());
  EXPECT_EQ(fn.entities[2].kind, EntityKind::kSelectorUnit);
  EXPECT_EQ(fn.entities[2].sources, std::vector<std::uint8_t>{2});
  EXPECT_EQ(fn.entities[3].kind, EntityKind::kExtensionUnit);
  EXPECT_EQ(fn.entities[3].extension_code[0], 0xA0);
  EXPECT_EQ(fn.entities[3].num_controls, 4);
  EXPECT_EQ(fn.entities[3].controls, (std::vector<std::uint8_t>{0x0F, 0x00}));
  EXPECT_EQ(fn.entities[4].kind, EntityKind::kOutputTerminal);

  ASSERT_EQ(fn.streaming.size(), 1u);
  const StreamingInterface& si = fn.streaming[0];
  EXPECT_EQ(si.header.endpoint_address, 0x81);
  EXPECT_EQ(si.header.format_controls.size(), 3u);
  ASSERT_EQ(si.formats.size(), 3u);
  const Format& yuy2 = si.formats[0];
  EXPECT_EQ(yuy2.kind, FormatKind::kUncompressed);
  EXPECT_EQ(yuy2.name, "YUY2");
  EXPECT_EQ(yuy2.bits_per_pixel, 16);
  ASSERT_EQ(yuy2.frames.size(), 2u);
  EXPECT_EQ(yuy2.frames[0].width, 640);
  EXPECT_EQ(yuy2.frames[0].height, 480);
  EXPECT_EQ(yuy2.frames[0].max_video_frame_buffer_size, 614400u);
  EXPECT_EQ(yuy2.frames[0].intervals.discrete, (std::vector<std::uint32_t>{333333, 666666}));
  ASSERT_TRUE(yuy2.color.has_value());
  EXPECT_EQ(yuy2.color->matrix_coefficients, 4);
  ASSERT_EQ(si.still_frames.size(), 1u);
  EXPECT_EQ(si.still_frames[0].sizes.size(), 2u);
  EXPECT_EQ(si.still_frames[0].format_index, 1);
  const Frame& mjpeg = si.formats[1].frames.at(0);
  EXPECT_EQ(si.formats[1].name, "MJPEG");
  EXPECT_TRUE(mjpeg.intervals.continuous);
  EXPECT_EQ(mjpeg.intervals.min, 333333u);
  EXPECT_EQ(mjpeg.intervals.max, 2000000u);
  EXPECT_EQ(mjpeg.intervals.step, 333333u);
  EXPECT_TRUE(mjpeg.offers_interval(666666));
  EXPECT_FALSE(mjpeg.offers_interval(500000));
  const Format& h264 = si.formats[2];
  EXPECT_EQ(h264.kind, FormatKind::kFrameBased);
  EXPECT_EQ(h264.name, "H264");
  EXPECT_EQ(h264.frames.at(0).width, 1920);
  EXPECT_EQ(h264.frames.at(0).bytes_per_line, 0u);
  ASSERT_EQ(si.alt_settings.size(), 2u);
  EXPECT_EQ(si.alt_settings[1].endpoints.at(0).packet_size(), 1024);
  EXPECT_EQ(si.alt_settings[1].endpoints.at(0).additional_transactions(), 2);
}

// Guards: the 11-byte UVC 1.0 processing unit is legal (no warning); the same
// layout in a UVC 1.1 function warns and still keeps the unit.
TEST(DescriptorParser, ProcessingUnitLayoutFollowsTheUvcVersion) {
  const ParsedDevice v10 = parse_descriptors({}, full_function(0x0100).finish());
  EXPECT_TRUE(v10.diagnostics.empty()) << ::testing::PrintToString(messages(v10));
  EXPECT_FALSE(v10.configuration.video_functions[0].entities[1].video_standards.has_value());

  ConfigBuilder b;
  b.vc_interface(0).vc_header(0x0110, {}).camera_terminal(1).processing_unit(2, 1, 2, false);
  const ParsedDevice v11 = parse_descriptors({}, b.finish());
  ASSERT_EQ(v11.diagnostics.size(), 1u);
  EXPECT_EQ(v11.diagnostics[0].severity, Severity::kWarning);
  EXPECT_NE(v11.diagnostics[0].message.find("UVC 1.0 layout"), std::string::npos);
  EXPECT_EQ(v11.configuration.video_functions[0].entities.size(), 2u);
}

// Guards: UVC 1.5: the 13-byte processing unit (3-byte bmControls) and the encoding unit.
TEST(DescriptorParser, Uvc15ProcessingAndEncodingUnits) {
  ConfigBuilder b;
  b.vc_interface(0)
      .vc_header(0x0150, {})
      .camera_terminal(1)
      .processing_unit(2, 1, 3, true)
      .encoding_unit(3, 2)
      .output_terminal(4, 3);
  const ParsedDevice p = parse_descriptors({}, b.finish());
  EXPECT_TRUE(p.diagnostics.empty()) << ::testing::PrintToString(messages(p));
  const auto& e = p.configuration.video_functions.at(0).entities;
  ASSERT_EQ(e.size(), 4u);
  EXPECT_EQ(e[1].controls.size(), 3u);
  EXPECT_TRUE(e[1].video_standards.has_value());
  EXPECT_EQ(e[2].kind, EntityKind::kEncodingUnit);
  EXPECT_EQ(e[2].controls, (std::vector<std::uint8_t>{1, 2, 3}));
  EXPECT_EQ(e[2].runtime_controls, (std::vector<std::uint8_t>{4, 5, 6}));
}

// Guards: two functions without IADs (UVC 1.0 style) are told apart by their
// VC headers' baInterfaceNr; an audio function between them is skipped cleanly.
TEST(DescriptorParser, SeveralFunctionsAndOtherClasses) {
  ConfigBuilder b;
  b.vc_interface(0).vc_header(0x0100, {1}).camera_terminal(1).output_terminal(2, 1);
  b.vs_interface(1).input_header(1, 0x81).format_mjpeg(1, 1);
  b.frame(kMjpegFrame, 1, 640, 480, 614400, 333333, {333333});
  b.interface(2, 0, 0x01, 0x01, 0).desc(0x24, {0x01, 0x00, 0x01, 0x09, 0x00});     // audio control
  b.interface(3, 0, 0x03, 0x00, 1).desc(0x21, {0x11, 0x01, 0, 1, 0x22, 0x20, 0});  // HID
  b.endpoint(0x85, 0x03, 8, 10);
  b.vc_interface(4).vc_header(0x0100, {5}).camera_terminal(1).output_terminal(2, 1);
  b.vs_interface(5).input_header(1, 0x82).format_uncompressed(1, 1, "NV12", 12);
  b.frame(kUncompressedFrame, 1, 320, 240, 115200, 333333, {333333});
  const ParsedDevice p = parse_descriptors({}, b.finish());
  EXPECT_TRUE(p.diagnostics.empty()) << ::testing::PrintToString(messages(p));
  ASSERT_EQ(p.configuration.video_functions.size(), 2u);
  EXPECT_FALSE(p.configuration.video_functions[0].association.has_value());
  EXPECT_EQ(p.configuration.video_functions[0].streaming.at(0).formats.at(0).name, "MJPEG");
  EXPECT_EQ(p.configuration.video_functions[1].streaming.at(0).formats.at(0).name, "NV12");
  EXPECT_EQ(p.configuration.interfaces.size(), 6u);
  EXPECT_FALSE(p.configuration.find_interface(2)->is_video_control());
}

// Guards: a frame whose bLength cannot hold its bFrameIntervalType intervals
// is an error naming the offset, the descriptor and the arithmetic; it is left out.
TEST(DescriptorParser, FrameTooShortForItsIntervalsIsAnError) {
  ConfigBuilder b;
  b.vc_interface(0).vc_header(0x0100, {1});
  b.vs_interface(1).input_header(1, 0x81).format_uncompressed(1, 2, "YUY2");
  b.frame(kUncompressedFrame, 1, 640, 480, 614400, 333333, {333333});
  // bFrameIntervalType 3 but only one interval present.
  b.raw({30, 0x24, 0x05, 2, 0, 0x40, 0x01, 0xF0, 0x00, 0,    0, 0,    0,    0,    0,
         0,  0,    0,    0, 0, 0,    0x15, 0x16, 0x05, 0x00, 3, 0x15, 0x16, 0x05, 0x00});
  const auto bytes = b.finish();
  const ParsedDevice p = parse_descriptors({}, bytes);
  ASSERT_TRUE(p.has_errors());
  const std::size_t at = bytes.size() - 30;
  EXPECT_EQ(p.diagnostics[0].to_string(),
            fmt::format("cfg+0x{:x}: error: VS_FRAME_UNCOMPRESSED bLength 30 < 26 + "
                        "4*bFrameIntervalType(3) = 38: frame ignored",
                        at));
  const Format& f = p.configuration.video_functions.at(0).streaming.at(0).formats.at(0);
  EXPECT_EQ(f.frames.size(), 1u);
  // ... and the format's count no longer matches what is present: a warning.
  EXPECT_NE(std::find_if(p.diagnostics.begin(), p.diagnostics.end(),
                         [](const Diagnostic& d) {
                           return d.message.find("bNumFrameDescriptors 2 but 1") !=
                                  std::string::npos;
                         }),
            p.diagnostics.end());
}

// Guards: bLength 0 stops the walk with an error instead of looping forever.
TEST(DescriptorParser, ZeroLengthDescriptorStopsTheWalk) {
  ConfigBuilder b;
  b.vc_interface(0).vc_header(0x0100, {}).raw({0, 0x24, 0x02, 1}).camera_terminal(1);
  const auto bytes = b.finish();
  const ParsedDevice p = parse_descriptors({}, bytes);
  ASSERT_FALSE(p.diagnostics.empty());
  EXPECT_NE(p.diagnostics[0].message.find("bLength 0 < 2"), std::string::npos);
  EXPECT_TRUE(p.configuration.video_functions.at(0).entities.empty());
}

// Guards: a descriptor whose bLength runs past the buffer is reported and not read.
TEST(DescriptorParser, LengthPastTheEndIsAnError) {
  ConfigBuilder b;
  b.vc_interface(0).vc_header(0x0100, {}).raw({40, 0x24, 0x02, 1, 2, 3});
  const ParsedDevice p = parse_descriptors({}, b.finish());
  ASSERT_TRUE(p.has_errors());
  EXPECT_NE(p.diagnostics[0].message.find("runs past the end (6 bytes left)"), std::string::npos);
}

// Guards: wTotalLength larger than the bytes given is an error (truncated
// set); smaller is a warning and the trailing bytes are not parsed.
TEST(DescriptorParser, TotalLengthAgainstTheBuffer) {
  auto bytes = full_function(0x0100).finish();
  auto truncated = bytes;
  truncated.resize(bytes.size() - 10);
  const ParsedDevice t = parse_descriptors({}, truncated);
  ASSERT_TRUE(t.has_errors());
  EXPECT_NE(t.diagnostics[0].message.find("truncated"), std::string::npos);

  auto padded = bytes;
  padded.insert(padded.end(), {9, 0x04, 7, 0, 0, 0x0E, 0x02, 0, 0});
  const ParsedDevice w = parse_descriptors({}, padded);
  EXPECT_FALSE(w.has_errors());
  ASSERT_EQ(w.diagnostics.size(), 1u);
  EXPECT_NE(w.diagnostics[0].message.find("trailing bytes ignored"), std::string::npos);
  EXPECT_EQ(w.configuration.find_interface(7), nullptr);
}

// Guards: counts larger than what is present (bNumFormats, bInCollection
// past bLength, bmaControls past bLength) are reported.
TEST(DescriptorParser, CountsLargerThanPresent) {
  ConfigBuilder b;
  b.vc_interface(0).vc_header(0x0100, {1});
  b.vs_interface(1).input_header(2, 0x81).format_mjpeg(1, 1);
  b.frame(kMjpegFrame, 1, 640, 480, 614400, 333333, {333333});
  const ParsedDevice formats = parse_descriptors({}, b.finish());
  EXPECT_FALSE(formats.has_errors());
  EXPECT_EQ(messages(formats).size(), 1u);
  EXPECT_NE(messages(formats)[0].find("bNumFormats 2 but 1 format(s) present"), std::string::npos);

  ConfigBuilder h;
  h.vc_interface(0).raw({12, 0x24, 0x01, 0x00, 0x01, 12, 0, 0, 0, 0, 0, 5});  // bInCollection 5
  const ParsedDevice header = parse_descriptors({}, h.finish());
  ASSERT_TRUE(header.has_errors());
  EXPECT_NE(header.diagnostics[0].message.find("VC_HEADER bLength 12 < 17"), std::string::npos);

  ConfigBuilder i;
  i.vc_interface(0).vc_header(0x0100, {1});
  i.vs_interface(1).raw({13, 0x24, 0x01, 4, 13, 0, 0x81, 0, 3, 0, 0, 0, 2});  // 4 formats x 2
  const ParsedDevice input = parse_descriptors({}, i.finish());
  ASSERT_TRUE(input.has_errors());
  EXPECT_NE(input.diagnostics[0].message.find("VS_INPUT_HEADER bLength 13 < 21"),
            std::string::npos);
}

// Guards: descriptors out of place: a frame with no format, a frame of the
// wrong kind, an endpoint before any interface, a companion with no endpoint.
TEST(DescriptorParser, DescriptorsOutOfPlace) {
  ConfigBuilder b;
  b.endpoint(0x81, 0x02, 512).companion(0, 0, 0);
  b.vc_interface(0).vc_header(0x0100, {1});
  b.vs_interface(1).input_header(1, 0x81);
  b.frame(kMjpegFrame, 1, 640, 480, 614400, 333333, {333333});  // no format yet
  b.format_uncompressed(1, 1, "YUY2");
  b.frame(kMjpegFrame, 1, 640, 480, 614400, 333333, {333333});  // wrong kind
  const ParsedDevice p = parse_descriptors({}, b.finish());
  const auto m = messages(p);
  ASSERT_GE(m.size(), 4u);
  EXPECT_NE(m[0].find("ENDPOINT 0x81 before any INTERFACE"), std::string::npos);
  EXPECT_NE(m[1].find("SS_ENDPOINT_COMPANION without a preceding ENDPOINT"), std::string::npos);
  EXPECT_NE(m[2].find("VS_FRAME_MJPEG does not follow a matching format"), std::string::npos);
  EXPECT_NE(m[3].find("VS_FRAME_MJPEG does not follow a matching format"), std::string::npos);
}

// Guards: a still-image descriptor whose patterns run past bLength is an error.
TEST(DescriptorParser, StillImagePatternsPastLength) {
  ConfigBuilder b;
  b.vc_interface(0).vc_header(0x0100, {1});
  b.vs_interface(1).input_header(1, 0x81).format_mjpeg(1, 0);
  b.raw({10, 0x24, 0x03, 0, 3, 0x80, 0x02, 0xE0, 0x01, 0});  // 3 sizes in 10 bytes
  const ParsedDevice p = parse_descriptors({}, b.finish());
  ASSERT_TRUE(p.has_errors());
  EXPECT_NE(p.diagnostics[0].message.find("VS_STILL_IMAGE_FRAME bLength 10 < 18"),
            std::string::npos);
}

// Guards: the device descriptor is checked (size, type) and decoded.
TEST(DescriptorParser, DeviceDescriptor) {
  const std::vector<std::uint8_t> dev = {18,   0x01, 0x00, 0x02, 0xEF, 0x02, 0x01, 64, 0x6D,
                                         0x04, 0x25, 0x08, 0x10, 0x00, 1,    2,    3,  1};
  const ParsedDevice ok = parse_descriptors(dev, full_function(0x0100).finish());
  ASSERT_TRUE(ok.device.has_value());
  EXPECT_EQ(ok.device->vendor_id, 0x046D);
  EXPECT_EQ(ok.device->product_id, 0x0825);
  EXPECT_EQ(ok.device->bcd_usb, 0x0200);
  EXPECT_EQ(ok.speed_hint(), UsbSpeed::kHigh);  // 3 x 1024 iso

  const ParsedDevice short_dev =
      parse_descriptors(std::span(dev).first(10), full_function(0x0100).finish());
  EXPECT_FALSE(short_dev.device.has_value());
  EXPECT_EQ(short_dev.diagnostics.at(0).to_string(),
            "dev+0x0: error: DEVICE: 10 bytes given, need 18");
}

// Guards: the configuration header itself must be one.
TEST(DescriptorParser, NotAConfiguration) {
  const std::vector<std::uint8_t> wrong = {9, 0x04, 9, 0, 0, 0, 0, 0, 0};
  const ParsedDevice p = parse_descriptors({}, wrong);
  ASSERT_TRUE(p.has_errors());
  EXPECT_NE(p.diagnostics[0].message.find("bDescriptorType 0x04, expected 0x02"),
            std::string::npos);
  EXPECT_TRUE(parse_descriptors({}, {}).has_errors());
}

// Guards: cut at every length, a valid set never makes the parser read past
// its buffer (ASan checks) and every diagnostic points inside it.
TEST(DescriptorParser, EveryTruncationIsReportedInsideTheBuffer) {
  const auto bytes = full_function(0x0150).finish();
  for (std::size_t n = 0; n <= bytes.size(); ++n) {
    const std::vector<std::uint8_t> cut(bytes.begin(), bytes.begin() + static_cast<long>(n));
    const ParsedDevice p = parse_descriptors({}, cut);
    if (n < bytes.size()) {
      EXPECT_TRUE(p.has_errors()) << "cut at " << n;
    }
    for (const Diagnostic& d : p.diagnostics)
      EXPECT_LE(d.offset, n) << d.to_string();
  }
}

// Guards: endpoint bandwidth per service interval at each speed: HS
// high-bandwidth mult bits, SS companion wBytesPerInterval, and its fallback.
TEST(EndpointBandwidth, PerSpeed) {
  Endpoint hs{0x81, 0x05, 0x1400, 1, std::nullopt, 0};  // 3 x 1024
  EXPECT_EQ(hs.bytes_per_interval(UsbSpeed::kHigh), 3072u);
  EXPECT_EQ(hs.bytes_per_interval(UsbSpeed::kFull), 1024u);
  Endpoint ss{0x81, 0x05, 1024, 1, SsEndpointCompanion{15, 0x02, 0}, 0};
  EXPECT_EQ(ss.bytes_per_interval(UsbSpeed::kSuper), 16u * 3 * 1024);
  ss.companion->bytes_per_interval = 45000;
  EXPECT_EQ(ss.bytes_per_interval(UsbSpeed::kSuper), 45000u);
  Endpoint bulk{0x81, 0x02, 512, 0, std::nullopt, 0};
  EXPECT_EQ(bulk.bytes_per_interval(UsbSpeed::kHigh), 512u);
}

// Guards: fourcc names come from the standard GUID family only; others print as a GUID.
TEST(FormatNames, FromGuid) {
  Guid nv12 = device::uvc::kGuidNv12;
  EXPECT_EQ(format_name(nv12), "NV12");
  EXPECT_EQ(format_name(device::uvc::kGuidY800), "Y800");
  EXPECT_EQ(guid_string(device::uvc::kGuidYuy2), "{32595559-0000-0010-8000-00aa00389b71}");
  nv12[15] = 0x72;
  EXPECT_EQ(format_name(nv12), "{3231564e-0000-0010-8000-00aa00389b72}");
}

}  // namespace
}  // namespace hilcap::uvc::testing
