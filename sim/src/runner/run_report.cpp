#include "runner/run_report.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <span>

#include "pin_state_machine.h"
#include "runner/device_drops.h"
#include "scenario/expectations.h"
#include "scenario/json_units.h"

namespace hilcap::sim {
namespace {

// What the report shows of each device's frames, in the fate vocabulary
// (<hilcap/frame_fate.h>): frames.<fate> and frames.dropped.by_reason.<reason>.
constexpr FrameFate kDeviceModelFates[] = {FrameFate::kOk, FrameFate::kShort, FrameFate::kError,
                                           FrameFate::kCorrupt, FrameFate::kReturnedUnfilled};
constexpr FrameFate kCameraFates[] = {FrameFate::kOk, FrameFate::kShort, FrameFate::kError,
                                      FrameFate::kReturnedUnfilled};
constexpr DropReason kCameraDropReasons[] = {DropReason::kStarvation, DropReason::kErrorPayload,
                                             DropReason::kOverflow, DropReason::kIncomplete};
constexpr DropReason kCameraDamageReasons[] = {DropReason::kErrorPayload, DropReason::kOverflow,
                                               DropReason::kIncomplete};
constexpr device::FaultKind kFaultKinds[] = {
    device::FaultKind::kError, device::FaultKind::kShort,      device::FaultKind::kCorrupt,
    device::FaultKind::kStall, device::FaultKind::kDisconnect,
};

// frames.<fate> for each of `fates`, frames.delivered (those with a
// capture), frames.dropped.total and frames.dropped.by_reason.<reason> for
// each of `reasons`.
void set_frame_fates(Report& r, const FrameFateCounts& frames, std::span<const FrameFate> fates,
                     std::span<const DropReason> reasons) {
  r.set("frames.delivered", frames.captured());
  for (FrameFate fate : fates)
    r.set(fmt::format("frames.{}", to_string(fate)), frames[fate]);
  r.set("frames.dropped.total", frames.dropped.total());
  for (DropReason reason : reasons)
    r.set(fmt::format("frames.dropped.by_reason.{}", to_string(reason)), frames.dropped[reason]);
}

}  // namespace

RunReport::RunReport(const Scenario& scenario, bool wall_clock)
    : scenario_(scenario),
      latency_(&report_.distribution("pending_latency_us", SampleScale::kNsToUs)) {
  fill(RunTotals{.clients = std::vector<ClientFigures>(scenario.clients.size())});
  if (wall_clock || scenario.clock == RunClock::kRealtime) {
    // The clock's own figures (set by the real-time clock at the end).
    Report& r = report_;
    r.set("realtime.elapsed_s", 0.0, 6);
    r.distribution("realtime.pending_completion_latency_us", SampleScale::kNsToUs);
    if (!scenario.camera) r.distribution("realtime.frame_lateness_us", SampleScale::kNsToUs);
    r.set("realtime.cancelled_at_stop", std::uint64_t{0});
    r.set("realtime.pending_after_stop", std::uint64_t{0});
    r.set("realtime.stopped_by", "end");
  }
}

void RunReport::fill(const RunTotals& t) {
  Report& r = report_;
  r.set("seed", scenario_.seed);
  r.set("events", t.events);

  std::uint64_t received = 0;
  for (const ClientFigures& c : t.clients)
    received += c.frames;
  r.set("frames.received", received);

  std::uint64_t refused = 0;
  for (const ClientFigures& c : t.clients)
    refused += c.refused;
  r.set("requests.immediate", t.allocator.immediate);
  r.set("requests.pended", t.allocator.pended);
  r.set("requests.completed", t.allocator.completed_after_pending);
  r.set("requests.cancelled", t.allocator.cancelled);
  r.set("requests.failed", t.allocator.failed);
  r.set("requests.refused", refused);
  r.set("requests.pending_at_end", t.occupancy.pending);

  r.set("allocator.frames", t.framing.Frames);
  r.set("allocator.frame_size", t.framing.FrameSize);
  r.set("allocator.high_water", t.allocator.high_water);
  r.set("allocator.invalid_frees", t.allocator.invalid_frees);
  r.set("allocator.held_at_end", t.occupancy.held);
  r.set("allocator.ready_at_end", t.occupancy.ready);
  r.set("allocator.open_at_end", t.allocator_open);

  r.set("device.connected_at_end", t.connected);
  r.set("device.state_at_end", to_string(t.state));

  if (scenario_.camera) {
    fill_camera(t);
  } else {
    fill_simulated_device(t);
  }

  for (std::size_t i = 0; i < scenario_.clients.size() && i < t.clients.size(); ++i) {
    const ClientFigures& c = t.clients[i];
    const std::string at = "clients." + scenario_.clients[i].name + ".";
    r.set(at + "frames", c.frames);
    r.set(at + "immediate", c.immediate);
    r.set(at + "pended", c.pended);
    r.set(at + "completed", c.completed);
    r.set(at + "cancelled", c.cancelled);
    r.set(at + "failed", c.failed);
    r.set(at + "refused", c.refused);
    r.set(at + "frees", c.frees);
    r.set(at + "invalid_frees", c.invalid_frees);
    r.set(at + "cancels", c.cancels);
    if (scenario_.clients[i].frame_headers) {
      r.set(at + "discontinuities", c.discontinuities);
      r.set(at + "error_frames", c.error_frames);
      r.set(at + "header_reads_failed", c.header_reads_failed);
    }
  }
  if (!scenario_.script.empty()) {
    r.set("script.steps_run", t.script.steps_run);
    r.set("script.expectations_checked", t.script.expectations_checked);
    r.set("script.expectations_failed", t.script.expectations_failed);
  }
}

void RunReport::fill_simulated_device(const RunTotals& t) {
  Report& r = report_;
  r.set("virtual_time_s", static_cast<double>(t.virtual_time_ns) / kNsPerS, 9);
  const device::DeviceStats& d = t.device;
  const CapturePinStats& p = t.pin;
  // The pin's fates of the frames it delivered; the device's own drops.
  FrameFateCounts frames = p.frames;
  frames.add_drops(drops_of(d));
  set_frame_fates(r, frames, kDeviceModelFates, kDeviceModelDropReasons);
  r.set("frames.due", d.frames_due);
  r.set("frames.produced", d.frames_produced);
  const std::uint64_t delivered = frames.captured();
  const std::uint64_t aborted = frames.dropped[DropReason::kAborted];
  r.set("frames.in_flight_at_end",
        d.frames_produced >= delivered + aborted ? d.frames_produced - delivered - aborted : 0);

  r.set("device.interrupts", d.interrupts_raised);
  r.set("device.interrupts_coalesced", d.interrupts_coalesced);
  for (device::FaultKind kind : kFaultKinds) {
    r.set(fmt::format("device.faults.{}", device::to_string(kind)), d.faults_fired_of(kind));
  }

  r.set("host.interrupts_serviced", p.interrupts);
  r.set("host.completions", p.completions);
  r.set("host.buffers_posted", p.buffers_posted);
  r.set("host.buffers_rejected", p.frames[FrameFate::kRejected]);
}

void RunReport::fill_camera(const RunTotals& t) {
  Report& r = report_;
  const uvc::SourceCounters& c = t.camera.source;
  const uvc::AssemblerCounters& a = c.assembly;
  const CapturePinStats& p = t.pin;
  // Frames the camera began sending: each delivered, dropped, or being received.
  set_frame_fates(r, p.frames, kCameraFates, kCameraDropReasons);
  r.set("frames.due", a.frames_started);
  r.set("frames.produced", a.frames_started - p.frames.dropped[DropReason::kStarvation]);
  const std::uint64_t settled = p.frames.captured() + p.frames.dropped.total();
  r.set("frames.in_flight_at_end", a.frames_started > settled ? a.frames_started - settled : 0);
  for (DropReason reason : kCameraDamageReasons) {
    r.set(fmt::format("frames.damaged.{}", to_string(reason)), a.delivered_damaged[reason]);
  }

  const ArrivalFigures& arrival = t.camera.arrival;
  r.distribution("arrival.interval_us", SampleScale::kNsToUs) = arrival.interval_ns;
  r.distribution("arrival.jitter_us", SampleScale::kNsToUs) = arrival.jitter_ns;
  r.distribution("arrival.latency_us", SampleScale::kNsToUs) = arrival.latency_ns;
  r.set("arrival.frames", arrival.frames);
  r.set("arrival.before_device_time", arrival.before_device_time);
  r.set("arrival.gaps", arrival.gaps);
  r.set("arrival.missing_frames", arrival.missing_frames);
  r.set("arrival.stalls", arrival.stalls);
  r.set("arrival.longest_gap_ms", static_cast<double>(arrival.longest_gap_ns) / kNsPerMs, 3);
  r.set("arrival.stall_intervals", std::uint64_t{scenario_.camera->stall_intervals});

  r.set("usb.payloads", a.payloads);
  r.set("usb.header_only_payloads", a.header_only_payloads);
  r.set("usb.invalid_headers", a.invalid_headers);
  r.set("usb.error_bit_payloads", a.error_bit_payloads);
  r.set("usb.overflow_bytes", a.overflow_bytes);
  r.set("usb.transfers.submitted", c.transfers_submitted);
  r.set("usb.transfers.completed", c.transfers_completed);
  r.set("usb.transfers.failed", c.transfers_failed);
  r.set("usb.transfers.timed_out", c.transfers_timed_out);
  r.set("usb.transfers.cancelled", c.transfers_cancelled);
  r.set("usb.transfers.orphaned", c.orphaned_transfers);
  r.set("usb.transfers.max_in_flight", std::uint64_t{c.max_in_flight});
  r.set("usb.stalls", c.stalls);
  r.set("usb.halts_cleared", c.halts_cleared);
  r.set("usb.disconnected", c.disconnected);
}

std::vector<ScenarioError> check_expect_figures(const Scenario& scenario) {
  std::vector<ScenarioError> errors;
  if (!scenario.expect.is_object()) return errors;
  const nlohmann::json shape = RunReport(scenario).take().to_json(WallTime::kOmit);
  for (const auto& item : scenario.expect.items()) {
    const ExpectationResult result =
        evaluate_expectations(shape, nlohmann::json{{item.key(), item.value()}});
    const std::string quoted = nlohmann::json(item.key()).dump();
    for (std::string problem : result.errors) {
      // `expect "x": no such figure...` -> `"x", no such figure...`
      if (const std::string prefix = "expect " + quoted + ": "; problem.starts_with(prefix)) {
        problem = quoted + ", " + problem.substr(prefix.size());
      }
      errors.push_back({ScenarioError::Kind::kValue, scenario.file,
                        child_pointer("/expect", item.key()),
                        "the dotted path of one figure of the report", std::move(problem)});
    }
  }
  return errors;
}

}  // namespace hilcap::sim
