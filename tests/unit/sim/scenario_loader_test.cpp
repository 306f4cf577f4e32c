#include "scenario/scenario_loader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <variant>

#include "runner/run_report.h"
#include "scenario/device_section.h"
#include "scenario/run_limits.h"
#include "scenario/status_names.h"

namespace hilcap::sim {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// Files a scenario may name, served from memory.
FileReader memory_files(std::map<std::string, std::string> files) {
  return [files = std::move(files)](const std::filesystem::path& path,
                                    std::string& error) -> std::optional<std::string> {
    const auto it = files.find(path.filename().string());
    if (it == files.end()) {
      error = "No such file or directory";
      return std::nullopt;
    }
    return it->second;
  };
}

LoadedScenario load(const std::string& text, std::map<std::string, std::string> files = {},
                    const LoadOptions& options = {}) {
  return parse_scenario(text, "s.json", "dir", memory_files(std::move(files)), options);
}

std::vector<std::string> messages(const std::string& text,
                                  std::map<std::string, std::string> files = {},
                                  const LoadOptions& options = {}) {
  std::vector<std::string> out;
  for (const auto& e : load(text, std::move(files), options).errors)
    out.push_back(e.to_string());
  return out;
}

// What `hilcap validate` and `run` check: everything, the expect block's figures included.
const LoadOptions kAsValidate{.expect_figures = check_expect_figures};

const Scenario& loaded(const LoadedScenario& result) {
  EXPECT_THAT(result.errors, IsEmpty());
  if (!result.scenario) throw std::runtime_error("scenario did not load");
  return *result.scenario;
}

// A scenario with only a duration gets the documented defaults.
TEST(ScenarioLoader, MinimalScenarioGetsDefaults) {
  const auto result = load(R"({"duration_s": 2})");
  const Scenario& s = loaded(result);
  EXPECT_EQ(s.seed, 1u);
  EXPECT_EQ(s.duration_ns, 2'000'000'000);
  EXPECT_EQ(s.device.format.width, 640u);
  EXPECT_EQ(s.device.format.pixel_format, device::PixelFormat::kYuy2);
  ASSERT_TRUE(std::holds_alternative<device::FrameRate>(s.device.timing.cadence));
  EXPECT_EQ(std::get<device::FrameRate>(s.device.timing.cadence).num, 30u);
  EXPECT_EQ(s.framing.Frames, 8u);  // the ring depth
  EXPECT_EQ(s.framing.FrameSize, 640u * 480 * 2);
  EXPECT_EQ(s.framing.FileAlignment, 63u);
  EXPECT_EQ(s.host.initial_state, device::PinState::kRun);
  EXPECT_TRUE(s.host.verify_frames);
  EXPECT_TRUE(s.clients.empty());
  EXPECT_TRUE(s.expect.is_null());
}

// Times written in human units reach the device in exact nanoseconds.
TEST(ScenarioLoader, HumanUnitsBecomeNanoseconds) {
  const auto result = load(R"({
    "duration_s": 1.5,
    "device": {"timing": {"interval_us": 33333.5, "dma_us": 2.25, "interrupt_latency_us": 10,
                          "stalls": [{"at_ms": 100.5, "duration_ms": 50}]}},
    "host": {"dpc_latency_us": 7},
    "clients": [{"hold": 4.5, "think": {"kind": "uniform", "min_ms": 1, "max_ms": 2},
                 "cancel_after_ms": 3, "start_at_ms": 0.25}]
  })");
  const Scenario& s = loaded(result);
  EXPECT_EQ(s.duration_ns, 1'500'000'000);
  EXPECT_EQ(std::get<device::FrameInterval>(s.device.timing.cadence).ns, 33'333'500);
  EXPECT_EQ(s.device.timing.dma_ns, 2'250);
  EXPECT_EQ(s.device.timing.interrupt_latency_ns, 10'000);
  ASSERT_EQ(s.device.timing.stalls.size(), 1u);
  EXPECT_EQ(std::get<device::AtTime>(s.device.timing.stalls[0].start).time_ns, 100'500'000);
  EXPECT_EQ(s.device.timing.stalls[0].duration_ns, 50'000'000);
  EXPECT_EQ(s.host.dpc_latency_ns, 7'000);
  ASSERT_EQ(s.clients.size(), 1u);
  EXPECT_EQ(s.clients[0].name, "client0");
  EXPECT_EQ(s.clients[0].hold.fixed_ns, 4'500'000);
  EXPECT_EQ(s.clients[0].think.kind, DurationSpec::Kind::kUniform);
  EXPECT_EQ(s.clients[0].think.max_ns, 2'000'000);
  EXPECT_EQ(s.clients[0].cancel_after_ns, 3'000'000);
  EXPECT_EQ(s.clients[0].start_at_ns, 250'000);
}

// fps may be an exact ratio as a string or a decimal number.
TEST(ScenarioLoader, FrameRatesAsRatioOrDecimal) {
  auto rate = [](const std::string& fps) {
    const auto result = load(R"({"duration_s": 1, "device": {"timing": {"fps": )" + fps + "}}}");
    const Scenario& s = loaded(result);
    const auto r = std::get<device::FrameRate>(s.device.timing.cadence);
    return std::pair{r.num, r.den};
  };
  EXPECT_EQ(rate(R"("30000/1001")"), std::pair(30000u, 1001u));
  EXPECT_EQ(rate(R"("60")"), std::pair(60u, 1u));
  EXPECT_EQ(rate("29.97"), std::pair(2997u, 100u));
  EXPECT_EQ(rate("25"), std::pair(25u, 1u));
  EXPECT_THAT(messages(R"({"duration_s": 1, "device": {"timing": {"fps": 29.9700001}}})"),
              ElementsAre(HasSubstr("at /device/timing/fps: expected a frame rate with at most 6 "
                                    "decimals")));
}

// An unknown key is named with the closest known one.
// Issue 14 sweeps vary /clients/0/hold_ms (the issue's own example): the
// fixed-time spelling of hold (and think) is read as the number form is,
// and a client giving both spellings is told so at the second.
TEST(ScenarioLoader, HoldMsIsAFixedHold) {
  const auto result = load(R"({"duration_s": 1,
    "clients": [{"hold_ms": 40, "think_ms": 2.5}, {"hold": 40}]})");
  const Scenario& s = loaded(result);
  ASSERT_EQ(s.clients.size(), 2u);
  EXPECT_EQ(s.clients[0].hold.kind, DurationSpec::Kind::kFixed);
  EXPECT_EQ(s.clients[0].hold.fixed_ns, 40'000'000);
  EXPECT_EQ(s.clients[0].hold.fixed_ns, s.clients[1].hold.fixed_ns);
  EXPECT_EQ(s.clients[0].think.fixed_ns, 2'500'000);
  EXPECT_THAT(
      messages(R"({"duration_s": 1, "clients": [{"hold": 5, "hold_ms": 40}]})"),
      ElementsAre(HasSubstr(
          R"(s.json: at /clients/0/hold_ms: expected either "hold" or "hold_ms", not both)")));
  EXPECT_THAT(messages(R"({"duration_s": 1, "clients": [{"hold_ms": -1}]})"),
              ElementsAre(HasSubstr("at /clients/0/hold_ms")));
}

TEST(ScenarioLoader, UnknownKeyIsAnErrorWithDidYouMean) {
  EXPECT_THAT(messages(R"({"duration_s": 1, "device": {"timming": {}}})"),
              ElementsAre(HasSubstr(
                  R"(s.json: at /device/timming: expected one of the known properties)")));
  EXPECT_THAT(
      messages(R"({"duration_s": 1, "device": {"timming": {}}})"),
      ElementsAre(HasSubstr(R"(found an unknown property "timming" (did you mean "timing"?))")));
}

// Every problem is reported at once, each at its own JSON pointer, in the
// order the file reads (device before clients here, although "clients"
// sorts first by name).
TEST(ScenarioLoader, ReportsEveryProblemAtOnce) {
  EXPECT_THAT(
      messages(R"({"duration_s": 1,
                   "device": {"timing": {"fps": 30, "interval_us": 100}},
                   "clients": [{"overlapped": false}]})"),
      ElementsAre(
          R"(s.json: at /device/timing/interval_us: expected only one of "fps", "interval_us", "replay" ("fps" is already given), found 100)",
          HasSubstr("at /clients/0/overlapped: expected true in virtual time (nothing may block "
                    "there")));
}

// The device's own validation errors come back at the JSON pointer the user
// wrote, in the user's units next to the device's ns.
TEST(ScenarioLoader, DeviceErrorsMapToJsonPointers) {
  EXPECT_THAT(messages(R"({"duration_s": 1, "device": {"timing": {"fps": 30,
                   "bursts": [{"at_frame": 3, "count": 4, "interval_us": 40000}]}}})"),
              ElementsAre("s.json: at /device/timing/bursts/0/interval_us: expected 1..33333332 ns "
                          "(shorter than the frame interval), found 40000 (= 40000000 ns)"));
  EXPECT_THAT(messages(R"({"duration_s": 1, "device": {"format": "NV12", "width": 641}})"),
              ElementsAre("s.json: at /device/width: expected an even width for NV12, found 641"));
  // A value that rounds to nothing in ns is shown as the file spells it
  // (FieldError carries the device's ns; the loader puts the file's value first).
  EXPECT_THAT(messages(R"({"duration_s": 1, "device": {"faults": [
                   {"at_ms": 1, "kind": "stall", "duration_ms": 0.0000001}]}})"),
              ElementsAre("s.json: at /device/faults/0/duration_ms: expected a stall duration of "
                          "1..1000000000000000 ns, found 1e-07 (= 0 ns)"));
}

// Faults need exactly one trigger and exactly the parameters of their kind.
TEST(ScenarioLoader, FaultTriggersAndParameters) {
  EXPECT_THAT(messages(R"({"duration_s": 1, "device": {"faults": [
                 {"kind": "short", "at_frame": 2, "at_ms": 5},
                 {"kind": "stall", "probability": 0.1},
                 {"kind": "error", "duration_ms": 3}]}})"),
              ElementsAre(HasSubstr("at /device/faults/0: expected the property \"bytes\" for a "
                                    "fault of kind \"short\""),
                          HasSubstr("at /device/faults/0/at_ms: expected only one of "),
                          HasSubstr("at /device/faults/1: expected the property \"duration_ms\""),
                          HasSubstr("at /device/faults/2: expected one of the properties "
                                    "\"at_frame\", \"at_ms\", \"probability\""),
                          HasSubstr("at /device/faults/2/duration_ms: expected no \"duration_ms\" "
                                    "for a fault of kind \"error\", found 3")));
}

// A replay file is read relative to the scenario and parse errors point at it.
TEST(ScenarioLoader, ReplayFileIsReadAndChecked) {
  const auto result = load(R"({"duration_s": 1, "device": {"timing": {"replay": "t.txt"}}})",
                           {{"t.txt", "0us\n33ms\n66ms 1000\n"}});
  const Scenario& s = loaded(result);
  const auto& recording = std::get<device::TimingRecording>(s.device.timing.cadence);
  ASSERT_EQ(recording.frames.size(), 3u);
  EXPECT_EQ(recording.frames[2].bytes, 1000u);

  EXPECT_THAT(messages(R"({"duration_s": 1, "device": {"timing": {"replay": "missing.txt"}}})"),
              ElementsAre(HasSubstr("at /device/timing/replay: expected a readable timing "
                                    "recording, found \"missing.txt\" (dir/missing.txt: No such")));
  EXPECT_THAT(messages(R"({"duration_s": 1, "device": {"timing": {"replay": "bad.txt"}}})",
                       {{"bad.txt", "0us\nabc\n"}}),
              ElementsAre(HasSubstr("at /device/timing/replay: expected a time with a unit")));
}

// Blocking clients cannot exist in virtual time, and the message says why.
TEST(ScenarioLoader, NonOverlappedClientIsRejected) {
  EXPECT_THAT(messages(R"({"duration_s": 1, "clients": [{"name": "c", "overlapped": false}]})"),
              ElementsAre("s.json: at /clients/0/overlapped: expected true in virtual time "
                          "(nothing may block there: a blocking DeviceIoControl would stop the "
                          "only thread, and with it the device that would complete it), found "
                          "false"));
}

// count expands into numbered clients; names must stay unique.
TEST(ScenarioLoader, ClientCountExpandsAndNamesAreUnique) {
  const auto result = load(R"({"duration_s": 1, "clients": [
      {"name": "reader", "count": 3, "outstanding": 2}, {"name": "slow"}]})");
  const Scenario& s = loaded(result);
  ASSERT_EQ(s.clients.size(), 4u);
  EXPECT_EQ(s.clients[0].name, "reader-1");
  EXPECT_EQ(s.clients[2].name, "reader-3");
  EXPECT_EQ(s.clients[2].outstanding, 2u);
  EXPECT_EQ(s.clients[3].name, "slow");
  EXPECT_NE(s.clients[0].seed, s.clients[1].seed);

  EXPECT_THAT(messages(R"({"duration_s": 1, "clients": [{"name": "a"}, {"name": "a"}]})"),
              ElementsAre(HasSubstr("at /clients/1/name: expected client names that are unique")));
}

// Duration distributions need the parameters of their kind, and only those.
TEST(ScenarioLoader, DurationDistributionsAreChecked) {
  EXPECT_THAT(messages(R"({"duration_s": 1, "clients": [
                 {"hold": {"kind": "uniform", "min_ms": 5, "max_ms": 2}},
                 {"think": {"kind": "fixed", "ms": 1, "sigma_ms": 2}},
                 {"hold": {"kind": "normal", "mean_ms": 3}}]})"),
              ElementsAre(HasSubstr("at /clients/0/hold/max_ms: expected a value >= min_ms (5), "
                                    "found 2"),
                          HasSubstr("at /clients/1/think/sigma_ms: expected no \"sigma_ms\" for a "
                                    "duration of kind \"fixed\""),
                          HasSubstr("at /clients/2/hold: expected the property \"sigma_ms\"")));
}

// Script steps become typed steps, acting through scripted clients.
TEST(ScenarioLoader, ScriptStepsAndScriptedClients) {
  const auto result = load(R"({"duration_s": 1,
    "clients": [{"name": "model"}],
    "script": [
      {"at_ms": 10, "do": "alloc", "id": "a1", "expect": {"status": "STATUS_PENDING",
        "completes": {"status": "STATUS_SUCCESS", "after_ms": {"min": 30, "max": 34}}}},
      {"at_ms": 50, "do": "free", "client": "other", "frame_of": "a1"},
      {"at_ms": 60, "do": "set_state", "state": "pause"},
      {"at_ms": 70, "do": "inject_fault", "fault": {"kind": "stall", "duration_ms": 5}},
      {"at_ms": 80, "do": "dropped_frames", "expect": {"picture_number": 3, "drop_count": 0}}
    ]})");
  const Scenario& s = loaded(result);
  ASSERT_EQ(s.script.size(), 5u);
  EXPECT_EQ(s.script[0].action, ScriptStep::Action::kAlloc);
  EXPECT_EQ(s.script[0].client, "script");
  EXPECT_EQ(s.script[0].expect.status, STATUS_PENDING);
  EXPECT_TRUE(s.script[0].expect.completes);
  EXPECT_EQ(s.script[0].expect.completion_after.min_ns, 30'000'000);
  EXPECT_EQ(s.script[1].id, "a1");
  EXPECT_EQ(s.script[1].client, "other");
  EXPECT_EQ(s.script[2].state, device::PinState::kPause);
  EXPECT_EQ(s.script[3].fault.kind, device::FaultKind::kStall);
  EXPECT_EQ(s.script[3].fault.duration_ns, 5'000'000);
  EXPECT_EQ(s.script[4].expect.picture_number, 3);
  ASSERT_EQ(s.clients.size(), 3u);
  EXPECT_FALSE(s.clients[0].scripted);
  EXPECT_EQ(s.clients[1].name, "script");
  EXPECT_TRUE(s.clients[1].scripted);
  EXPECT_EQ(s.clients[2].name, "other");
}

// Script mistakes are caught before anything runs, in file order (a step's
// "id" before its "expect").
TEST(ScenarioLoader, ScriptMistakesAreErrors) {
  EXPECT_THAT(
      messages(R"({"duration_s": 1, "clients": [{"name": "model"}], "script": [
        {"at_ms": 10, "do": "alloc", "id": "a1", "client": "model"},
        {"at_ms": 5, "do": "free", "frame_of": "a2"},
        {"at_ms": 20, "do": "set_state", "state": "run", "id": "x"},
        {"at_ms": 30, "do": "cancel", "expect": {"completes": {"status": "STATUS_SUCCESS"}}},
        {"at_ms": 40, "do": "alloc", "id": "a1", "expect": {"status": "STATUS_SUCCESS",
          "completes": {"status": "STATUS_SUCCESS"}}},
        {"at_ms": 2000, "do": "close"}
      ]})"),
      ElementsAre(
          HasSubstr("at /script/0/client: expected the name of a scripted client (\"model\" is a "
                    "client model, which acts by itself), found \"model\""),
          HasSubstr("at /script/1/at_ms: expected a time >= the previous step's (10 ms)"),
          HasSubstr("at /script/1/frame_of: expected the id of an earlier alloc step, found "
                    "\"a2\""),
          HasSubstr("at /script/2/id: expected no \"id\" in a \"set_state\" step"),
          HasSubstr("at /script/3/expect/completes: expected no completion expectation except on "
                    "an alloc step"),
          HasSubstr("at /script/4/id: expected an id no earlier alloc uses (\"a1\" names the alloc "
                    "at /script/0)"),
          HasSubstr("at /script/4/expect/completes: expected no completion expectation unless the "
                    "expected status is STATUS_PENDING"),
          HasSubstr("at /script/5/at_ms: expected a time within the run (before duration_s = 1 "
                    "s), found 2000")));
}

// The allocator must hold a whole frame; its defaults follow the device.
TEST(ScenarioLoader, AllocatorFramingIsChecked) {
  const auto result = load(R"({"duration_s": 1,
    "device": {"format": "GREY", "width": 320, "height": 240, "ring_depth": 6},
    "allocator": {"frames": 6, "file_alignment": 4095}})");
  const Scenario& s = loaded(result);
  EXPECT_EQ(s.framing.Frames, 6u);
  EXPECT_EQ(s.framing.FrameSize, 320u * 240);
  EXPECT_EQ(s.framing.FileAlignment, 4095u);
  EXPECT_THAT(messages(R"({"duration_s": 1, "allocator": {"frame_size": 1000}})"),
              ElementsAre("s.json: at /allocator/frame_size: expected at least the device's frame "
                          "size (614400 bytes: 640x480 YUY2), found 1000"));
}

// --seed replaces the seed of the device and of every client, deterministically.
TEST(ScenarioLoader, ReseedChangesEverySeedDeterministically) {
  const auto result = load(R"({"duration_s": 1, "seed": 7, "clients": [{"count": 2}]})");
  Scenario s = loaded(result);
  EXPECT_EQ(s.device.seed, 7u);
  const std::uint64_t first = s.clients[0].seed;
  s.reseed(8);
  EXPECT_EQ(s.device.seed, 8u);
  EXPECT_NE(s.clients[0].seed, first);
  s.reseed(7);
  EXPECT_EQ(s.clients[0].seed, first);
}

// Status names round-trip, and Win32 errors map back to the NTSTATUS behind them.
TEST(StatusNames, NamesAndWin32Errors) {
  EXPECT_EQ(status_from_name("STATUS_CANCELLED"), STATUS_CANCELLED);
  EXPECT_FALSE(status_from_name("STATUS_NOPE"));
  EXPECT_EQ(status_name(STATUS_PENDING), "STATUS_PENDING");
  EXPECT_EQ(status_name(static_cast<NTSTATUS>(0xC0001234)), "NTSTATUS 0xC0001234");
  EXPECT_EQ(status_from_win32_error(ERROR_OPERATION_ABORTED), STATUS_CANCELLED);
  EXPECT_EQ(status_from_win32_error(ERROR_DEVICE_NOT_CONNECTED), STATUS_DEVICE_NOT_CONNECTED);
  EXPECT_EQ(status_from_win32_error(ERROR_INVALID_HANDLE), STATUS_INVALID_HANDLE);
}

// A file that cannot be read is reported, not thrown.
TEST(ScenarioLoader, UnreadableFile) {
  const auto result = load_scenario("/nonexistent/dir/s.json");
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_THAT(result.errors[0].to_string(), HasSubstr("/nonexistent/dir/s.json: cannot read: "));
}

// Issue 12: a number no double can hold (the scenario fuzzer's
// "77E777eE777e,_") threw nlohmann's out_of_range.406 out of the loader:
// `capture` aborted, run / test / validate said "internal error" with no
// place. It is a located error: file, line:column and JSON pointer.
TEST(ScenarioLoader, NumberTooLargeForADoubleIsALocatedError) {
  EXPECT_THAT(messages(R"({"duration_s": 1e309})"),
              ElementsAre("s.json:1:16: at /duration_s: expected a number a double can hold (at "
                          "most 1.7976931348623157e308 in size), found 1e309"));
  EXPECT_THAT(messages("{\"duration_s\": 1,\n \"device\": {\"timing\": {\"bursts\": [{}, "
                       "{\"count\": -2e999}]}}}"),
              ElementsAre(HasSubstr("s.json:2:49: at /device/timing/bursts/1/count: expected a "
                                    "number a double can hold")));
  EXPECT_THAT(messages("77E777eE777e,_"),
              ElementsAre(HasSubstr("s.json:1:1: at the top level: expected a number a double "
                                    "can hold (at most 1.7976931348623157e308 in size), found "
                                    "77E777")));
}

// Issue 12: every rule `run` enforces is found by `validate`, at the exact
// pointer: an allocator with more frames than the device's ring was refused
// only by KsCreateAllocator at run time, naming /allocator.
TEST(ScenarioLoader, AllocatorFramesAboveTheRingDepthAtTheirPointer) {
  EXPECT_THAT(messages(R"({"duration_s": 1, "device": {"ring_depth": 4},
                           "allocator": {"frames": 5}})"),
              ElementsAre("s.json: at /allocator/frames: expected at most 4 frames, the device's "
                          "ring depth (the pin posts every frame of the pool on the device's "
                          "submission ring), found 5"));
  EXPECT_THAT(messages(R"({"duration_s": 1, "allocator": {"frames": 8}})"), IsEmpty());
}

// Issue 12: a 4 GiB pool was accepted and committed at once (4.2 GB RSS for
// a 100-byte scenario). Pools above limits.max_pool_bytes (1 GiB by
// default) are refused at the field that makes them large, naming the limit.
TEST(ScenarioLoader, PoolAboveItsLimitIsRefusedNamingTheFields) {
  EXPECT_EQ(kDefaultMaxPoolBytes, 1073741824u);
  const std::string huge = R"({"duration_s": 1, "device": {"width": 16384, "height": 16384}})";
  EXPECT_THAT(messages(huge),
              ElementsAre("s.json: at /allocator/frames: expected a pool of at most 1073741824 "
                          "bytes (the default of limits.max_pool_bytes: raise it at "
                          "/limits/max_pool_bytes, up to 4294967296); the whole pool is committed "
                          "when the allocator is created, found 8 frames of 536870912 bytes: "
                          "4294967296 bytes"));
  EXPECT_THAT(messages(R"({"duration_s": 1, "device": {"width": 16384, "height": 16384,
                                                         "ring_depth": 3}})"),
              ElementsAre(HasSubstr("at /device/ring_depth: expected a pool of at most")));
  EXPECT_THAT(messages(R"({"duration_s": 1, "device": {"width": 16384, "height": 16384},
                           "allocator": {"frames": 2}, "limits": {"max_pool_bytes": 1073741824}})"),
              IsEmpty());
  EXPECT_THAT(messages(R"({"duration_s": 1, "device": {"width": 16384, "height": 16384},
                           "allocator": {"frames": 4}, "limits": {"max_pool_bytes": 1073741824}})"),
              ElementsAre(HasSubstr("at /allocator/frames: expected a pool of at most 1073741824 "
                                    "bytes (/limits/max_pool_bytes, at most 4294967296)")));
  // Beyond the KS allocator's own limit, raising is refused by the schema.
  EXPECT_THAT(messages(R"({"duration_s": 1, "limits": {"max_pool_bytes": 4294967297}})"),
              ElementsAre(HasSubstr("at /limits/max_pool_bytes: expected an integer >= 1 and <= "
                                    "4294967296")));
  // What the default pool limit allows fits the KS allocator's.
  EXPECT_LE(kDefaultMaxPoolBytes, kKsMaxPoolBytes);
}

// Issue 12: fps up to 1e9 for 1e7 s made a run practically endless with no
// word. The loader estimates the events and refuses above limits.max_events,
// naming the rate, the duration and the estimate; the scenario may raise the
// bound, `run --allow-long-run` may lift it; a real-time run ends on the wall
// clock anyway.
TEST(ScenarioLoader, PracticallyEndlessRunIsRefusedUpFront) {
  const std::string endless =
      R"({"duration_s": 10000000, "device": {"timing": {"fps": 1000000000}}})";
  EXPECT_THAT(
      messages(endless),
      ElementsAre("s.json: at /duration_s: expected a virtual-time run of at most 1000000000 "
                  "events (the default of limits.max_events): raise /limits/max_events, or run "
                  "with --allow-long-run, if the run is meant to be this long, found an estimated "
                  "3e+16 events: 1e+07 s at 1000000000 fps (/device/timing/fps) is 1e+16 frames, "
                  "about 3 events each"));
  EXPECT_THAT(messages(endless, {}, {.allow_long_run = true}), IsEmpty());
  EXPECT_THAT(messages(R"({"duration_s": 100, "device": {"timing": {"interval_us": 1}},
                           "clients": [{"count": 2}], "limits": {"max_events": 1000000}})"),
              ElementsAre(HasSubstr("at /duration_s: expected a virtual-time run of at most "
                                    "1000000 events (/limits/max_events): raise")));
  EXPECT_THAT(messages(R"({"duration_s": 1000, "device": {"timing": {"interval_us": 1}},
                           "clients": [{"count": 2}]})"),
              ElementsAre(HasSubstr("found an estimated 7e+09 events: 1e+03 s at one frame every "
                                    "1000 ns (/device/timing/interval_us) is 1e+09 frames, about "
                                    "7 events each")));
  EXPECT_THAT(messages(R"({"duration_s": 10000000, "clients": [{}]})"),
              ElementsAre(HasSubstr("at 30 fps by default is 3e+08 frames")));
  // The shipped long-run benchmark (10^8 frames, one client) stays within the default.
  EXPECT_LT(estimate_events(loaded(load(R"({"duration_s": 100000,
      "device": {"timing": {"fps": 1000}}, "clients": [{}]})")))
                .events,
            static_cast<double>(kDefaultMaxEvents));
}

// Issue 12: `run --realtime` skipped the 3600 s limit that "clock":
// "realtime" enforces; it is checked the same way, at /duration_s.
TEST(ScenarioLoader, RealtimeOptionHasTheRealtimeLimit) {
  EXPECT_THAT(messages(R"({"duration_s": 7200})", {}, {.realtime = true}),
              ElementsAre("s.json: at /duration_s: expected at most 3600 s for a real-time run "
                          "(--realtime), found 7200"));
  EXPECT_THAT(messages(R"({"duration_s": 7200, "clock": "realtime"})"),
              ElementsAre("s.json: at /duration_s: expected at most 3600 s for a real-time run "
                          "(\"clock\": \"realtime\"), found 7200"));
  EXPECT_THAT(messages(R"({"duration_s": 3600})", {}, {.realtime = true}), IsEmpty());
}

// Issue 12: a file with problems at several stages needed up to four runs,
// the loader stopping at the first stage with an error. Duplicates, schema,
// rules and the expect block's figures come out of one run, in file order
// (line order, not key order).
TEST(ScenarioLoader, EveryStageInOnePassInFileOrder) {
  EXPECT_THAT(messages(R"({
  "duration_s": 1,
  "expect": {"frames.prodused": 1},
  "script": [{"at_ms": 5000, "do": "close"}],
  "device": {"timing": {"fps": 30, "bursts": [{"at_frame": 0, "count": 2, "interval_us": 40000}]},
             "formatt": "YUY2"},
  "clients": [{"overlapped": false, "hold": -1}],
  "seed": 1,
  "seed": 2
})",
                       {}, kAsValidate),
              ElementsAre(HasSubstr("at /expect/frames.prodused: expected the dotted path of one "
                                    "figure of the report"),
                          HasSubstr("at /script/0/at_ms: expected a time within the run"),
                          HasSubstr("at /device/timing/bursts/0/interval_us: expected "
                                    "1..33333332 ns"),
                          HasSubstr("at /device/formatt: expected one of the known properties"),
                          HasSubstr("at /clients/0/overlapped: expected true in virtual time"),
                          HasSubstr("at /clients/0/hold: expected a number >= 0"),
                          HasSubstr("at /seed: expected each property at most once")));
}

// A value the schema refused is taken out before the rules run: no rule
// repeats it, and no rule weighs another value against a default standing
// in for it (a refused duration bounds no time), while every independent
// problem is still reported.
TEST(ScenarioLoader, RefusedValuesDoNotCascadeIntoTheRules) {
  EXPECT_THAT(messages(R"({"duration_s": "ten", "clients": [{"start_at_ms": 5000}],
                           "script": [{"at_ms": 9000, "do": "alloc", "id": "a"},
                                      {"at_ms": 9500, "do": "free", "frame_of": "b"}]})"),
              ElementsAre(HasSubstr("at /duration_s: expected a number > 0"),
                          HasSubstr("at /script/1/frame_of: expected the id of an earlier alloc "
                                    "step")));
  // A wrong frame rate leaves the device's cross-checks (a burst shorter
  // than the interval) unchecked; an unknown property does not.
  EXPECT_THAT(messages(R"({"duration_s": 1, "device": {"timing": {"fps": "fast",
                           "bursts": [{"at_frame": 0, "count": 2, "interval_us": 40000}]}}})"),
              ElementsAre(HasSubstr("at /device/timing/fps: expected a number > 0")));
  EXPECT_THAT(messages("[1, 2]"), ElementsAre(HasSubstr("at the top level: expected an object")));
  EXPECT_THAT(messages(R"({"clients": [{"name": "a"}, {"name": 5}]})"),
              ElementsAre(HasSubstr("at the top level: expected the required property "
                                    "\"duration_s\""),
                          HasSubstr("at /clients/1/name: expected a string")));
}

// Issue 12: configs/README.md's own example of a bad scenario comes out of
// one run of the loader exactly as the README shows it.
TEST(ScenarioLoader, ReadmeExampleComesOutOfOneRun) {
  const char* configs = std::getenv("HILCAP_CONFIGS");
  const std::filesystem::path readme =
      std::filesystem::path(configs != nullptr ? configs : "configs") / "README.md";
  std::ifstream in(readme);
  ASSERT_TRUE(in) << readme;
  // The indented block after the line ending "This `s.json`:", and the one
  // after the line ending "in one run:".
  auto block_after = [&in](std::string_view marker) {
    std::string text;
    bool found = false;
    for (std::string line; std::getline(in, line);) {
      if (!found) {
        found = line.ends_with(marker);
        continue;
      }
      if (line.starts_with("    ")) {
        text += line.substr(4) + "\n";
      } else if (!text.empty()) {
        break;
      }
    }
    return text;
  };
  const std::string scenario = block_after("This `s.json`:");
  const std::string shown = block_after("in one run:");
  ASSERT_FALSE(scenario.empty());
  ASSERT_FALSE(shown.empty());
  std::string printed;
  for (const std::string& m : messages(scenario, {}, kAsValidate))
    printed += m + "\n";
  EXPECT_EQ(printed, shown);
  EXPECT_EQ(std::count(shown.begin(), shown.end(), '\n'), 4);
}

// Issue 12: times are whole nanoseconds: interval_us 33333.3334 is
// 33333333 ns (so 10 s hold 301 frames, tests/scenarios/interval_rounding.json).
TEST(ScenarioLoader, TimesAreRoundedToWholeNanoseconds) {
  const auto result =
      load(R"({"duration_s": 10, "device": {"timing": {"interval_us": 33333.3334}}})");
  const Scenario& s = loaded(result);
  EXPECT_EQ(std::get<device::FrameInterval>(s.device.timing.cadence).ns, 33'333'333);
}

// A script of the schema's 100,000 steps loads whole (the reader is linear:
// bench/validate_bench.cpp measures it); duplicate keys deep in it are
// still found at their pointer.
TEST(ScenarioLoader, LargeScriptLoadsWithEveryStep) {
  std::string text = R"({"duration_s": 10, "script": [)";
  for (int i = 0; i < 100'000; ++i) {
    text += i == 0 ? "" : ",";
    text += R"({"at_ms": 1, "do": "dropped_frames")";
    text += i == 99'999 ? R"(, "do": "dropped_frames"})" : "}";
  }
  text += "]}";
  EXPECT_THAT(messages(text),
              ElementsAre("s.json: at /script/99999/do: expected each property at most once, "
                          "found \"do\" more than once"));
  text.replace(text.rfind(R"(, "do": "dropped_frames")"), 24, "");
  EXPECT_EQ(loaded(load(text)).script.size(), 100'000u);
}

}  // namespace
}  // namespace hilcap::sim
