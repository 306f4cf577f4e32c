// The scenario contract: one body of tests over both backends of the capture
// pin (DPDK's app/test/test_ring_stress_impl.h is the shape: one test body,
// instantiated once per implementation). A regression scenario of
// tests/scenarios runs through `hilcap run`
//   - on the model backend: the scenario as written (the device model behind
//     the DMA ring, virtual time);
//   - on the camera backend: the scenario's device model plugged as a UVC
//     camera under umockdev, exactly as `hilcap-fake-cameras --scenario FILE`
//     plugs it (make_scenario_camera: format, size, fps, MJPEG or not, bulk
//     or iso, timing, faults, UVC-level faults), and the same scenario with
//     its "device" section naming that camera ("device": {"usb": VID:PID}),
//     on the wall clock, through libusb and the camera backend;
// with the same clients, script and expectations, and both must meet them;
// an expectation that is not met fails the run with exit status 1 naming it,
// on either backend.
//
// Only scenarios that do not need simulator internals are in the contract
// (kContractScenarios); kModelOnlyScenarios says, for every other regression
// scenario, which internal it needs. A new scenario in tests/scenarios must
// be listed in one of the two (EveryRegressionScenarioIsClassified).
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "cli_run.h"
#include "scenario/scenario_loader.h"
#include "serve/scenario_camera.h"
#include "source_fixture.h"

#ifndef HILCAP_SCENARIOS_DIR
#error "HILCAP_SCENARIOS_DIR: the tests/scenarios folder"
#endif

namespace hilcap::testing {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;
using Json = nlohmann::json;

// Regression scenarios whose expectations hold on both backends.
constexpr const char* kContractScenarios[] = {
    "camera_contract_faults.json",
    "camera_contract_script.json",
    "camera_contract_states.json",
    "close_mid_run.json",
};

// Regression scenarios that need the simulator: what each needs that a camera
// run cannot give.
struct ModelOnly {
  const char* file;
  const char* needs;
};
constexpr ModelOnly kModelOnlyScenarios[] = {
    {"bursts.json",
     "a device that sends five 640x480 frames 1 ms apart: a USB camera cannot (one such "
     "frame takes longer than 1 ms on a high-speed bus), it drops them late (268 of 300 "
     "delivered)"},
    {"cancel_storm.json",
     "exact 1 ms client thinking and 5 ms cancels on the virtual clock (on the wall clock: "
     "1092 pended, not 1336)"},
    {"every_fault.json",
     "the device's fault counters (device.faults.*) and frames.corrupt, figures a camera "
     "run does not have (the run refuses the expect block)"},
    {"fractional_rate.json", "exact frame counts over 60 s of virtual time"},
    {"interval_rounding.json", "exact frame counts over 10 s of virtual time"},
    {"pending_window.json",
     "completion times exact to the microsecond against the device's frame grid (40 ms, "
     "23.333 ms; a camera's frames arrive on its own clock: 52.9 ms, 29.8 ms)"},
    {"replay.json",
     "its device as written (640x480 YUY2 at the replayed intervals) does not fit "
     "isochronous transfers (5773 bytes per service interval, at most 3072: "
     "hilcap-fake-cameras refuses it at /device/format), and exact per-frame counts"},
    {"stall.json",
     "drops counted with reason stall at the device (frames.dropped.by_reason.stall); a "
     "camera's stall is a gap seen at the host (arrival.stalls)"},
    {"starvation_no_client.json", "the device ring's depth (ring_depth) and frames due"},
    {"state_cycling.json",
     "a frame due at the very instant of a state change (frame 3 and PAUSE at 100 ms): on "
     "the wall clock it lands on either side (PictureNumber 2, not 3)"},
    {"steady_30fps_fast_consumer.json", "an exact pending latency of 33333.333 us"},
    {"steady_30fps_paced.json", "the simulated host's interrupt count (host.interrupts_serviced)"},
};

enum class RunBackend { kModel, kCamera };

const char* run_backend_name(RunBackend b) {
  return b == RunBackend::kModel ? "model" : "camera";
}

struct ContractRun {
  CliRun cli;
  Json report;
};

// One test body over both backends.
class ScenarioContract : public SourceTest {
 protected:
  void SetUp() override {
    SourceTest::SetUp();
    dir_ = fs::temp_directory_path() /
           fmt::format("hilcap-contract-{}-{}", ::getpid(),
                       ::testing::UnitTest::GetInstance()->current_test_info()->line());
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
    SourceTest::TearDown();
  }

  static fs::path scenario_path(const std::string& name) {
    return fs::path(HILCAP_SCENARIOS_DIR) / name;
  }
  static Json read(const fs::path& file) { return Json::parse(std::ifstream(file)); }

  // Runs `scenario` (a file with a simulated device; `doc` its text, maybe
  // changed) on `backend` through `hilcap run`, returning what it said and
  // its report. (Written to a folder of the test's own: a contract scenario
  // names no file relative to itself.)
  ContractRun run(RunBackend backend, const fs::path& scenario, Json doc) {
    const fs::path report = dir_ / fmt::format("{}-report.json", run_backend_name(backend));
    const fs::path file =
        dir_ / fmt::format("{}-{}", run_backend_name(backend), scenario.filename().string());
    if (backend == RunBackend::kCamera) {
      const std::string usb = plug_camera(scenario);
      if (usb.empty()) return {};
      doc["device"] = Json{{"usb", usb}};
    }
    std::ofstream(file) << doc.dump(2);
    ContractRun r;
    r.cli = run_hilcap({"run", file.string(), "--report", report.string()});
    if (fs::exists(report)) r.report = read(report);
    return r;
  }

  // The scenario's device model plugged as a camera, as hilcap-fake-cameras
  // --scenario does; its VID:PID, or empty after a test failure.
  std::string plug_camera(const fs::path& scenario) {
    sim::LoadedScenario loaded = sim::load_scenario(scenario);
    if (!loaded.scenario) {
      ADD_FAILURE() << loaded.errors.front().to_string();
      return {};
    }
    sim::ScenarioCamera made = sim::make_scenario_camera(*loaded.scenario);
    if (!made.camera) {
      ADD_FAILURE() << made.errors.front();
      return {};
    }
    const device::uvc::UvcPresentation& shown = made.camera->presentation();
    const std::string usb = fmt::format("{:04x}:{:04x}", shown.vendor_id, shown.product_id);
    model_devices_.push_back(
        std::make_unique<ModelUvcDevice>(*testbed_, std::move(made.camera), UsbBusAddress{1, 2}));
    std::string error;
    if (!model_devices_.back()->usb().plug(error)) {
      ADD_FAILURE() << "plug: " << error;
      return {};
    }
    return usb;
  }

  fs::path dir_;
};

class ScenarioContractOverBackends
    : public ScenarioContract,
      public ::testing::WithParamInterface<std::tuple<RunBackend, const char*>> {
 protected:
  RunBackend backend() const { return std::get<0>(GetParam()); }
  fs::path scenario() const { return scenario_path(std::get<1>(GetParam())); }
};

// The scenario's clients, script and expectations hold on this backend:
// exit status 0, every expectation and script step met. And the
// allocator's books balance whichever backend fed the pin: every pended
// request ended (completed, cancelled, failed) or is pending at the end,
// and no client received a frame the pin did not hand out.
TEST_P(ScenarioContractOverBackends, ExpectationsHold) {
  const ContractRun r = run(backend(), scenario(), read(scenario()));
  EXPECT_EQ(r.cli.status, 0) << r.cli.out << r.cli.err;
  EXPECT_THAT(r.cli.out, HasSubstr("expectations: all"));
  EXPECT_THAT(r.cli.out, ::testing::Not(HasSubstr("not met")));
  ASSERT_TRUE(r.report.is_object()) << r.cli.err;
  const Json& q = r.report["requests"];
  EXPECT_EQ(q["pended"].get<std::uint64_t>(),
            q["completed"].get<std::uint64_t>() + q["cancelled"].get<std::uint64_t>() +
                q["failed"].get<std::uint64_t>() + q["pending_at_end"].get<std::uint64_t>());
  EXPECT_LE(r.report["frames"]["received"].get<std::uint64_t>(),
            r.report["frames"]["delivered"].get<std::uint64_t>() +
                r.report["frames"]["returned_unfilled"].get<std::uint64_t>());
}

// One expectation the run cannot meet (more frames than the run can hold):
// exit status 1, naming it, on either backend; the others are still checked.
TEST_P(ScenarioContractOverBackends, UnmetExpectationFailsNamingIt) {
  Json doc = read(scenario());
  doc["expect"]["frames.received"] = Json{{"min", 1000000}};
  const ContractRun r = run(backend(), scenario(), doc);
  EXPECT_EQ(r.cli.status, 1) << r.cli.out << r.cli.err;
  EXPECT_THAT(r.cli.out, HasSubstr("expectation not met: frames.received: expected >= 1000000"))
      << r.cli.err;
}

INSTANTIATE_TEST_SUITE_P(
    BothBackends, ScenarioContractOverBackends,
    ::testing::Combine(::testing::Values(RunBackend::kModel, RunBackend::kCamera),
                       ::testing::ValuesIn(kContractScenarios)),
    [](const ::testing::TestParamInfo<std::tuple<RunBackend, const char*>>& param) {
      std::string name = fmt::format("{}_{}", run_backend_name(std::get<0>(param.param)),
                                     fs::path(std::get<1>(param.param)).stem().string());
      for (char& c : name)
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
      return name;
    });

// Every regression scenario is either in the contract or says which
// simulator internal it needs: a new scenario is not silently left out.
TEST(ScenarioContractList, EveryRegressionScenarioIsClassified) {
  std::set<std::string> listed;
  for (const char* f : kContractScenarios)
    listed.insert(f);
  for (const ModelOnly& m : kModelOnlyScenarios)
    EXPECT_TRUE(listed.insert(m.file).second) << m.file << " is listed twice";
  for (const fs::directory_entry& e : fs::directory_iterator(HILCAP_SCENARIOS_DIR)) {
    if (e.path().extension() != ".json") continue;
    const std::string name = e.path().filename().string();
    EXPECT_TRUE(listed.contains(name))
        << name << ": add it to kContractScenarios or kModelOnlyScenarios";
  }
  for (const std::string& name : listed)
    EXPECT_TRUE(fs::exists(fs::path(HILCAP_SCENARIOS_DIR) / name)) << name;
}

}  // namespace
}  // namespace hilcap::testing
