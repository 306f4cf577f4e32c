// A scenario's "device": {"usb": ...}: a camera in place of the simulated
// device, loaded with the rules a camera adds (the wall clock, no device
// faults, no simulated host settings), each mistake at its JSON pointer; and
// `validate` checking an expect block against a camera run's report.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "runner/run_report.h"
#include "scenario/scenario_loader.h"

namespace hilcap::sim {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

FileReader no_named_files() {
  return [](const std::filesystem::path&, std::string& error) -> std::optional<std::string> {
    error = "No such file or directory";
    return std::nullopt;
  };
}

LoadedScenario load_camera(const std::string& text) {
  return parse_scenario(text, "cam.json", "dir", no_named_files());
}

std::vector<std::string> camera_messages(const std::string& text) {
  std::vector<std::string> out;
  for (const auto& e : load_camera(text).errors)
    out.push_back(e.to_string());
  return out;
}

// The example of issue 11, and its defaults: a camera run is a real-time run
// whose allocator frames take the camera's dwMaxVideoFrameSize.
TEST(CameraSection, CameraByVendorAndProduct) {
  const LoadedScenario result = load_camera(R"({"duration_s": 2,
      "device": {"usb": "046d:0825", "format": "MJPEG", "size": "1280x720", "fps": 30}})");
  ASSERT_THAT(result.errors, IsEmpty());
  const Scenario& s = *result.scenario;
  ASSERT_TRUE(s.camera);
  EXPECT_EQ(s.camera->usb, "046d:0825");
  EXPECT_EQ(s.camera->format, "MJPEG");
  EXPECT_EQ(s.camera->width, 1280);
  EXPECT_EQ(s.camera->height, 720);
  EXPECT_EQ(s.camera->fps, 30.0);
  EXPECT_EQ(s.camera->stall_intervals, 3u);
  EXPECT_EQ(s.clock, RunClock::kRealtime);
  EXPECT_EQ(s.framing.FrameSize, 0u);  // the negotiated dwMaxVideoFrameSize
  EXPECT_EQ(s.framing.Frames, 8u);
}

// The bus:address and serial-number forms, as `hilcap capture --device` takes them.
TEST(CameraSection, PlaceAndSerialForms) {
  for (const char* usb : {"046d:0825@1:4", "@1:4", "#A1B2C3D4", "046d:0825#A1B2C3D4"}) {
    const LoadedScenario result =
        load_camera(std::string(R"({"duration_s": 1, "device": {"usb": ")") + usb + R"("}})");
    EXPECT_THAT(result.errors, IsEmpty()) << usb;
  }
}

// A malformed camera, size or rate is refused at its exact JSON pointer,
// with the forms expected.
TEST(CameraSection, BadValuesAtTheirPointer) {
  EXPECT_THAT(camera_messages(R"({"duration_s": 1, "device": {"usb": "logitech"}})"),
              ElementsAre(HasSubstr("cam.json: at /device/usb: expected VID:PID in hex "
                                    "(046d:0825), optionally @BUS:ADDRESS")));
  EXPECT_THAT(camera_messages(R"({"duration_s": 1, "device": {"usb": "046d:0825@1:999"}})"),
              ElementsAre(HasSubstr("at /device/usb: expected VID:PID")));
  EXPECT_THAT(
      camera_messages(R"({"duration_s": 1, "device": {"usb": "046d:0825", "size": "720p"}})"),
      ElementsAre("cam.json: at /device/size: expected WIDTHxHEIGHT, each 1 to 65535 "
                  "(e.g. \"640x480\"), found \"720p\""));
  EXPECT_THAT(camera_messages(R"({"duration_s": 1, "device": {"usb": "046d:0825", "fps": 0}})"),
              ElementsAre(HasSubstr("at /device/fps: expected a number > 0")));
  EXPECT_THAT(camera_messages(R"({"duration_s": 1, "device": {"usb": ""}})"),
              ElementsAre(HasSubstr("at /device/usb: expected a string of 1 to 300 characters")));
}

// What only the simulated device has is refused with a camera, naming the key.
TEST(CameraSection, SimulatedDeviceKeysAreRefused) {
  EXPECT_THAT(
      camera_messages(R"({"duration_s": 1, "device": {"usb": "046d:0825", "ring_depth": 4}})"),
      ElementsAre(HasSubstr("at /device/ring_depth: expected one of the known properties "
                            "(\"format\", \"fps\", \"size\", \"stall_intervals\", \"transfers\", "
                            "\"usb\"), found an unknown property \"ring_depth\"")));
}

// A camera runs on the wall clock, cannot take a device fault from the
// script, and the simulated host's settings do not apply to it.
TEST(CameraSection, CameraRulesAcrossTheScenario) {
  EXPECT_THAT(
      camera_messages(R"({"duration_s": 1, "clock": "virtual", "device": {"usb": "046d:0825"},
                   "host": {"dpc_latency_us": 50, "initial_state": "pause"},
                   "script": [{"at_ms": 10, "do": "inject_fault", "fault": {"kind": "error"}}]})"),
      ElementsAre(HasSubstr("at /clock: expected \"realtime\" or no clock with a USB camera"),
                  HasSubstr("at /host/dpc_latency_us: expected no \"dpc_latency_us\" with a USB "
                            "camera"),
                  HasSubstr("at /script/0/do: expected a step a USB camera can take "
                            "(inject_fault needs the simulated device), found \"inject_fault\"")));
  EXPECT_THAT(camera_messages(R"({"duration_s": 3601, "device": {"usb": "046d:0825"}})"),
              ElementsAre(HasSubstr("at /duration_s: expected at most 3600 s with a USB camera")));
}

// The expect block of a camera scenario is checked against a camera run's
// report: what a camera measures is there, what only a simulation fills is not.
TEST(CameraSection, ExpectFiguresOfACameraRun) {
  const LoadedScenario ok = load_camera(R"({"duration_s": 1, "device": {"usb": "046d:0825"},
      "expect": {"arrival.stalls": 0, "arrival.gaps": 0, "frames.dropped.by_reason.starvation": 0,
                 "usb.transfers.failed": 0, "realtime.stopped_by": "end"}})");
  ASSERT_THAT(ok.errors, IsEmpty());
  EXPECT_THAT(check_expect_figures(*ok.scenario), IsEmpty());
  const LoadedScenario bad = load_camera(R"({"duration_s": 1, "device": {"usb": "046d:0825"},
      "expect": {"host.completions": 5, "virtual_time_s": 1, "frames.corrupt": 0}})");
  ASSERT_THAT(bad.errors, IsEmpty());
  std::vector<std::string> problems;
  for (const ScenarioError& e : check_expect_figures(*bad.scenario))
    problems.push_back(e.to_string());
  EXPECT_THAT(problems, ElementsAre(HasSubstr("at /expect/frames.corrupt"),
                                    HasSubstr("at /expect/host.completions"),
                                    HasSubstr("at /expect/virtual_time_s")));
}

}  // namespace
}  // namespace hilcap::sim
