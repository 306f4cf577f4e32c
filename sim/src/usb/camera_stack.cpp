#include "usb/camera_stack.h"

#include <fmt/format.h>
#include <hilcap/uvc/camera_pin.h>
#include <hilcap/uvc/uvc_source.h>

#include <atomic>
#include <chrono>
#include <mutex>

#include "cli/output_files.h"
#include "clients/pin_requests.h"
#include "pin_state_machine.h"
#include "runner/arrival_timing.h"
#include "runner/run_monitor.h"
#include "runner/run_report.h"
#include "usb/timing_recorder.h"

namespace hilcap::sim {
namespace {

class CameraStack final : public CaptureStack {
 public:
  CameraStack(const Scenario& scenario, const RunOptions& options, std::int64_t epoch_ns,
              std::shared_ptr<uvc::UsbContext> usb, std::unique_ptr<uvc::UvcSource> camera)
      : spec_(*scenario.camera),
        epoch_ns_(epoch_ns),
        record_timing_(options.record_timing),
        usb_(std::move(usb)),
        camera_(std::move(camera)),
        timing_(std::int64_t{camera_->stream().committed.frame_interval_100ns} * 100,
                spec_.stall_intervals) {
    camera_->set_frame_observer([this](const uvc::UvcFrameRecord& r) { on_frame(r); });
  }
  ~CameraStack() override {
    close_pin();  // stops the stream: no frame reaches on_frame after it
    camera_.reset();
  }

  std::optional<std::string> open(const KSALLOCATOR_FRAMING& scenario_framing,
                                  const std::string& file) {
    std::unique_ptr<CapturePin> pin = uvc::open_camera_pin(*camera_);
    if (!pin) return fmt::format("{}: the capture pin could not be opened", file);
    KSALLOCATOR_FRAMING framing = scenario_framing;
    // No frame_size in the scenario: the negotiated dwMaxVideoFrameSize.
    if (framing.FrameSize == 0) framing.FrameSize = camera_->frame_size();
    return open_allocator(std::move(pin), framing, file);
  }

  NTSTATUS set_state(device::PinState state) override {
    const device::PinState from = pin_state();
    const NTSTATUS status = CaptureStack::set_state(state);
    if (status != STATUS_SUCCESS) return status;
    // The run's clock: CLOCK_MONOTONIC (steady_clock) since its epoch.
    const TimeNs now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                           std::chrono::steady_clock::now().time_since_epoch())
                           .count() -
                       epoch_ns_;
    {
      const std::lock_guard lock(mutex_);
      if (state == device::PinState::kRun) {
        timing_.streaming(now);
      } else {
        timing_.stopped(now);
      }
    }
    // The model's device reports its state changes; the camera's stack does.
    if (RunMonitor* monitor = monitor_.load(); monitor != nullptr && from != state) {
      monitor->on_state_change(now, from, state);
    }
    return status;
  }
  // The camera has no fault injector (the loader refuses such steps).
  NTSTATUS inject_fault(const device::FaultAction& /*fault*/) override {
    return STATUS_NOT_SUPPORTED;
  }

  std::vector<std::string> notes() const override { return camera_->stream().describe(); }
  void observe(RunMonitor* monitor) override { monitor_.store(monitor); }
  bool runs_on_run_schedulers() const override { return false; }
  void quiesce(TimeNs now) override {
    camera_->stop_streaming();
    const std::lock_guard lock(mutex_);
    timing_.stopped(now);
  }
  std::optional<std::string> cannot_stream() const override {
    if (const auto failure = camera_->start_failure()) return failure->message;
    return std::nullopt;
  }
  std::optional<std::string> ended() const override {
    if (!camera_->disconnected()) return std::nullopt;
    return fmt::format("the camera {} left the bus", spec_.usb);
  }

  DeviceFlow flow() const override {
    const uvc::SourceCounters c = camera_->counters();
    const CapturePinStats p = pin().stats();
    const std::uint64_t settled = c.frames.handed_over() + c.frames.dropped.total();
    return {
        .due = c.assembly.frames_started,
        .delivered = c.frames.handed_over(),
        .dropped = c.frames.dropped.total(),
        .in_flight = c.assembly.frames_started > settled ? c.assembly.frames_started - settled : 0,
        .drained = p.frames.captured(),
        .undrained = 0};
  }

  std::string describe_state() const override {
    const uvc::SourceCounters c = camera_->counters();
    const AllocatorOccupancy occupancy = allocator().occupancy();
    return fmt::format(
        "pin {}, camera {} {}; allocator {}: {} held, {} ready, {} at the device of {}, {} "
        "ALLOC(s) pending; camera: {} begun, {} delivered, {} dropped",
        to_string(pin_state()), spec_.usb, camera_->disconnected() ? "disconnected" : "connected",
        allocator_open() ? "open" : "closed", occupancy.held, occupancy.ready,
        pin().frames_at_device(), occupancy.frames, occupancy.pending, c.assembly.frames_started,
        c.frames.handed_over(), c.frames.dropped.total());
  }

  void gather(RunTotals& totals) const override {
    totals.camera.source = camera_->counters();
    {
      const std::lock_guard lock(mutex_);
      totals.camera.arrival = timing_.figures();
    }
    totals.connected = !camera_->disconnected();
    totals.state = pin_state();
  }

  std::vector<std::string> write_outputs() override {
    if (record_timing_.empty()) return {};
    std::vector<uvc::UvcFrameRecord> records;
    {
      const std::lock_guard lock(mutex_);
      records = records_;
    }
    const uvc::StreamChoice& choice = camera_->stream().choice;
    const auto text = format_timing_recording(
        records, fmt::format("hilcap frame timing, recorded from the camera {} ({} {}x{})",
                             spec_.usb, choice.format_name, choice.width, choice.height));
    if (!text.ok()) {
      return {fmt::format("--record-timing {}: not written: {}", record_timing_.string(),
                          text.error())};
    }
    if (const auto problem = write_output_file(record_timing_, text.value())) {
      return {fmt::format("--record-timing {}: cannot write the timing recording: {}",
                          record_timing_.string(), *problem)};
    }
    return {};
  }

 private:
  // The pin's state as KS reports it (STOP once the camera is gone).
  device::PinState pin_state() const {
    KSSTATE state = KSSTATE_STOP;
    if (get_pin_state(pin_handle(), state) != STATUS_SUCCESS) return device::PinState::kStop;
    return to_pin_state(state);
  }

  // Every frame the camera sent, delivered or dropped, on libusb's event thread.
  void on_frame(const uvc::UvcFrameRecord& r) {
    const TimeNs at = r.host_time_ns - epoch_ns_;
    std::optional<TimeNs> device_time;
    if (r.presentation_time_ns) device_time = *r.presentation_time_ns - epoch_ns_;
    {
      const std::lock_guard lock(mutex_);
      timing_.frame(at, device_time);
      if (!record_timing_.empty()) records_.push_back(r);
    }
    if (RunMonitor* monitor = monitor_.load()) {
      monitor->frame_arrived({.at = at,
                              .sequence = r.sequence,
                              .bytes = r.bytes,
                              .fate = r.fate,
                              .drop_reason = r.drop_reason,
                              .device_time = device_time});
    }
  }

  const CameraSpec spec_;
  const std::int64_t epoch_ns_;
  const std::filesystem::path record_timing_;
  const std::shared_ptr<uvc::UsbContext> usb_;
  std::unique_ptr<uvc::UvcSource> camera_;
  std::atomic<RunMonitor*> monitor_{nullptr};
  mutable std::mutex mutex_;  // timing_, records_
  ArrivalTiming timing_;
  std::vector<uvc::UvcFrameRecord> records_;  // for --record-timing
};

}  // namespace

CaptureStack::Created open_camera_stack(const Scenario& scenario, const RunOptions& options,
                                        std::int64_t epoch_ns) {
  CaptureStack::Created created;
  const CameraSpec& spec = *scenario.camera;
  auto usb = uvc::UsbContext::create();
  if (!usb.ok()) {
    created.unavailable = true;
    created.errors.push_back(
        fmt::format("{}: libusb cannot start: {}", scenario.file, usb.error()));
    return created;
  }
  const auto selector = uvc::DeviceSelector::parse(spec.usb);
  if (!selector.ok()) {  // the loader checked it; a safety net
    created.errors.push_back(
        fmt::format("{}: at /device/usb: {}", scenario.file, selector.error()));
    return created;
  }
  uvc::SourceOptions source;
  source.stream.format = spec.format;
  source.stream.width = spec.width;
  source.stream.height = spec.height;
  source.stream.fps = spec.fps;
  if (spec.transfers != 0) source.transfers = spec.transfers;
  auto opened = uvc::UvcSource::open(usb.value(), selector.value(), source);
  if (!opened.ok()) {
    created.unavailable = true;
    created.errors.push_back(opened.failure().message);
    return created;
  }
  auto stack = std::make_unique<CameraStack>(scenario, options, epoch_ns, usb.value(),
                                             std::move(opened.value()));
  if (auto error = stack->open(scenario.framing, scenario.file)) {
    created.errors.push_back(std::move(*error));
    return created;
  }
  created.stack = std::move(stack);
  return created;
}

}  // namespace hilcap::sim
