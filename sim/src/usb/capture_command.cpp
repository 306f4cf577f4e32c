// `hilcap capture`: the short form of `hilcap run` on a camera. It builds
// the scenario from its flags, a scenario file's (or the default
// scenario's) clients, allocator, script and expectations with the camera of
// --device in place of its device, and runs it as `hilcap run` does.
#include <fmt/format.h>
#include <hilcap/uvc/usb_devices.h>

#include <nlohmann/json.hpp>

#include "cli/argument_checks.h"
#include "cli/cli.h"
#include "runner/interrupt_signal.h"
#include "runner/run_report.h"
#include "runner/scenario_run.h"
#include "scenario/camera_section.h"
#include "scenario/json_file.h"
#include "scenario/json_units.h"
#include "scenario/scenario_loader.h"
#include "usb/usb_commands.h"

namespace hilcap::sim {
namespace {

using Json = nlohmann::json;

// Bounds of the numeric options (checked as typed, cli/argument_checks.h).
constexpr double kMaxFramesPerSecond = 1'000'000'000;  // as a scenario's device.timing.fps
constexpr std::uint64_t kMaxFrames = 1'000'000'000'000;

// A camera run lasts at most an hour: the bound of a capture until N frames.
constexpr double kLongestCaptureS = 3600;

// The scenario file's document with the camera of the flags as its device,
// on the wall clock; the simulated device's and host's settings go, each
// said in `notes`. Without --scenario (the default scenario, a simulated
// demo), only its clients and allocator are kept.
Json camera_document(Json doc, const CaptureArguments& a, bool own_scenario,
                     std::vector<std::string>& notes) {
  Json device{{"usb", a.device}};
  if (const Json* old = member(doc, "device")) {
    if (const Json* stall = member(*old, "stall_intervals")) device["stall_intervals"] = *stall;
    if (own_scenario && member(*old, "usb") == nullptr)
      notes.push_back("note       the scenario's simulated device does not apply: streaming " +
                      a.device);
  }
  if (!a.format.empty()) device["format"] = a.format;
  if (!a.size.empty()) device["size"] = a.size;
  if (a.fps > 0) device["fps"] = a.fps;
  if (a.transfers != 0) device["transfers"] = a.transfers;
  doc["device"] = device;
  doc["clock"] = "realtime";
  if (Json* host = doc.contains("host") ? &doc["host"] : nullptr; host && host->is_object()) {
    for (const char* key : {"dpc_latency_us", "verify_frames"}) {
      if (host->erase(key) != 0 && own_scenario)
        notes.push_back(
            fmt::format("note       the scenario's host.{} applies to the simulated "
                        "device only",
                        key));
    }
  }
  if (!own_scenario) {
    doc.erase("script");
    doc.erase("expect");
  }
  if (a.frames != 0) {
    doc["duration_s"] = kLongestCaptureS;
  } else if (a.duration_s > 0) {
    doc["duration_s"] = a.duration_s;
  }
  return doc;
}

// "capture ended: ..." after the table.
std::string ended_line(const ScenarioOutcome& outcome, double duration_s, std::uint64_t frames) {
  const std::string& why = outcome.stopped_by;
  if (why == "SIGINT" || why == "SIGTERM") return "capture ended: interrupted by " + why;
  if (why == "frames") return fmt::format("capture ended: {} frames received", frames);
  if (why == "device_gone") return "capture ended: the device left the bus";
  if (why == "violation") return "capture ended: an invariant broke";
  return fmt::format("capture ended: {:g} s elapsed", duration_s);
}

}  // namespace

void add_capture_command(CLI::App& app, CaptureArguments& a) {
  a.command = app.add_subcommand(
      "capture",
      "Stream a USB video camera through the KS capture pin with the clients, script and "
      "expectations of a scenario, on the wall clock: the short form of `hilcap run` on a "
      "scenario whose device is {\"usb\": ...}, built from these flags");
  a.command
      ->add_option("--device", a.device,
                   "The camera: VID:PID (hex), optionally @BUS:ADDRESS (decimal); @BUS:ADDRESS "
                   "alone; or #SERIAL, alone or after VID:PID")
      ->required();
  a.command->add_option("--format", a.format, "YUY2, NV12, MJPEG, H264... (default: the device's)");
  a.command->add_option("--size", a.size, "WxH, e.g. 640x480 (default: the format's default)");
  a.command->add_option("--fps", a.fps, "Frame rate (default: the frame's default interval)")
      ->check(positive_number(kMaxFramesPerSecond, "frames per second"));
  auto* duration = a.command
                       ->add_option("--duration", a.duration_s,
                                    "Seconds to capture (default: the scenario's duration_s)")
                       ->check(positive_number(kLongestCaptureS, "seconds"));
  a.command->add_option("--frames", a.frames, "Stop once the clients received N frames")
      ->check(whole_number(1, kMaxFrames))
      ->excludes(duration);
  a.command->add_option("--scenario", a.scenario,
                        "Scenario whose clients, allocator, script and expectations to run "
                        "against the camera (default: the default scenario's clients only)");
  a.command->add_option("--report", a.report, "Write the report as JSON to FILE");
  a.command->add_option("--trace", a.trace,
                        "Write a Chrome trace on the wall clock (ui.perfetto.dev) to FILE");
  a.command->add_option("--record-timing", a.record_timing,
                        "Write every frame's time to FILE, the format a scenario's "
                        "device.timing.replay plays back");
  a.command->add_option("--transfers", a.transfers, "USB transfers kept in flight (default 6)")
      ->check(whole_number(1, 64));
  a.command->add_flag("--no-wall-time", a.no_wall_time, "Leave wall_time_s out of the report file");
  a.command->footer(
      "Ctrl-C (SIGINT) or SIGTERM ends the capture in order, the report, trace and timing\n"
      "recording written.\n" +
      std::string(kExitStatusHelp));
}

int capture_command(const CaptureArguments& a, CliContext& context) {
  std::ostream& err = *context.err;
  if (const auto selector = uvc::DeviceSelector::parse(a.device); !selector.ok()) {
    err << "hilcap capture: --device: " << selector.error() << "\n";
    return kExitUsage;
  }
  if (!a.size.empty() && !parse_frame_size(a.size)) {
    err << fmt::format(
        "hilcap capture: --size: expected WIDTHxHEIGHT (e.g. 640x480), found \"{}\"\n", a.size);
    return kExitUsage;
  }
  if (!outputs_writable(
          "capture",
          {{"--report", a.report}, {"--trace", a.trace}, {"--record-timing", a.record_timing}},
          context)) {
    return kExitUsage;
  }
  // From here to the last file written, SIGINT / SIGTERM stop in order.
  const InterruptSignal interrupt;
  const bool own_scenario = !a.scenario.empty();
  std::filesystem::path scenario_file = a.scenario;
  if (!own_scenario) {
    if (context.runner == nullptr) {
      err << "hilcap capture: this build has no default scenario: give --scenario FILE\n";
      return kExitUsage;
    }
    scenario_file = context.runner->default_scenario();
  }
  JsonFile file = load_json_file(scenario_file);
  if (!file.document || !file.errors.empty()) {
    for (const ScenarioError& e : file.errors)
      err << e.to_string() << "\n";
    return command_status(kExitFailed, interrupt);
  }
  std::vector<std::string> notes;
  const Json doc = camera_document(std::move(*file.document), a, own_scenario, notes);
  // Checked as `hilcap run` checks a camera scenario: on the wall clock (no
  // virtual-time event estimate), the expect block's figure names included.
  LoadedScenario loaded = parse_scenario(
      doc.dump(), scenario_file.string(), scenario_file.parent_path(), disk_file_reader(),
      {.realtime = true, .expect_figures = check_expect_figures});
  if (!loaded.scenario) {
    for (const ScenarioError& e : loaded.errors)
      err << e.to_string() << "\n";
    return command_status(kExitFailed, interrupt);
  }
  RunOptions options;
  options.progress = context.progress;
  options.trace = a.trace;
  options.frame_limit = a.frames;
  options.record_timing = a.record_timing;
  const double start = context.wall_seconds();
  ScenarioOutcome outcome = run_scenario(std::move(*loaded.scenario), options);
  outcome.notes.insert(outcome.notes.end(), notes.begin(), notes.end());
  const double duration_s = a.duration_s > 0 ? a.duration_s : doc["duration_s"].get<double>();
  std::uint64_t received = 0;
  if (outcome.status != ScenarioOutcome::Status::kInvalid) {
    const Json report = outcome.report.to_json(WallTime::kOmit);
    received = report["frames"]["received"].get<std::uint64_t>();
  }
  const int status = show_outcome(outcome, context.wall_seconds() - start,
                                  {.command = "capture",
                                   .report = a.report,
                                   .no_wall_time = a.no_wall_time,
                                   .ended = ended_line(outcome, duration_s, received)},
                                  context);
  return command_status(status, interrupt);
}

}  // namespace hilcap::sim
