// Real-device conformance: every descriptor set in realdata/descriptors/esp-usb
// parses, and what hilcap's parser makes of it matches what `lsusb -v` decoded
// from the same bytes (lsusb-decoded/).
#include <gtest/gtest.h>
#include <hilcap/uvc/descriptor_parser.h>

#include <algorithm>

#include "lsusb_text.h"
#include "realdata_files.h"

namespace hilcap::uvc::testing {
namespace {

struct RealDevice {
  const char* name;
  std::size_t video_functions;
  std::uint16_t bcd_uvc;
  UsbSpeed speed;
  // The descriptor defects these real devices have, as the parser words them.
  std::vector<std::string> warnings;
  // The VideoStreaming interface whose class descriptors follow its endpoint
  // (lsusb dumps them undecoded; hilcap and Linux's uvcvideo read them), or -1.
  int class_descriptors_after_endpoint = -1;
};

const std::vector<RealDevice>& real_devices() {
  static const std::vector<RealDevice> kDevices = {
      {"anker_powerconf_c200", 1, 0x0110, UsbSpeed::kHigh, {}},
      {"canyon_cne_cwc2", 1, 0x0100, UsbSpeed::kHigh, {}},
      {"customer", 1, 0x0100, UsbSpeed::kFull, {}, 1},
      {"customer_dual", 2, 0x0100, UsbSpeed::kHigh, {}},
      {"dual_tusb", 2, 0x0150, UsbSpeed::kHigh, {}},
      {"elp_h264", 1, 0x0100, UsbSpeed::kHigh, {}},
      {"elp_h265",
       1,
       0x0110,
       UsbSpeed::kHigh,
       {"cfg+0x79: warning: VC_OUTPUT_TERMINAL ID 4 already used by another entity "
        "(extension unit)"}},
      {"logitech_c270",
       1,
       0x0100,
       UsbSpeed::kHigh,
       {"cfg+0xcf: warning: VS_INPUT_HEADER bNumFormats 3 but 2 format(s) present"}},
      {"logitech_streamcam", 1, 0x0100, UsbSpeed::kHigh, {}},
      {"trust_webcam", 1, 0x0100, UsbSpeed::kHigh, {}},
  };
  return kDevices;
}

class RealDescriptors : public ::testing::TestWithParam<RealDevice> {};

ParsedDevice parse_real(const std::filesystem::path& root, const std::string& name) {
  const auto dir = root / "descriptors" / "esp-usb";
  return parse_descriptors(read_bytes(dir / (name + ".dev.bin")),
                           read_bytes(dir / (name + ".cfg.bin")));
}

// Guards: real descriptors parse with no error, and exactly the known device defects warn.
TEST_P(RealDescriptors, ParsesWithOnlyTheKnownDeviceDefects) {
  HILCAP_REQUIRE_REALDATA(root);
  const RealDevice& dev = GetParam();
  const ParsedDevice parsed = parse_real(root, dev.name);
  std::vector<std::string> got;
  for (const Diagnostic& d : parsed.diagnostics)
    got.push_back(d.to_string());
  EXPECT_EQ(got, dev.warnings);
  ASSERT_TRUE(parsed.device.has_value());
  EXPECT_EQ(parsed.configuration.video_functions.size(), dev.video_functions);
  for (const VideoFunction& fn : parsed.configuration.video_functions)
    EXPECT_EQ(fn.bcd_uvc(), dev.bcd_uvc);
  EXPECT_EQ(parsed.speed_hint(), dev.speed);
}

// Guards: formats, frames, intervals, endpoints, alt settings, entities and
// bcdUVC agree line by line with lsusb's decode of the same bytes.
TEST_P(RealDescriptors, MatchesLsusbDecode) {
  HILCAP_REQUIRE_REALDATA(root);
  const RealDevice& dev = GetParam();
  const ParsedDevice parsed = parse_real(root, dev.name);
  const LsusbDecode lsusb = parse_lsusb_text(read_text(
      root / "descriptors" / "esp-usb" / "lsusb-decoded" / (std::string(dev.name) + ".lsusb.txt")));
  ASSERT_GT(lsusb.lines.size(), 10u) << "lsusb text not read";

  std::vector<std::string> ours = canonical_lines(parsed);
  std::vector<std::string> theirs = lsusb.lines;
  std::sort(ours.begin(), ours.end());
  std::sort(theirs.begin(), theirs.end());
  std::vector<std::string> only_ours, only_lsusb;
  std::set_difference(ours.begin(), ours.end(), theirs.begin(), theirs.end(),
                      std::back_inserter(only_ours));
  std::set_difference(theirs.begin(), theirs.end(), ours.begin(), ours.end(),
                      std::back_inserter(only_lsusb));
  for (const std::string& l : only_ours) {
    const std::string undecoded_prefix =
        "vs if " + std::to_string(dev.class_descriptors_after_endpoint) + " ";
    if (dev.class_descriptors_after_endpoint >= 0 && l.rfind(undecoded_prefix, 0) == 0)
      continue;  // checked byte for byte below
    ADD_FAILURE() << "only in hilcap's parse: " << l;
  }
  for (const std::string& l : only_lsusb)
    ADD_FAILURE() << "only in lsusb's decode: " << l;
  EXPECT_EQ(static_cast<std::size_t>(lsusb.video_functions),
            parsed.configuration.video_functions.size());

  // What lsusb left undecoded is exactly the run of class descriptors that
  // hilcap decoded, starting at the VS_INPUT_HEADER.
  if (dev.class_descriptors_after_endpoint < 0) {
    EXPECT_TRUE(lsusb.undecoded.empty());
    return;
  }
  const StreamingInterface* si = nullptr;
  for (const VideoFunction& fn : parsed.configuration.video_functions)
    for (const StreamingInterface& s : fn.streaming)
      if (s.interface_number == dev.class_descriptors_after_endpoint) si = &s;
  ASSERT_NE(si, nullptr);
  const std::vector<std::uint8_t> cfg =
      read_bytes(root / "descriptors" / "esp-usb" / (std::string(dev.name) + ".cfg.bin"));
  std::size_t at = si->header.offset;
  ASSERT_FALSE(lsusb.undecoded.empty());
  for (const std::vector<std::uint8_t>& d : lsusb.undecoded) {
    ASSERT_LE(at + d.size(), cfg.size());
    EXPECT_TRUE(std::equal(d.begin(), d.end(), cfg.begin() + static_cast<std::ptrdiff_t>(at)))
        << "undecoded descriptor at cfg+" << at;
    at += d.size();
  }
  EXPECT_EQ(at - si->header.offset, si->header.total_length);
}

// Guards: lsusb's only complaint ("Descriptor too short") is on UVC 1.0
// processing units, whose 1.0 layout hilcap accepts without warning.
TEST_P(RealDescriptors, LsusbWarnsOnlyOnUvc10ProcessingUnits) {
  HILCAP_REQUIRE_REALDATA(root);
  const RealDevice& dev = GetParam();
  const ParsedDevice parsed = parse_real(root, dev.name);
  const LsusbDecode lsusb = parse_lsusb_text(read_text(
      root / "descriptors" / "esp-usb" / "lsusb-decoded" / (std::string(dev.name) + ".lsusb.txt")));
  std::size_t short_units = 0;
  for (const VideoFunction& fn : parsed.configuration.video_functions)
    for (const VideoEntity& e : fn.entities)
      if (e.kind == EntityKind::kProcessingUnit && !e.video_standards) {
        EXPECT_LT(fn.bcd_uvc(), 0x0110);
        ++short_units;
      }
  EXPECT_EQ(lsusb.warnings.size(), short_units);
  for (const std::string& w : lsusb.warnings)
    EXPECT_EQ(w, "VC subtype 5: Warning: Descriptor too short");
}

INSTANTIATE_TEST_SUITE_P(EspUsb, RealDescriptors, ::testing::ValuesIn(real_devices()),
                         [](const ::testing::TestParamInfo<RealDevice>& p) {
                           return std::string(p.param.name);
                         });

// Guards: the configuration-only C980 array (no lsusb decode) gives what the
// realdata README lists: UVC 1.00, YUY2 (1 frame), MJPEG (5), iso 192..800.
TEST(RealDescriptorsC980, ConfigurationOnlyArrayMatchesReadme) {
  HILCAP_REQUIRE_REALDATA(root);
  const ParsedDevice parsed =
      parse_descriptors({}, read_bytes(root / "descriptors/esp-usb/old_logitech_c980.cfg.bin"));
  EXPECT_FALSE(parsed.has_errors());
  EXPECT_FALSE(parsed.device.has_value());
  ASSERT_EQ(parsed.configuration.video_functions.size(), 1u);
  const VideoFunction& fn = parsed.configuration.video_functions[0];
  EXPECT_EQ(fn.bcd_uvc(), 0x0100);
  ASSERT_EQ(fn.streaming.size(), 1u);
  const StreamingInterface& si = fn.streaming[0];
  ASSERT_EQ(si.formats.size(), 2u);
  EXPECT_EQ(si.formats[0].name, "YUY2");
  EXPECT_EQ(si.formats[0].frames.size(), 1u);
  EXPECT_EQ(si.formats[1].name, "MJPEG");
  EXPECT_EQ(si.formats[1].frames.size(), 5u);
  std::vector<std::uint16_t> iso_sizes;
  for (const AltSetting& a : si.alt_settings)
    for (const Endpoint& ep : a.endpoints)
      if (ep.transfer_type() == TransferType::kIsochronous) iso_sizes.push_back(ep.packet_size());
  ASSERT_FALSE(iso_sizes.empty());
  EXPECT_EQ(*std::min_element(iso_sizes.begin(), iso_sizes.end()), 192);
  EXPECT_EQ(*std::max_element(iso_sizes.begin(), iso_sizes.end()), 800);
}

// Guards: the two-function devices expose each function with its own
// VideoControl interface, association and streaming interface.
TEST(RealDescriptorsDualFunction, EachFunctionKeepsItsOwnInterfaces) {
  HILCAP_REQUIRE_REALDATA(root);
  const ParsedDevice parsed = parse_real(root, "customer_dual");
  ASSERT_EQ(parsed.configuration.video_functions.size(), 2u);
  const VideoFunction& a = parsed.configuration.video_functions[0];
  const VideoFunction& b = parsed.configuration.video_functions[1];
  ASSERT_TRUE(a.association && b.association);
  EXPECT_EQ(a.association->first_interface, 0);
  EXPECT_EQ(b.association->first_interface, 2);
  ASSERT_EQ(a.streaming.size(), 1u);
  ASSERT_EQ(b.streaming.size(), 1u);
  EXPECT_EQ(a.streaming[0].formats[0].name, "MJPEG");
  EXPECT_EQ(b.streaming[0].formats[0].name, "H265");
  EXPECT_EQ(b.streaming[0].formats[0].kind, FormatKind::kFrameBased);
  // CDC and other interfaces are kept, not part of a video function.
  EXPECT_GT(parsed.configuration.interfaces.size(), 4u);
}

// Guards: the lsusb-text reader itself, on decodes that have no binary
// descriptors: the Cam Link 4K (USB 3 bulk, burst 15, three uncompressed
// 3840x2160 formats) and the C920 (frame-based H.264 among YUY2 and MJPEG).
TEST(LsusbTextReader, ReadsOtherDecodes) {
  HILCAP_REQUIRE_REALDATA(root);
  const LsusbDecode camlink = parse_lsusb_text(
      read_text(root / "descriptors" / "lkml" / "elgato_camlink4k_0fd9-0066.lsusb.txt"));
  EXPECT_EQ(camlink.video_functions, 1);
  auto count = [](const LsusbDecode& d, const std::string& needle) {
    return std::count_if(d.lines.begin(), d.lines.end(),
                         [&](const std::string& l) { return l.find(needle) != std::string::npos; });
  };
  EXPECT_EQ(count(camlink, "subtype 4 frames"), 3);
  EXPECT_EQ(count(camlink, " 3840x2160 "), 3);
  EXPECT_EQ(count(camlink, "ep 0x83 attr 2 mps 0x0400 burst 15"), 1);
  EXPECT_EQ(count(camlink, "bcdUVC 0x0110 clock 0"), 1);

  const LsusbDecode c920 = parse_lsusb_text(
      read_text(root / "descriptors" / "libuvc-lsusb" / "logitech_hd_pro_920.lsusb.txt"));
  EXPECT_EQ(c920.video_functions, 1);
  EXPECT_EQ(count(c920, "subtype 16 frames"), 1);  // FORMAT_FRAME_BASED
  EXPECT_GT(count(c920, "subtype 17 "), 0);        // its FRAME_FRAME_BASED frames
}

}  // namespace
}  // namespace hilcap::uvc::testing
