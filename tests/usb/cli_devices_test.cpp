// `hilcap devices` run in this process (the fake devices live here): the
// device model's cameras and every real esp-usb descriptor set are listed
// with their formats, sizes and intervals, and for the real ones these match
// what `lsusb -v` decoded from the same bytes.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <gmock/gmock.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "cli_run.h"
#include "lsusb_text.h"
#include "real_cameras.h"
#include "source_fixture.h"

namespace hilcap::testing {
namespace {

using ::testing::HasSubstr;

// The frame facts of one listed device, one line per frame, in the form the
// lsusb comparison below reduces lsusb's lines to.
std::set<std::string> frame_lines(const nlohmann::json& device) {
  std::set<std::string> lines;
  for (const auto& function : device["functions"])
    for (const auto& streaming : function["streaming"])
      for (const auto& format : streaming["formats"])
        for (const auto& frame : format["frames"]) {
          std::string line = fmt::format(
              "vs if {} format {} frame {} {}x{} default {}", streaming["interface"].get<int>(),
              format["index"].get<int>(), frame["index"].get<int>(), frame["width"].get<int>(),
              frame["height"].get<int>(), frame["default_interval_100ns"].get<std::uint32_t>());
          if (frame.contains("continuous_100ns")) {
            const auto& c = frame["continuous_100ns"];
            line += fmt::format(" continuous {}-{}/{}", c["min"].get<std::uint32_t>(),
                                c["max"].get<std::uint32_t>(), c["step"].get<std::uint32_t>());
          } else {
            line += fmt::format(
                " intervals {}",
                fmt::join(frame["intervals_100ns"].get<std::vector<std::uint32_t>>(), ","));
          }
          lines.insert(line);
        }
  return lines;
}

// lsusb's frame lines ("vs if 1 format 1 frame 1 subtype 5 640x480 bitrate ... buf ...
// default 333333 intervals 333333,...") without the fields `hilcap devices` does not list.
std::set<std::string> lsusb_frame_lines(const std::string& text) {
  static const std::regex frame(
      R"(^vs if (\d+) format (\d+) frame (\d+) subtype \d+ (\d+x\d+) bitrate \S+ \S+ \S+ (default \d+ .*)$)");
  std::set<std::string> lines;
  for (const std::string& line : uvc::testing::parse_lsusb_text(text).lines) {
    std::smatch m;
    if (std::regex_match(line, m, frame))
      lines.insert(fmt::format("vs if {} format {} frame {} {} {}", m[1].str(), m[2].str(),
                               m[3].str(), m[4].str(), m[5].str()));
  }
  return lines;
}

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class CliDevices : public SourceTest {
 protected:
  void TearDown() override {
    rig_.reset();
    SourceTest::TearDown();
  }
  std::unique_ptr<RealCameraRig> rig_ = std::make_unique<RealCameraRig>();
};

// The device model's cameras, bulk and isochronous, are listed with their format, size, rate
// and transport; --json gives the same as data.
TEST_F(CliDevices, ListsTheDeviceModelsCameras) {
  add_model_device(model_config(), presentation(true), device::uvc::Pacing::kOnDemand, {1, 2});
  device::DeviceConfig nv12 = model_config(320, 240);
  nv12.format.pixel_format = device::PixelFormat::kNv12;
  nv12.timing.cadence = device::FrameRate{15, 1};
  device::uvc::UvcPresentation iso = presentation(false, device::uvc::UvcVersion::k1_5);
  iso.product_id = 0x4012;
  add_model_device(nv12, iso, device::uvc::Pacing::kOnDemand, {1, 3});

  const CliRun text = run_hilcap({"devices"});
  EXPECT_EQ(text.status, 0) << text.err;
  EXPECT_THAT(text.out,
              HasSubstr("cafe:4011 hilcap device model  bus 1 device 2, port 1-1, high-speed"));
  EXPECT_THAT(text.out, HasSubstr("function 0: UVC 1.10, control interface 0"));
  EXPECT_THAT(text.out, HasSubstr("streaming interface 1: bulk endpoint 0x81 (512 B packets)"));
  EXPECT_THAT(text.out, HasSubstr("YUY2 (uncompressed)\n          160x120   30 fps"));
  EXPECT_THAT(text.out, HasSubstr("cafe:4012"));
  EXPECT_THAT(text.out, HasSubstr("function 0: UVC 1.50"));
  EXPECT_THAT(text.out, HasSubstr("streaming interface 1: isochronous endpoint 0x81"));
  EXPECT_THAT(text.out, HasSubstr("NV12 (uncompressed)\n          320x240   15 fps"));

  const CliRun json = run_hilcap({"devices", "--json"});
  ASSERT_EQ(json.status, 0) << json.err;
  const nlohmann::json list = nlohmann::json::parse(json.out);
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0]["id"], "cafe:4011");
  EXPECT_EQ(list[0]["serial"], "MODEL-1");
  const auto& bulk = list[0]["functions"][0]["streaming"][0];
  EXPECT_EQ(bulk["transport"]["type"], "bulk");
  EXPECT_EQ(bulk["formats"][0]["name"], "YUY2");
  EXPECT_EQ(bulk["formats"][0]["frames"][0]["intervals_100ns"][0], 333333);
  EXPECT_EQ(bulk["formats"][0]["frames"][0]["fps"][0], 30.0);
  const auto& isochronous = list[1]["functions"][0]["streaming"][0];
  EXPECT_EQ(isochronous["transport"]["type"], "isochronous");
  EXPECT_GT(isochronous["transport"]["alternate_settings"].size(), 0u);
  EXPECT_EQ(isochronous["formats"][0]["frames"][0]["width"], 320);
}

// No device at all: said so, and not an error.
TEST_F(CliDevices, NoDevices) {
  const CliRun text = run_hilcap({"devices"});
  EXPECT_EQ(text.status, 0);
  EXPECT_EQ(text.out, "no USB video devices found\n");
  const CliRun json = run_hilcap({"devices", "--json"});
  EXPECT_EQ(json.out, "[]\n");
}

// Every real esp-usb camera served raw enumerates through libusb and is listed; its formats,
// frame sizes, default and offered intervals are those lsusb -v decoded from the same bytes.
// The one difference: lsusb leaves `customer`'s VideoStreaming class descriptors undecoded
// because they follow the endpoint descriptor (uvc-realdata checks them byte for byte).
TEST_F(CliDevices, RealCamerasMatchLsusb) {
  const std::vector<RealCamera> cameras = load_real_cameras(esp_usb_folder());
  if (cameras.empty())
    GTEST_SKIP() << "no real descriptor sets in '" << esp_usb_folder().string() << "'";
  std::string error;
  ASSERT_TRUE(rig_->plug(*testbed_, cameras, error)) << error;

  const CliRun json = run_hilcap({"devices", "--json"});
  ASSERT_EQ(json.status, 0) << json.err;
  const nlohmann::json list = nlohmann::json::parse(json.out);
  ASSERT_EQ(list.size(), cameras.size());
  const CliRun text = run_hilcap({"devices"});
  for (std::size_t i = 0; i < cameras.size(); ++i) {
    const RealCamera& camera = cameras[i];
    SCOPED_TRACE(camera.name);
    const nlohmann::json& listed = list[i];
    EXPECT_EQ(listed["address"], 2 + i);
    const std::string id = fmt::format("{:02x}{:02x}:{:02x}{:02x}", camera.device[9],
                                       camera.device[8], camera.device[11], camera.device[10]);
    EXPECT_EQ(listed["id"], id);
    EXPECT_THAT(text.out, HasSubstr(fmt::format("{} (no name)  bus 1 device {}", id, 2 + i)));
    EXPECT_EQ(listed["diagnostics"].size(),
              camera.name == "elp_h265" || camera.name == "logitech_c270" ? 1u : 0u);

    const std::set<std::string> ours = frame_lines(listed);
    const std::set<std::string> theirs = lsusb_frame_lines(
        read_text(esp_usb_folder() / "lsusb-decoded" / (camera.name + ".lsusb.txt")));
    ASSERT_FALSE(ours.empty());
    std::vector<std::string> only_ours, only_lsusb;
    std::set_difference(ours.begin(), ours.end(), theirs.begin(), theirs.end(),
                        std::back_inserter(only_ours));
    std::set_difference(theirs.begin(), theirs.end(), ours.begin(), ours.end(),
                        std::back_inserter(only_lsusb));
    EXPECT_THAT(only_lsusb, ::testing::IsEmpty());
    if (camera.name == "customer") {
      for (const std::string& line : only_ours)
        EXPECT_THAT(line, ::testing::StartsWith("vs if 1 "));
    } else {
      EXPECT_THAT(only_ours, ::testing::IsEmpty());
    }
  }
}

}  // namespace
}  // namespace hilcap::testing
