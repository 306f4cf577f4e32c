// `hilcap run` on a scenario whose device is a camera ("device": {"usb":
// ...}), against the device model served as a UVC camera under umockdev:
// the scenario's clients, script and expectations run against the camera
// through the KS pin; an unmet expectation fails the run (exit 1) naming it;
// the report holds what a camera run has (and none of what only a simulation
// fills); the trace is on the wall clock; an unplug or a camera that is not
// there is said plainly.
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "cli_run.h"
#include "source_fixture.h"

namespace hilcap::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
namespace fs = std::filesystem;
using Json = nlohmann::json;

class CameraRun : public SourceTest {
 protected:
  void SetUp() override {
    SourceTest::SetUp();
    dir_ = fs::temp_directory_path() /
           fmt::format("hilcap-camera-run-{}-{}", ::getpid(),
                       ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
    SourceTest::TearDown();
  }
  fs::path write(const std::string& name, const Json& scenario) {
    std::ofstream(dir_ / name) << scenario.dump(2);
    return dir_ / name;
  }
  fs::path path(const std::string& name) const { return dir_ / name; }
  static Json read(const fs::path& file) { return Json::parse(std::ifstream(file)); }

  // The bulk model camera, 160x120 YUY2 at 30 fps, paced on the wall clock.
  ModelUvcDevice& plug_camera(device::DeviceConfig config = model_config()) {
    return add_model_device(config, presentation(true), device::uvc::Pacing::kRealTime);
  }

  // A client, a script that takes a frame, pauses and resumes the pin and
  // reads its counters, and expectations a camera meets. A machine running the
  // ASan suites at once delayed a steady camera's frames, and its clients, by
  // over 100 ms; so a stall is a gap of over five intervals (167 ms), not the
  // default three, the script's ALLOC has 190 ms to be served before its FREE,
  // and the pool has 8 frames: with 4, three frames ready for a client that
  // had not run yet and the pinned one left none for the camera (a starvation
  // drop where the script expects DropCount 0).
  static Json camera_scenario() {
    return Json::parse(R"({
      "duration_s": 0.6,
      "device": {"usb": "cafe:4011", "format": "YUY2", "size": "160x120", "fps": 30,
                 "stall_intervals": 5},
      "allocator": {"frames": 8},
      "clients": [{"name": "viewer", "hold": 2}],
      "script": [
        {"at_ms": 100, "do": "alloc", "client": "pinned", "id": "a"},
        {"at_ms": 290, "do": "free", "client": "pinned", "frame_of": "a",
         "expect": {"status": "STATUS_SUCCESS"}},
        {"at_ms": 300, "do": "set_state", "state": "pause", "expect": {"status": "STATUS_SUCCESS"}},
        {"at_ms": 350, "do": "set_state", "state": "run", "expect": {"status": "STATUS_SUCCESS"}},
        {"at_ms": 500, "do": "dropped_frames", "expect": {"drop_count": 0}}
      ],
      "expect": {"frames.received": {"min": 5}, "script.expectations_failed": 0,
                 "device.state_at_end": "RUN", "realtime.stopped_by": "end"}
    })");
  }

  fs::path dir_;
};

// The scenario's clients, script and expectations run against the camera
// through the KS pin; the report is a camera run's: no simulation-only
// figure, the camera's timing at the host, the USB counters.
TEST_F(CameraRun, ScriptAndExpectationsRunAgainstTheCamera) {
  plug_camera();
  const fs::path scenario = write("camera.json", camera_scenario());
  const CliRun run = run_hilcap(
      {"run", scenario.string(), "--report", path("report.json").string(), "--no-wall-time"});
  ASSERT_EQ(run.status, 0) << run.out << run.err;
  EXPECT_THAT(run.err, HasSubstr("stream     YUY2 160x120 at 30 fps"));
  EXPECT_THAT(run.out, HasSubstr("expectations: all 4 met"));
  const Json r = read(path("report.json"));
  EXPECT_EQ(r["script"]["steps_run"], 5);
  EXPECT_EQ(r["clients"]["pinned"]["frees"], 1);
  EXPECT_EQ(r["script"]["expectations_failed"], 0);
  EXPECT_GE(r["frames"]["received"].get<std::uint64_t>(), 5u);
  // What only a simulation fills is left out, not written as 0.
  for (const char* simulated : {"virtual_time_s", "host"})
    EXPECT_FALSE(r.contains(simulated)) << simulated;
  EXPECT_FALSE(r["device"].contains("interrupts"));
  EXPECT_FALSE(r["device"].contains("faults"));
  EXPECT_FALSE(r["frames"].contains("corrupt"));
  EXPECT_FALSE(r["frames"]["dropped"]["by_reason"].contains("scheduled"));
  // What a camera run has, with the simulator's keys where the meaning is the same.
  EXPECT_TRUE(r["frames"]["dropped"]["by_reason"].contains("starvation"));
  EXPECT_EQ(r["device"]["connected_at_end"], true);
  EXPECT_GT(r["arrival"]["interval_us"]["count"].get<std::uint64_t>(), 3u);
  EXPECT_NEAR(r["arrival"]["interval_us"]["p50"].get<double>(), 33333.0, 5000.0);
  EXPECT_TRUE(r["arrival"].contains("jitter_us"));
  EXPECT_TRUE(r["arrival"].contains("latency_us"));
  EXPECT_EQ(r["arrival"]["stalls"], 0);
  EXPECT_GT(r["usb"]["transfers"]["submitted"].get<std::uint64_t>(), 0u);
  EXPECT_GT(r["realtime"]["elapsed_s"].get<double>(), 0.5);
  EXPECT_EQ(r["requests"]["pending_at_end"], r["realtime"]["cancelled_at_stop"]);
}

// An expectation the camera does not meet fails the run with exit status 1,
// naming the expectation; so does a script step's.
TEST_F(CameraRun, UnmetExpectationFailsNamingIt) {
  plug_camera();
  Json scenario = camera_scenario();
  scenario["expect"]["frames.dropped.total"] = 5;
  scenario["script"][4]["expect"] = {{"picture_number", 100000}};
  const CliRun run = run_hilcap({"run", write("unmet.json", scenario).string()});
  EXPECT_EQ(run.status, 1);
  EXPECT_THAT(run.out,
              HasSubstr("expectation not met: frames.dropped.total: expected exactly 5, found 0"));
  EXPECT_THAT(run.out, HasSubstr("step expectation not met: /script/4 (dropped_frames at 500 ms): "
                                 "expected PictureNumber 100000"));
}

// hilcap capture --scenario runs the scenario's script and expectations too
// (it ignored them): an unmet expectation is exit status 1 with its message.
TEST_F(CameraRun, CaptureChecksTheScenariosExpectations) {
  plug_camera();
  Json scenario = camera_scenario();
  scenario["device"] = {{"format", "YUY2"}, {"width", 160}, {"height", 120}};  // the simulated one
  scenario["expect"] = {{"frames.received", {{"max", 1}}}};
  const CliRun run = run_hilcap(
      {"capture", "--device", "cafe:4011", "--scenario", write("capture.json", scenario).string()});
  EXPECT_EQ(run.status, 1) << run.out << run.err;
  EXPECT_THAT(run.out, HasSubstr("expectation not met: frames.received"));
  EXPECT_THAT(run.err, HasSubstr("the scenario's simulated device does not apply"));
}

// --trace works on a camera run: on the wall clock (said so), with the pin's
// states, the camera's frames, pended ALLOCs in the allocator counter, and
// client events that name the frame and how long it was held.
TEST_F(CameraRun, TraceIsOnTheWallClock) {
  plug_camera();
  const fs::path trace = path("trace.json");
  Json scenario = camera_scenario();
  scenario["clients"][0]["outstanding"] = 2;
  // With the viewer's two requests outstanding, "a" waited 150 ms and more on a loaded machine:
  // its FREE may find no frame yet, which this test of the trace does not judge.
  scenario["script"][1].erase("expect");
  const CliRun run =
      run_hilcap({"run", write("traced.json", scenario).string(), "--trace", trace.string()});
  ASSERT_EQ(run.status, 0) << run.out << run.err;
  const Json t = read(trace);
  EXPECT_EQ(t["otherData"]["clock"], "wall");
  std::set<std::string> names;
  bool pended_shown = false;
  bool hold_named = false;
  for (const Json& e : t["traceEvents"]) {
    const std::string name = e.value("name", "");
    names.insert(name);
    if (name == "frames" && e["args"]["pending_allocs"].get<std::uint64_t>() > 0)
      pended_shown = true;
    if (name == "FREE" && e["args"].contains("held_ns") && e["args"]["frame"].get<int>() > 0)
      hold_named = true;
  }
  for (const char* name : {"frame", "PAUSE", "RUN", "ALLOC pending", "holds a frame"})
    EXPECT_TRUE(names.contains(name)) << name;
  EXPECT_TRUE(pended_shown);
  EXPECT_TRUE(hold_named);
}

// A camera that stops sending for longer than stall_intervals frame
// intervals: the stall is counted as such, with the frames it cost.
TEST_F(CameraRun, CameraStallIsCounted) {
  device::DeviceConfig config = model_config();
  config.timing.stalls.push_back(
      {.start = device::AtFrame{6}, .duration_ns = 250'000'000});  // 7.5 intervals
  plug_camera(config);
  Json scenario = camera_scenario();
  scenario.erase("script");
  scenario["expect"] = {{"arrival.stalls", 1}};
  scenario["duration_s"] = 0.8;
  const CliRun run = run_hilcap(
      {"run", write("stall.json", scenario).string(), "--report", path("report.json").string()});
  EXPECT_EQ(run.status, 0) << run.out << run.err;
  const Json r = read(path("report.json"));
  EXPECT_EQ(r["arrival"]["stalls"], 1);
  EXPECT_GE(r["arrival"]["gaps"].get<std::uint64_t>(), 1u);
  EXPECT_GE(r["arrival"]["missing_frames"].get<std::uint64_t>(), 6u);
  EXPECT_GE(r["arrival"]["longest_gap_ms"].get<double>(), 250.0);
}

// The camera leaves the bus during the run: the run stops saying so (exit
// status 1), every pending ALLOC ended, and the report is still written.
TEST_F(CameraRun, UnplugStopsTheRunWithTheReport) {
  ModelUvcDevice& device = plug_camera();
  std::atomic<bool> done{false};
  std::thread unplugger([&] {
    while (!done && device.frame_stats().frames_sent < 6)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    if (!done) device.usb().unplug();
  });
  Json scenario = camera_scenario();
  scenario.erase("script");
  scenario.erase("expect");
  scenario["duration_s"] = 30;
  const CliRun run = run_hilcap(
      {"run", write("unplug.json", scenario).string(), "--report", path("report.json").string()});
  done = true;
  unplugger.join();
  EXPECT_EQ(run.status, 1);
  EXPECT_THAT(run.err, HasSubstr("left the bus"));
  EXPECT_THAT(run.err, HasSubstr("STATUS_DEVICE_NOT_CONNECTED"));
  const Json r = read(path("report.json"));
  EXPECT_EQ(r["device"]["connected_at_end"], false);
  EXPECT_EQ(r["realtime"]["stopped_by"], "device_gone");
  EXPECT_LT(r["realtime"]["elapsed_s"].get<double>(), 30.0);
  EXPECT_EQ(r["requests"]["pended"].get<std::uint64_t>(),
            r["requests"]["completed"].get<std::uint64_t>() +
                r["requests"]["cancelled"].get<std::uint64_t>() +
                r["requests"]["failed"].get<std::uint64_t>() +
                r["requests"]["pending_at_end"].get<std::uint64_t>());
}

// A scenario naming a camera that is not plugged in: exit status 2 (the
// environment, not the scenario), with what is present.
TEST_F(CameraRun, MissingCameraIsSaidPlainly) {
  plug_camera();
  Json scenario = camera_scenario();
  scenario["device"]["usb"] = "cafe:9999";
  const CliRun run = run_hilcap({"run", write("missing.json", scenario).string()});
  EXPECT_EQ(run.status, 2);
  EXPECT_THAT(run.err, HasSubstr("hilcap run: no USB device cafe:9999"));
  EXPECT_THAT(run.err, HasSubstr("cafe:4011"));
  EXPECT_THAT(run.out, Not(HasSubstr("figure")));
}

// The camera by its serial number and by its place on the bus.
TEST_F(CameraRun, CameraBySerialOrPlace) {
  plug_camera();
  for (const char* usb : {"#MODEL-1", "@1:2", "cafe:4011#MODEL-1"}) {
    Json scenario = camera_scenario();
    scenario.erase("script");
    scenario["expect"] = {{"frames.received", {{"min", 1}}}};
    scenario["duration_s"] = 0.3;
    scenario["device"]["usb"] = usb;
    const CliRun run = run_hilcap({"run", write("by.json", scenario).string()});
    EXPECT_EQ(run.status, 0) << usb << "\n" << run.err;
  }
  Json scenario = camera_scenario();
  scenario["device"]["usb"] = "#NOT-THIS-ONE";
  const CliRun run = run_hilcap({"run", write("other.json", scenario).string()});
  EXPECT_EQ(run.status, 2);
  EXPECT_THAT(run.err, HasSubstr("no USB device #NOT-THIS-ONE"));
}

}  // namespace
}  // namespace hilcap::testing
