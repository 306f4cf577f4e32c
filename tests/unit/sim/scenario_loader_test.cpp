#include "scenario/scenario_loader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <variant>

#include "scenario/device_section.h"
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

LoadedScenario load(const std::string& text, std::map<std::string, std::string> files = {}) {
  return parse_scenario(text, "s.json", "dir", memory_files(std::move(files)));
}

std::vector<std::string> messages(const std::string& text,
                                  std::map<std::string, std::string> files = {}) {
  std::vector<std::string> out;
  for (const auto& e : load(text, std::move(files)).errors)
    out.push_back(e.to_string());
  return out;
}

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
TEST(ScenarioLoader, UnknownKeyIsAnErrorWithDidYouMean) {
  EXPECT_THAT(messages(R"({"duration_s": 1, "device": {"timming": {}}})"),
              ElementsAre(HasSubstr(
                  R"(s.json: at /device/timming: expected one of the known properties)")));
  EXPECT_THAT(
      messages(R"({"duration_s": 1, "device": {"timming": {}}})"),
      ElementsAre(HasSubstr(R"(found an unknown property "timming" (did you mean "timing"?))")));
}

// Every problem is reported at once, each at its own JSON pointer, in pointer order.
TEST(ScenarioLoader, ReportsEveryProblemAtOnce) {
  EXPECT_THAT(
      messages(R"({"duration_s": 1,
                   "device": {"timing": {"fps": 30, "interval_us": 100}},
                   "clients": [{"overlapped": false}]})"),
      ElementsAre(
          HasSubstr("at /clients/0/overlapped: expected true in virtual time (nothing may block "
                    "there"),
          R"(s.json: at /device/timing/interval_us: expected only one of "fps", "interval_us", "replay" ("fps" is already given), found 100)"));
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
}

// The DeviceConfig field paths map onto scenario JSON pointers.
TEST(ScenarioLoader, DeviceFieldPaths) {
  EXPECT_EQ(device_field_pointer("device.timing.fps").pointer, "/device/timing/fps");
  const auto burst = device_field_pointer("device.timing.bursts[2].at_ns");
  EXPECT_EQ(burst.pointer, "/device/timing/bursts/2/at_ms");
  EXPECT_TRUE(burst.unit_converted);
  EXPECT_EQ(device_field_pointer("device.faults[0]").pointer, "/device/faults/0");
  EXPECT_EQ(device_field_pointer("device.timing.jitter.sigma_ns").pointer,
            "/device/timing/jitter/sigma_us");
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

// Script mistakes are caught before anything runs.
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
          HasSubstr("at /script/4/expect/completes: expected no completion expectation unless the "
                    "expected status is STATUS_PENDING"),
          HasSubstr("at /script/4/id: expected an id no earlier alloc uses (\"a1\" names the alloc "
                    "at /script/0)"),
          HasSubstr("at /script/5/at_ms: expected a time within the run (before duration_s = 1 "
                    "s), found 2000")));
}

// The allocator must hold a whole frame; its defaults follow the device.
TEST(ScenarioLoader, AllocatorFramingIsChecked) {
  const auto result = load(R"({"duration_s": 1,
    "device": {"format": "GREY", "width": 320, "height": 240, "ring_depth": 4},
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

}  // namespace
}  // namespace hilcap::sim
