#include "scenario/scenario_loader.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "scenario/client_section.h"
#include "scenario/device_section.h"
#include "scenario/json_file.h"
#include "scenario/json_units.h"
#include "scenario/scenario_schema.h"
#include "scenario/script_section.h"
#include "scenario/uvc_section.h"

namespace hilcap::sim {
namespace {

using Json = nlohmann::json;

// Pools beyond this are refused by KsCreateAllocator in this simulator.
constexpr std::uint64_t kMaxPoolBytes = std::uint64_t{1} << 32;
// A real-time run takes its duration in wall time: an hour bounds a typo.
constexpr TimeNs kMaxRealtimeDurationNs = 3600 * kNsPerS;

HostSpec read_host(const Json& doc) {
  HostSpec host;
  const Json* section = member(doc, "host");
  if (section == nullptr) return host;
  if (const Json* dpc = member(*section, "dpc_latency_us")) {
    host.dpc_latency_ns = to_ns(*dpc, kNsPerUs);
  }
  if (const Json* verify = member(*section, "verify_frames"); verify && verify->is_boolean()) {
    host.verify_frames = verify->get<bool>();
  }
  if (const Json* state = member(*section, "initial_state"); state && state->is_string()) {
    const std::string& name = state->get_ref<const std::string&>();
    host.initial_state = name == "stop"      ? device::PinState::kStop
                         : name == "acquire" ? device::PinState::kAcquire
                         : name == "pause"   ? device::PinState::kPause
                                             : device::PinState::kRun;
  }
  return host;
}

KSALLOCATOR_FRAMING read_allocator(const Json& doc, const device::DeviceConfig& device,
                                   ScenarioChecks& checks) {
  KSALLOCATOR_FRAMING framing{};
  framing.OptionsFlags = KSALLOCATOR_OPTIONF_SYSTEM_MEMORY;
  framing.PoolType = NonPagedPool;
  framing.Frames = device.ring_depth;
  const std::uint64_t frame_bytes = device.format.frame_bytes();
  framing.FrameSize = static_cast<ULONG>(std::min<std::uint64_t>(frame_bytes, 0xFFFFFFFFu));
  framing.FileAlignment = FILE_64_BYTE_ALIGNMENT;
  const Json* section = member(doc, "allocator");
  if (section == nullptr) return framing;
  auto read = [section](std::string_view key, ULONG& field) {
    if (const Json* v = member(*section, key); v && v->is_number_unsigned()) {
      field = static_cast<ULONG>(std::min<std::uint64_t>(v->get<std::uint64_t>(), 0xFFFFFFFFu));
    }
  };
  read("frames", framing.Frames);
  read("frame_size", framing.FrameSize);
  read("file_alignment", framing.FileAlignment);
  if (member(*section, "frame_size") != nullptr && framing.FrameSize < frame_bytes) {
    checks.fail("/allocator/frame_size",
                fmt::format("at least the device's frame size ({} bytes: {}x{} {})", frame_bytes,
                            device.format.width, device.format.height,
                            device::to_string(device.format.pixel_format)));
  }
  const std::uint64_t slot = (std::uint64_t{framing.FrameSize} + framing.FileAlignment) &
                             ~std::uint64_t{framing.FileAlignment};
  if (slot * framing.Frames > kMaxPoolBytes) {
    checks.fail(member(*section, "frames") ? "/allocator/frames" : "/allocator",
                fmt::format("a pool of at most {} bytes (frames x frame_size)", kMaxPoolBytes),
                fmt::format("{} frames of {} bytes", framing.Frames, framing.FrameSize));
  }
  return framing;
}

}  // namespace

LoadedScenario parse_scenario(std::string_view text, std::string_view file,
                              const std::filesystem::path& directory, const FileReader& read_file) {
  LoadedScenario result;
  JsonFile json = parse_json_text(text, file);
  if (!json.document || !json.errors.empty()) {
    result.errors = std::move(json.errors);
    return result;
  }
  const Json& doc = *json.document;
  result.errors = scenario_schema().validate(doc, file);
  if (!result.errors.empty()) return result;

  ScenarioChecks checks{std::string(file), doc};
  Scenario scenario;
  scenario.file = std::string(file);
  if (const Json* seed = member(doc, "seed")) {
    if (seed->is_number_unsigned()) {
      scenario.seed = seed->get<std::uint64_t>();
    } else {
      checks.fail("/seed", "an integer in 0..18446744073709551615");
    }
  }
  if (const Json* duration = member(doc, "duration_s")) {
    scenario.duration_ns = to_ns(*duration, kNsPerS);
  }
  checks.require(scenario.duration_ns >= 1, "/duration_s", "a duration of at least 1 ns");
  if (const Json* clock = member(doc, "clock"); clock != nullptr && *clock == "realtime") {
    scenario.clock = RunClock::kRealtime;
    checks.require(scenario.duration_ns <= kMaxRealtimeDurationNs, "/duration_s",
                   "at most 3600 s for a real-time run (\"clock\": \"realtime\")");
  }

  const std::size_t errors_before_device = checks.error_count();
  scenario.device = read_device_section(doc, scenario.seed, directory, read_file, checks);
  // The device's own checks only on a section read cleanly: otherwise they
  // would repeat the same mistakes through the defaults put in their place.
  if (checks.error_count() == errors_before_device) {
    report_device_errors(scenario.device.validate(), doc, checks);
  }
  scenario.uvc = read_uvc_section(doc, checks);
  if (checks.error_count() == errors_before_device && presents_on_usb(doc))
    check_uvc_presentation(scenario.device, scenario.uvc, checks);
  scenario.host = read_host(doc);
  scenario.framing = read_allocator(doc, scenario.device, checks);
  scenario.clients = read_client_section(doc, scenario.duration_ns, checks);
  ScriptSection script = read_script_section(doc, scenario.duration_ns, scenario.clients, checks);
  scenario.script = std::move(script.steps);
  for (ClientSpec& client : script.clients)
    scenario.clients.push_back(std::move(client));
  if (const Json* expect = member(doc, "expect")) scenario.expect = *expect;
  scenario.reseed(scenario.seed);

  if (!checks.ok()) {
    result.errors = checks.errors();
    return result;
  }
  result.scenario = std::move(scenario);
  return result;
}

LoadedScenario load_scenario(const std::filesystem::path& file, const FileReader& read_file) {
  std::string error;
  const std::optional<std::string> text = read_file(file, error);
  if (!text) {
    LoadedScenario result;
    result.errors.push_back({ScenarioError::Kind::kUnreadable, file.string(), {}, {}, error});
    return result;
  }
  return parse_scenario(*text, file.string(), file.parent_path(), read_file);
}

}  // namespace hilcap::sim
