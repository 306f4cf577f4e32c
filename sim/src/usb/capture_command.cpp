// `hilcap capture`: stream a USB video device through the KS allocator with
// a scenario's client models and print the same report as `hilcap run`.
#include <fmt/format.h>
#include <hilcap/uvc/usb_devices.h>

#include <atomic>
#include <csignal>
#include <fstream>
#include <regex>

#include "cli/argument_checks.h"
#include "scenario/scenario_loader.h"
#include "usb/capture_run.h"
#include "usb/usb_commands.h"

namespace hilcap::sim {
namespace {

// Bounds of the numeric options (checked as typed, cli/argument_checks.h).
constexpr double kMaxFramesPerSecond = 1'000'000'000;  // as a scenario's device.timing.fps
constexpr std::uint64_t kMaxFrames = 1'000'000'000'000;

std::atomic<bool> g_interrupted{false};

extern "C" void on_interrupt(int) {
  g_interrupted.store(true);
  std::signal(SIGINT, SIG_DFL);  // a second Ctrl-C ends hilcap at once
}

// Ctrl-C ends the capture cleanly (the report is still written) while alive.
class InterruptScope {
 public:
  InterruptScope() : previous_(std::signal(SIGINT, on_interrupt)) { g_interrupted = false; }
  ~InterruptScope() { std::signal(SIGINT, previous_); }
  InterruptScope(const InterruptScope&) = delete;
  InterruptScope& operator=(const InterruptScope&) = delete;

 private:
  void (*previous_)(int);
};

bool write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  file << text;
  file.close();
  return static_cast<bool>(file);
}

// --size WxH.
std::optional<std::pair<std::uint16_t, std::uint16_t>> parse_size(const std::string& text) {
  static const std::regex size(R"((\d{1,5})[xX](\d{1,5}))");
  std::smatch m;
  if (!std::regex_match(text, m, size)) return std::nullopt;
  const unsigned long w = std::stoul(m[1].str()), h = std::stoul(m[2].str());
  if (w == 0 || h == 0 || w > 65535 || h > 65535) return std::nullopt;
  return std::pair{static_cast<std::uint16_t>(w), static_cast<std::uint16_t>(h)};
}

}  // namespace

void add_capture_command(CLI::App& app, CaptureArguments& a) {
  a.command = app.add_subcommand(
      "capture",
      "Stream a USB video device through the KS allocator in capture mode, with the client "
      "models of a scenario (ALLOC/FREE on the wall clock), and print the same report as `run`");
  a.command->add_option("--device", a.device, "VID:PID, optionally @BUS:ADDRESS (hex ids)")
      ->required();
  a.command->add_option("--format", a.format, "YUY2, NV12, MJPEG, H264... (default: the device's)");
  a.command->add_option("--size", a.size, "WxH, e.g. 640x480 (default: the format's default)");
  a.command->add_option("--fps", a.fps, "Frame rate (default: the frame's default interval)")
      ->check(positive_number(kMaxFramesPerSecond, "frames per second"));
  auto* duration = a.command
                       ->add_option("--duration", a.duration_s,
                                    "Seconds to capture (default: the scenario's duration_s)")
                       ->check(positive_number(kMaxDurationSeconds, "seconds"));
  a.command->add_option("--frames", a.frames, "Stop once the clients received N frames")
      ->check(whole_number(1, kMaxFrames))
      ->excludes(duration);
  a.command->add_option("--scenario", a.scenario,
                        "Scenario whose clients (and allocator frames, seed) to use; its device, "
                        "script and expect sections do not apply (default: the default scenario)");
  a.command->add_option("--report", a.report, "Write the report as JSON to FILE");
  a.command->add_option("--record-timing", a.record_timing,
                        "Write every frame's time to FILE, the format a scenario's "
                        "device.timing.replay plays back");
  a.command->add_option("--transfers", a.transfers, "USB transfers kept in flight (default 6)")
      ->check(whole_number(1, 64));
  a.command->add_flag("--no-wall-time", a.no_wall_time, "Leave wall_time_s out of the report file");
}

int capture_command(const CaptureArguments& a, CliContext& context) {
  std::ostream& out = *context.out;
  std::ostream& err = *context.err;
  const auto selector = uvc::DeviceSelector::parse(a.device);
  if (!selector.ok()) {
    err << "hilcap capture: --device: " << selector.error() << "\n";
    return kExitUsage;
  }
  CaptureSettings settings;
  settings.device = selector.value();
  settings.source.stream.format = a.format;
  settings.source.stream.fps = a.fps;
  if (!a.size.empty()) {
    const auto size = parse_size(a.size);
    if (!size) {
      err << fmt::format(
          "hilcap capture: --size: expected WIDTHxHEIGHT (e.g. 640x480), found "
          "\"{}\"\n",
          a.size);
      return kExitUsage;
    }
    settings.source.stream.width = size->first;
    settings.source.stream.height = size->second;
  }
  if (a.transfers != 0) settings.source.transfers = a.transfers;

  std::filesystem::path scenario_file = a.scenario;
  if (scenario_file.empty()) {
    if (context.runner == nullptr) {
      err << "hilcap capture: this build has no default scenario: give --scenario FILE\n";
      return kExitUsage;
    }
    scenario_file = context.runner->default_scenario();
  }
  LoadedScenario loaded = load_scenario(scenario_file);
  if (!loaded.scenario) {
    for (const ScenarioError& e : loaded.errors)
      err << e.to_string() << "\n";
    return kExitUsage;
  }
  settings.scenario = std::move(*loaded.scenario);
  if (a.frames != 0) {
    settings.frames = a.frames;
  } else {
    // --duration was checked finite and at most kMaxDurationSeconds: its ns fit a TimeNs.
    settings.duration_ns =
        a.duration_s > 0 ? static_cast<TimeNs>(a.duration_s * 1e9) : settings.scenario.duration_ns;
  }
  settings.record_timing = a.record_timing;
  settings.progress = context.progress;

  auto usb = uvc::UsbContext::create();
  if (!usb.ok()) {
    err << "hilcap capture: " << usb.error() << "\n";
    return kExitUsage;
  }
  InterruptScope interrupt;
  settings.interrupted = &g_interrupted;
  const double start = context.wall_seconds();
  CaptureOutcome outcome = run_capture(usb.value(), settings);
  if (outcome.error) {
    err << "hilcap capture: " << outcome.error->message << "\n";
    return kExitUsage;
  }
  for (const std::string& line : outcome.stream)
    err << line << "\n";
  outcome.report->set_wall_time_s(context.wall_seconds() - start);
  out << outcome.report->summary_table(WallTime::kInclude);
  out << "capture ended: " << outcome.ended << "\n";
  int status = kExitOk;
  for (const std::string& p : outcome.problems) {
    err << "hilcap capture: " << p << "\n";
    status = kExitFailed;
  }
  if (!a.report.empty() &&
      !write_file(a.report, outcome.report->to_json_text(a.no_wall_time ? WallTime::kOmit
                                                                        : WallTime::kInclude))) {
    err << fmt::format("hilcap capture: {}: cannot write the report\n", a.report.string());
    return kExitUsage;
  }
  return status;
}

}  // namespace hilcap::sim
