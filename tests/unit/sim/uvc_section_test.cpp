// "device.uvc" and "device.format": "MJPEG": how the scenario's device
// appears on USB (`hilcap serve`), and its mistakes at their JSON pointers.
#include "scenario/uvc_section.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "cli/scenario_runner.h"
#include "scenario/scenario_loader.h"

namespace hilcap::sim {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

LoadedScenario load_device(const std::string& device) {
  return parse_scenario(R"({"duration_s": 1, "device": )" + device + "}", "s.json", ".",
                        disk_file_reader());
}

std::vector<std::string> device_errors(const std::string& device) {
  std::vector<std::string> out;
  for (const ScenarioError& e : load_device(device).errors)
    out.push_back(e.to_string());
  return out;
}

// Guards the reading of every key into the presentation.
TEST(UvcSection, ReadsThePresentation) {
  const LoadedScenario s = load_device(R"({
    "format": "MJPEG", "width": 320, "height": 240,
    "uvc": {"transport": "bulk", "version": "1.5", "speed": "full", "id": "1209:00ab",
            "serial": "CAM-1", "max_payload_bytes": 4096, "mjpeg_quality": 70,
            "interrupt_endpoint": true, "reconnect_after_ms": 250,
            "faults": [{"kind": "missing_eof", "at_frame": 3},
                       {"kind": "fid_glitch", "at_frame": 4, "payload": 2},
                       {"kind": "endpoint_halt", "at_frame": 9}]}})");
  ASSERT_TRUE(s.scenario) << s.errors[0].to_string();
  const device::uvc::UvcPresentation& p = s.scenario->uvc;
  EXPECT_TRUE(p.mjpeg);
  EXPECT_EQ(p.mjpeg_quality, 70);
  EXPECT_TRUE(p.bulk);
  EXPECT_EQ(p.version, device::uvc::UvcVersion::k1_5);
  EXPECT_EQ(p.speed, device::uvc::UsbSpeed::kFull);
  EXPECT_EQ(p.vendor_id, 0x1209);
  EXPECT_EQ(p.product_id, 0x00ab);
  EXPECT_EQ(p.serial, "CAM-1");
  EXPECT_EQ(p.bulk_max_payload, 4096u);
  EXPECT_TRUE(p.interrupt_endpoint);
  EXPECT_EQ(p.reconnect_after_ns, 250'000'000);
  ASSERT_EQ(p.stream_faults.size(), 3u);
  EXPECT_EQ(p.stream_faults[1].fault, device::uvc::StreamFault::kFidToggleEarly);
  EXPECT_EQ(p.stream_faults[1].frame, 4u);
  EXPECT_EQ(p.stream_faults[1].payload, 2u);
  EXPECT_EQ(p.stream_faults[2].fault, device::uvc::StreamFault::kStall);
  // The sensor behind MJPEG is YUY2.
  EXPECT_EQ(s.scenario->device.format.pixel_format, device::PixelFormat::kYuy2);
}

// Guards the defaults: a scenario without "device.uvc" is a high-speed
// isochronous UVC 1.1 camera of its own format.
TEST(UvcSection, Defaults) {
  const LoadedScenario s = load_device(R"({"format": "NV12"})");
  ASSERT_TRUE(s.scenario);
  EXPECT_FALSE(s.scenario->uvc.bulk);
  EXPECT_FALSE(s.scenario->uvc.mjpeg);
  EXPECT_EQ(s.scenario->uvc.version, device::uvc::UvcVersion::k1_1);
  EXPECT_EQ(s.scenario->uvc.speed, device::uvc::UsbSpeed::kHigh);
  EXPECT_FALSE(s.scenario->uvc.reconnect_after_ns);
}

// Guards the errors at their JSON pointers: what the schema refuses, and the
// rules it cannot express (a halt on an isochronous endpoint, a payload size
// with isochronous transport, a quality without MJPEG, a stream that
// isochronous transfers cannot carry).
TEST(UvcSection, MistakesAtTheirPointers) {
  EXPECT_THAT(device_errors(R"({"uvc": {"transport": "usb"}})"),
              ElementsAre(HasSubstr("s.json: at /device/uvc/transport: expected one of")));
  EXPECT_THAT(device_errors(R"({"uvc": {"speed": "super"}})"),
              ElementsAre(HasSubstr("at /device/uvc/speed")));
  EXPECT_THAT(device_errors(R"({"uvc": {"id": "cafe"}})"),
              ElementsAre(HasSubstr("at /device/uvc/id")));
  EXPECT_THAT(
      device_errors(R"({"uvc": {"faults": [{"kind": "endpoint_halt", "at_frame": 1}]}})"),
      ElementsAre(HasSubstr(
          "at /device/uvc/faults/0/kind: expected a fault an isochronous endpoint can have")));
  EXPECT_THAT(device_errors(R"({"uvc": {"faults": [{"kind": "error_bit"}]}})"),
              ElementsAre(HasSubstr("at /device/uvc/faults/0")));
  EXPECT_THAT(device_errors(R"({"uvc": {"max_payload_bytes": 4096}})"),
              ElementsAre(HasSubstr("at /device/uvc/max_payload_bytes: expected no")));
  EXPECT_THAT(device_errors(R"({"uvc": {"mjpeg_quality": 50}})"),
              ElementsAre(HasSubstr("at /device/uvc/mjpeg_quality: expected no")));
  EXPECT_THAT(device_errors(R"({"width": 1920, "height": 1080, "timing": {"fps": 60}, "uvc": {}})"),
              ElementsAre(AllOf(HasSubstr("at /device/format: expected a frame size and rate that "
                                          "isochronous transfers at high speed carry"),
                                HasSubstr("use bulk"), HasSubstr("found 1920x1080 YUY2"))));
  EXPECT_THAT(device_errors(R"({"format": "MJPEG", "uvc": {"colour": 1}})"),
              ElementsAre(HasSubstr("at /device/uvc/colour")));
}

// Guards the DMA-ring runner's refusal: MJPEG is a USB camera's format, said
// at /device/format; `validate` accepts it (it is a valid scenario for serve).
TEST(UvcSection, RunRefusesMjpeg) {
  const std::filesystem::path file = std::filesystem::path(::testing::TempDir()) /
                                     ("hilcap-mjpeg-" + std::to_string(::getpid()) + ".json");
  std::ofstream(file) << R"({"duration_s": 1, "device": {"format": "MJPEG"}})";
  auto runner = make_scenario_runner();
  EXPECT_TRUE(runner->validate(file).empty());
  const ScenarioOutcome outcome = runner->run(file, RunOptions{});
  std::filesystem::remove(file);
  EXPECT_EQ(outcome.status, ScenarioOutcome::Status::kInvalid);
  EXPECT_THAT(outcome.errors,
              ElementsAre(AllOf(HasSubstr("at /device/format: expected YUY2, NV12 or GREY"),
                                HasSubstr("hilcap serve"), HasSubstr("found \"MJPEG\""))));
}

}  // namespace
}  // namespace hilcap::sim
