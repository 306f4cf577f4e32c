#include "serve/serve_run.h"

#include <fmt/format.h>
#include <sys/resource.h>

#include <cstdio>
#include <memory>

#include "model_camera.h"
#include "redirection_session.h"
#include "serve/camera_device.h"
#include "serve/scenario_camera.h"
#include "serve/serve_recorder.h"
#include "trace/trace_writer.h"

namespace hilcap::sim {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kProgressEvery = std::chrono::milliseconds(500);

const char* transport_name(const device::uvc::UvcPresentation& p) {
  return p.bulk ? "bulk" : "isochronous";
}

const char* version_name(device::uvc::UvcVersion v) {
  switch (v) {
    case device::uvc::UvcVersion::k1_0:
      return "1.0";
    case device::uvc::UvcVersion::k1_1:
      return "1.1";
    case device::uvc::UvcVersion::k1_5:
      return "1.5";
  }
  return "?";
}

// How to attach QEMU to this side, for the first log line.
std::string qemu_hint(const ServeSettings& s) {
  if (!s.address.is_unix()) return {};
  const std::string path = s.address.to_string().substr(5);
  return s.listen
             ? fmt::format(" (QEMU: -chardev socket,id=cam,path={} -device usb-redir,chardev=cam)",
                           path)
             : fmt::format(
                   " (QEMU: -chardev socket,id=cam,path={},server=on,wait=off -device "
                   "usb-redir,chardev=cam)",
                   path);
}

double seconds(const timeval& t) {
  return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6;
}

// The process's CPU time, in total and per frame handed to the bus: what
// serving costs the machine that runs the device.
void cpu_figures(Report& r, std::uint64_t frames_offered) {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const double user = seconds(usage.ru_utime), system = seconds(usage.ru_stime);
  r.set("serve.cpu.user_s", user, 3);
  r.set("serve.cpu.system_s", system, 3);
  if (frames_offered > 0)
    r.set("serve.cpu.ms_per_frame", (user + system) * 1000.0 / static_cast<double>(frames_offered),
          3);
}

void describe(Report& r, const Scenario& s) {
  r.set("seed", s.seed);
  r.set("serve.transport", transport_name(s.uvc));
  r.set("serve.format", s.uvc.mjpeg ? std::string("MJPEG")
                                    : std::string(device::to_string(s.device.format.pixel_format)));
  r.set("serve.size", fmt::format("{}x{}", s.device.format.width, s.device.format.height));
  r.set("serve.speed", s.uvc.speed == device::uvc::UsbSpeed::kFull ? "full" : "high");
  r.set("serve.uvc_version", version_name(s.uvc.version));
}

// Serves the connected peer on `fd` until it closes, the duration ends, a
// signal or an I/O error; says how it ended in `outcome`.
void serve_peer(int fd, const ServeSettings& settings, device::uvc::ModelCamera& camera,
                ModelCameraDevice& device, ServeRecorder& recorder, Clock::time_point epoch,
                ServeOutcome& outcome) {
  camera.frames().set_hand_over_observer(
      [&recorder](const device::uvc::FrameHandOver& f) { recorder.frame_handed_over(f); });
  bus::SessionOptions options;
  options.version = "hilcap serve";
  bus::RedirectionSession session(fd, device, recorder, options);

  const std::optional<Clock::time_point> deadline =
      settings.duration_ns ? std::optional(epoch + std::chrono::nanoseconds(*settings.duration_ns))
                           : std::nullopt;
  bus::SessionEnd end;
  bool drawn = false;
  while (true) {
    Clock::time_point slice = Clock::now() + kProgressEvery;
    if (deadline) slice = std::min(slice, *deadline);
    end = session.run(settings.interrupted, slice);
    if (end != bus::SessionEnd::kDeadline || (deadline && Clock::now() >= *deadline)) break;
    if (settings.progress) {
      std::fprintf(stderr, "\r\033[K[serve] %.1f s  %llu frames offered  %llu control requests",
                   std::chrono::duration<double>(Clock::now() - epoch).count(),
                   static_cast<unsigned long long>(recorder.frames_offered()),
                   static_cast<unsigned long long>(recorder.requests()));
      std::fflush(stderr);
      drawn = true;
      recorder.set_progress_line(true);
    }
  }
  if (drawn) std::fputs("\r\033[K", stderr);
  camera.frames().set_hand_over_observer(nullptr);
  outcome.ended =
      end == bus::SessionEnd::kDeadline
          ? fmt::format("{:g} s elapsed", static_cast<double>(*settings.duration_ns) / 1e9)
          : bus::to_string(end);
  if (end == bus::SessionEnd::kIoError) outcome.problems.push_back(session.io_error());
}

}  // namespace

ServeOutcome run_serve(const ServeSettings& settings) {
  ServeOutcome outcome;
  std::ostream& log = *settings.log;
  const Scenario& scenario = settings.scenario;
  ScenarioCamera made = make_scenario_camera(scenario);
  if (!made.camera) {
    outcome.errors = std::move(made.errors);
    outcome.scenario_invalid = true;
    return outcome;
  }
  device::uvc::ModelCamera& camera = *made.camera;

  std::unique_ptr<TraceWriter> trace;
  if (!settings.trace.empty()) {
    std::string error;
    trace = TraceWriter::open(settings.trace, error, "wall");
    if (!trace) {
      outcome.errors.push_back("--trace " + error);
      return outcome;
    }
  }

  log << fmt::format(
      "hilcap serve: {} {} {}x{} over {}, UVC {}, {} speed; {} {}{}\n", scenario.file,
      scenario.uvc.mjpeg ? "MJPEG"
                         : std::string(device::to_string(scenario.device.format.pixel_format)),
      scenario.device.format.width, scenario.device.format.height, transport_name(scenario.uvc),
      version_name(scenario.uvc.version),
      scenario.uvc.speed == device::uvc::UsbSpeed::kFull ? "full" : "high",
      settings.listen ? "listening on" : "connecting to", settings.address.to_string(),
      qemu_hint(settings));
  log.flush();
  std::string error;
  const int fd = settings.listen
                     ? settings.address.listen_and_accept(settings.interrupted, std::nullopt, error)
                     : settings.address.connect_to(settings.interrupted, std::nullopt, error);
  const bool interrupted_before_peer =
      fd < 0 && settings.interrupted != nullptr && settings.interrupted->load();
  if (fd < 0 && !interrupted_before_peer) {
    outcome.errors.push_back(fmt::format("{}: {}", settings.address.to_string(), error));
    return outcome;
  }

  // Reported even when a signal came before any peer: every figure zero.
  const Clock::time_point epoch = Clock::now();
  Report report;
  describe(report, scenario);
  ServeRecorder recorder(report, trace.get(), log, camera, epoch);
  std::shared_ptr<RunTimeline> timeline;
  if (settings.timeline_buckets > 0) {
    RunTimeline::Settings shape =
        RunTimeline::settings_for(settings.duration_ns.value_or(0), settings.timeline_buckets);
    shape.frame_owners = false;  // the host's buffers are the guest kernel's
    timeline = std::make_shared<RunTimeline>(shape);
    recorder.set_timeline(timeline.get());
  }
  ModelCameraDevice device(camera);
  if (interrupted_before_peer) {
    outcome.ended = "interrupted before a peer connected";
  } else {
    serve_peer(fd, settings, camera, device, recorder, epoch, outcome);
  }
  recorder.finish(device);
  report.set("serve.ended", outcome.ended);
  report.set("serve.duration_s", std::chrono::duration<double>(Clock::now() - epoch).count(), 3);
  cpu_figures(report, camera.frames().stats().frames_sent);
  if (trace) {
    std::string trace_error;
    if (!trace->close(trace_error)) outcome.output_errors.push_back("--trace " + trace_error);
  }
  outcome.report = std::move(report);
  outcome.timeline = std::move(timeline);
  return outcome;
}

}  // namespace hilcap::sim
