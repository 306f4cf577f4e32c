#include "serve/serve_recorder.h"

#include <fmt/format.h>
#include <hilcap/device/uvc_protocol.h>

#include <array>
#include <utility>

namespace hilcap::sim {
namespace {

// The frame source's drop counters by the names the report
// (frames.dropped.by_reason.*) and the timeline (dropped.*) give them.
constexpr std::pair<const char*, std::uint64_t device::uvc::ModelFrameDrops::*> kDropReasons[] = {
    {"stall", &device::uvc::ModelFrameDrops::stall},
    {"scheduled", &device::uvc::ModelFrameDrops::scheduled},
    {"random", &device::uvc::ModelFrameDrops::random},
    {"late", &device::uvc::ModelFrameDrops::late},
};

using device::uvc::SetupPacket;

const char* standard_request_name(std::uint8_t request) {
  static constexpr std::array<const char*, 13> kNames = {
      "get_status",    "clear_feature",  "request_2",      "set_feature",       "request_4",
      "set_address",   "get_descriptor", "set_descriptor", "get_configuration", "set_configuration",
      "get_interface", "set_interface",  "synch_frame"};
  return request < kNames.size() ? kNames[request] : "other";
}

const char* class_request_name(std::uint8_t request) {
  switch (request) {
    case device::uvc::kSetCur:
      return "set_cur";
    case device::uvc::kGetCur:
      return "get_cur";
    case device::uvc::kGetMin:
      return "get_min";
    case device::uvc::kGetMax:
      return "get_max";
    case device::uvc::kGetRes:
      return "get_res";
    case device::uvc::kGetLen:
      return "get_len";
    case device::uvc::kGetInfo:
      return "get_info";
    case device::uvc::kGetDef:
      return "get_def";
    default:
      return "other";
  }
}

// "probe", "commit", "vs" (another VideoStreaming control), "vc", "other".
const char* class_target(const SetupPacket& setup) {
  const auto interface = static_cast<std::uint8_t>(setup.index);
  if (interface == device::uvc::kControlInterface) return "vc";
  if (interface != device::uvc::kStreamingInterface) return "other";
  switch (setup.value >> 8) {
    case device::uvc::kVsProbeControl:
      return "probe";
    case device::uvc::kVsCommitControl:
      return "commit";
    default:
      return "vs";
  }
}

const char* end_name(device::uvc::TransferEnd end) {
  switch (end) {
    case device::uvc::TransferEnd::kCompleted:
      return "completed";
    case device::uvc::TransferEnd::kNoData:
      return "no data";
    case device::uvc::TransferEnd::kError:
      return "error";
    case device::uvc::TransferEnd::kStalled:
      return "stalled";
    case device::uvc::TransferEnd::kDisconnected:
      return "disconnected";
  }
  return "?";
}

void set_block(Report& r, const std::string& prefix, const device::uvc::ProbeCommit& pc) {
  r.set(prefix + ".format_index", pc.format_index);
  r.set(prefix + ".frame_index", pc.frame_index);
  r.set(prefix + ".frame_interval_100ns", pc.frame_interval_100ns);
  r.set(prefix + ".max_video_frame_size", pc.max_video_frame_size);
  r.set(prefix + ".max_payload_transfer_size", pc.max_payload_transfer_size);
}

}  // namespace

ServeRecorder::ServeRecorder(Report& report, TraceWriter* trace, std::ostream& log,
                             device::uvc::ModelCamera& camera, Clock::time_point epoch)
    : report_(report),
      trace_(trace),
      log_(log),
      camera_(camera),
      epoch_(epoch),
      control_requests_(&report.counter("usb.control.requests")),
      control_stalled_(&report.counter("usb.control.stalled")),
      bulk_requests_(&report.counter("usb.bulk.requests")),
      bulk_completed_(&report.counter("usb.bulk.completed")),
      bulk_bytes_(&report.counter("usb.bulk.bytes")),
      iso_packets_(&report.counter("usb.iso.packets")),
      iso_bytes_(&report.counter("usb.iso.bytes")),
      bulk_wait_(&report.distribution("usb.bulk.wait_us", SampleScale::kNsToUs)),
      lateness_(&report.distribution("frames.lateness_us", SampleScale::kNsToUs)) {
  // Every figure a reader looks for exists, zero when nothing happened.
  for (const char* name :
       {"usb.connects", "usb.disconnects", "usb.resets", "usb.set_configuration",
        "usb.set_interface", "usb.bulk.cancelled", "usb.bulk.stalled", "usb.bulk.errors",
        "usb.iso.streams_started", "usb.iso.streams_stopped", "usb.iso.error_packets",
        "usb.iso.skipped_packets", "usb.interrupt.started", "usb.interrupt.packets",
        "protocol.malformed", "protocol.refused", "uvc.probe.sets", "uvc.commit.sets"})
    report.counter(name);
  if (trace_ != nullptr) {
    bus_track_ = trace_->track("usb", "bus");
    control_track_ = trace_->track("usb", "control");
    bulk_track_ = trace_->track("usb", "bulk");
    iso_track_ = trace_->track("usb", "isochronous");
    frame_track_ = trace_->track("camera", "frames");
  }
}

TimeNs ServeRecorder::now() const {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - epoch_).count();
}

void ServeRecorder::note(const std::string& line) {
  log_ << fmt::format("{}[serve {:8.3f} s] {}\n", progress_line_ ? "\r\033[K" : "",
                      static_cast<double>(now()) / 1e9, line);
  log_.flush();
}

void ServeRecorder::record_frames_since(TimeNs now) {
  if (timeline_ == nullptr) return;
  const device::uvc::ModelFrameStats stats = camera_.frames().stats();
  for (std::uint64_t i = recorded_.frames_due; i < stats.frames_due; ++i)
    timeline_->frame_due(now);
  for (const auto& [name, count] : kDropReasons) {
    for (std::uint64_t i = recorded_.drops.*count; i < stats.drops.*count; ++i)
      timeline_->frame_dropped(now, name);
  }
  recorded_ = stats;
}

void ServeRecorder::frame_handed_over(const device::uvc::FrameHandOver& frame) {
  ++frames_offered_;
  lateness_->record(std::max<TimeNs>(0, frame.lateness_ns));
  if (timeline_ != nullptr) {
    const TimeNs at = now();
    record_frames_since(at);
    timeline_->frame_lateness(at, frame.lateness_ns);
  }
  if (trace_ != nullptr) {
    trace_->instant(frame_track_, "frame offered", now(),
                    {{"frame", frame.frame},
                     {"sequence", frame.sequence},
                     {"due_ms", static_cast<double>(frame.due_ns) / 1e6},
                     {"late_us", static_cast<double>(frame.lateness_ns) / 1e3},
                     {"bytes", static_cast<std::uint64_t>(frame.bytes)},
                     {"error", frame.fault == device::uvc::FrameFault::kError}});
  }
}

void ServeRecorder::peer_hello(const std::string& version) {
  report_.set("serve.peer", version);
  note("peer: " + version);
}

void ServeRecorder::device_connected(bool again) {
  ++report_.counter("usb.connects");
  const auto& c = camera_.personality().config();
  note(fmt::format("device {:04x}:{:04x} {} (device_connect)", c.vendor_id, c.product_id,
                   again ? "plugged back in" : "plugged in"));
  if (trace_ != nullptr) trace_->instant(bus_track_, again ? "replugged" : "connected", now());
}

void ServeRecorder::device_disconnected(std::optional<std::chrono::nanoseconds> reconnect_after) {
  ++report_.counter("usb.disconnects");
  note(reconnect_after
           ? fmt::format(
                 "device dropped off the bus (device_disconnect); back in {} ms",
                 std::chrono::duration_cast<std::chrono::milliseconds>(*reconnect_after).count())
           : std::string("device dropped off the bus (device_disconnect)"));
  if (trace_ != nullptr) trace_->instant(bus_track_, "disconnected", now());
}

void ServeRecorder::record_probe_commit(const SetupPacket& setup, std::span<const std::uint8_t> out,
                                        bool stalled) {
  if (setup.request != device::uvc::kSetCur || stalled) return;
  const std::string target = class_target(setup);
  if (target == "probe") {
    ++report_.counter("uvc.probe.sets");
    set_block(report_, "uvc.probe.requested", device::uvc::decode_probe_commit(out));
  } else if (target == "commit") {
    ++report_.counter("uvc.commit.sets");
    const auto& committed = camera_.personality().negotiation().committed();
    if (!committed) return;
    set_block(report_, "uvc.commit", *committed);
    const auto& frame = camera_.personality()
                            .config()
                            .formats.at(committed->format_index - 1)
                            .frames.at(committed->frame_index - 1);
    note(fmt::format(
        "COMMIT format {} frame {} ({}x{}), interval {} x 100 ns ({:.3f} fps), "
        "frame {} B, payload {} B",
        committed->format_index, committed->frame_index, frame.width, frame.height,
        committed->frame_interval_100ns,
        committed->frame_interval_100ns != 0 ? 1e7 / committed->frame_interval_100ns : 0.0,
        committed->max_video_frame_size, committed->max_payload_transfer_size));
  }
}

void ServeRecorder::control(const SetupPacket& setup, const device::uvc::ControlOutcome& outcome,
                            std::span<const std::uint8_t> out, std::span<const std::uint8_t> in) {
  ++*control_requests_;
  if (outcome.stalled()) ++*control_stalled_;
  const std::uint8_t type = setup.request_type & 0x60;
  std::string kind;
  if (type == 0x00) {
    kind = std::string("usb.control.") + standard_request_name(setup.request);
    if (setup.request == device::uvc::kRequestClearFeature && (setup.request_type & 0x1f) == 0x02 &&
        setup.value == device::uvc::kFeatureEndpointHalt)
      note(fmt::format("CLEAR_FEATURE(ENDPOINT_HALT) on endpoint 0x{:02x}", setup.index & 0xff));
  } else if (type == 0x20) {
    kind =
        fmt::format("uvc.requests.{}.{}", class_target(setup), class_request_name(setup.request));
    record_probe_commit(setup, out, outcome.stalled());
  } else {
    kind = "usb.control.vendor";
  }
  ++report_.counter(kind);
  if (trace_ != nullptr) {
    trace_->instant(control_track_, kind.substr(kind.find('.') + 1), now(),
                    {{"bmRequestType", setup.request_type},
                     {"bRequest", setup.request},
                     {"wValue", setup.value},
                     {"wIndex", setup.index},
                     {"wLength", setup.length},
                     {"stall", outcome.stalled()},
                     {"returned", static_cast<std::uint64_t>(in.size())}});
  }
}

void ServeRecorder::configuration_set(std::uint8_t value, bool accepted) {
  ++report_.counter("usb.set_configuration");
  if (!accepted) note(fmt::format("SET_CONFIGURATION {} refused", value));
  if (trace_ != nullptr)
    trace_->instant(control_track_, "set_configuration", now(),
                    {{"value", value}, {"accepted", accepted}});
}

void ServeRecorder::alt_setting_set(std::uint8_t interface, std::uint8_t alt, bool accepted) {
  ++report_.counter("usb.set_interface");
  note(fmt::format("SET_INTERFACE interface {} alternate setting {}{}", interface, alt,
                   accepted ? "" : " refused"));
  if (trace_ != nullptr)
    trace_->instant(control_track_, "set_interface", now(),
                    {{"interface", interface}, {"alt", alt}, {"accepted", accepted}});
}

void ServeRecorder::reset() {
  ++report_.counter("usb.resets");
  note("bus reset");
  if (trace_ != nullptr) trace_->instant(bus_track_, "reset", now());
}

void ServeRecorder::bulk_requested(std::uint8_t, std::uint32_t) {
  ++*bulk_requests_;
}

void ServeRecorder::bulk_answered(std::uint8_t endpoint, device::uvc::TransferEnd end,
                                  std::size_t bytes, std::chrono::nanoseconds waited) {
  bulk_wait_->record(waited.count());
  switch (end) {
    case device::uvc::TransferEnd::kCompleted:
      ++*bulk_completed_;
      *bulk_bytes_ += bytes;
      break;
    case device::uvc::TransferEnd::kStalled:
      ++report_.counter("usb.bulk.stalled");
      note(fmt::format("bulk endpoint 0x{:02x} halted (STALL)", endpoint));
      break;
    case device::uvc::TransferEnd::kError:
      ++report_.counter("usb.bulk.errors");
      break;
    case device::uvc::TransferEnd::kNoData:
    case device::uvc::TransferEnd::kDisconnected:
      break;
  }
  if (trace_ != nullptr) {
    const TimeNs t = now();
    trace_->complete(bulk_track_, "bulk IN", t - waited.count(), waited.count(),
                     {{"bytes", static_cast<std::uint64_t>(bytes)}, {"end", end_name(end)}});
  }
}

void ServeRecorder::bulk_cancelled(std::uint8_t) {
  ++report_.counter("usb.bulk.cancelled");
}

void ServeRecorder::iso_stream(std::uint8_t endpoint, bool started) {
  ++report_.counter(started ? "usb.iso.streams_started" : "usb.iso.streams_stopped");
  note(fmt::format("isochronous stream on endpoint 0x{:02x} {}", endpoint,
                   started ? "started" : "stopped"));
  if (trace_ != nullptr)
    trace_->instant(iso_track_, started ? "stream started" : "stream stopped", now());
}

void ServeRecorder::iso_sent(std::uint8_t, std::size_t packets, std::size_t bytes,
                             std::size_t errors, std::size_t skipped) {
  *iso_packets_ += packets;
  *iso_bytes_ += bytes;
  if (errors > 0) report_.counter("usb.iso.error_packets") += errors;
  if (skipped > 0) report_.counter("usb.iso.skipped_packets") += skipped;
  if (trace_ != nullptr) {
    iso_bytes_traced_ += bytes;
    trace_->counter(iso_track_, "isochronous bytes", now(), {{"bytes", iso_bytes_traced_}});
  }
}

void ServeRecorder::interrupt_receiving(std::uint8_t endpoint, bool started) {
  if (started) ++report_.counter("usb.interrupt.started");
  note(fmt::format("interrupt endpoint 0x{:02x} {}", endpoint,
                   started ? "polled by the host" : "no longer polled"));
}

void ServeRecorder::interrupt_sent(std::uint8_t, std::size_t) {
  ++report_.counter("usb.interrupt.packets");
}

void ServeRecorder::protocol_error(const std::string& what) {
  ++report_.counter("protocol.malformed");
  note("protocol error: " + what);
}

void ServeRecorder::request_refused(const std::string& what) {
  ++report_.counter("protocol.refused");
  note("refused: " + what);
}

void ServeRecorder::finish(const ModelCameraDevice& device) {
  const device::uvc::ModelFrameStats stats = camera_.frames().stats();
  if (timeline_ != nullptr) {
    const TimeNs end = now();
    record_frames_since(end);
    timeline_->finish(end);
  }
  const std::uint64_t sent = device.frames_completed();
  report_.set("frames.due", stats.frames_due);
  report_.set("frames.offered", stats.frames_sent);
  report_.set("frames.sent", sent);
  report_.set("frames.cut_off", stats.frames_sent > sent ? stats.frames_sent - sent : 0);
  report_.set("frames.dropped.total", stats.drops.total());
  for (const auto& [name, count] : kDropReasons)
    report_.set(fmt::format("frames.dropped.by_reason.{}", name), stats.drops.*count);
  report_.set("frames.error", stats.error_frames);
  report_.set("frames.short", stats.short_frames);
  report_.set("frames.corrupt", stats.corrupt_frames);
  report_.set("frames.mjpeg_too_large",
              camera_.mjpeg() != nullptr ? camera_.mjpeg()->frames_too_large() : 0);
  report_.set("uvc.streams", device.streams_started());
  report_.set("device.disconnected_by_fault", stats.disconnected);
}

}  // namespace hilcap::sim
