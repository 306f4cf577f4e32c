// What the host did to the served camera, as `hilcap serve` reports it: the
// bus's events (control requests by kind, PROBE/COMMIT values asked for and
// committed, configuration and alternate-setting changes, bulk requests and
// isochronous packets served, cancels, resets, unplugs, protocol errors) and
// the camera's frames (offered, fully sent, dropped by cause, how late the
// host's demand let them leave), into the same Report and Chrome trace as a
// scenario run, plus a readable line on the log for each notable event.
//
// Figures (configs/README.md, "hilcap serve"):
//   usb.control.<request>          standard requests by name (get_descriptor, ...)
//   uvc.requests.<probe|commit|vc|vs>.<request>   class requests by selector
//   uvc.probe.requested.*, uvc.commit.*           the last PROBE the host set, what was committed
//   usb.bulk.*, usb.iso.*, usb.interrupt.*        transfers served
//   frames.due|offered|sent|cut_off|dropped.*      the camera's frames
//   frames.lateness_us                            handed to the bus after their due time
#pragma once

#include <chrono>
#include <cstdint>
#include <ostream>
#include <string>

#include "model_camera.h"
#include "redirection_observer.h"
#include "report/report.h"
#include "serve/camera_device.h"
#include "timeline/run_timeline.h"
#include "trace/trace_writer.h"

namespace hilcap::sim {

class ServeRecorder final : public bus::RedirectionObserver {
 public:
  using Clock = std::chrono::steady_clock;

  // `trace` may be null. Times in the trace and the log count from `epoch`.
  ServeRecorder(Report& report, TraceWriter* trace, std::ostream& log,
                device::uvc::ModelCamera& camera, Clock::time_point epoch);

  // Records the frames over time too (for `--html`): due, dropped by reason
  // and lateness, at the time each frame leaves. Null: none (the default).
  void set_timeline(RunTimeline* timeline) { timeline_ = timeline; }

  // The camera's frame source handed a frame to the stream.
  void frame_handed_over(const device::uvc::FrameHandOver& frame);
  // The figures known only at the end: frames by fate, the last values.
  void finish(const ModelCameraDevice& device);

  // A progress line is drawn on the log's terminal: event lines clear it first.
  void set_progress_line(bool drawn) { progress_line_ = drawn; }
  // Counters for a progress line.
  std::uint64_t frames_offered() const { return frames_offered_; }
  std::uint64_t requests() const { return *control_requests_; }

  void peer_hello(const std::string& version) override;
  void device_connected(bool again) override;
  void device_disconnected(std::optional<std::chrono::nanoseconds> reconnect_after) override;
  void control(const device::uvc::SetupPacket& setup, const device::uvc::ControlOutcome& outcome,
               std::span<const std::uint8_t> out, std::span<const std::uint8_t> in) override;
  void configuration_set(std::uint8_t value, bool accepted) override;
  void alt_setting_set(std::uint8_t interface, std::uint8_t alt, bool accepted) override;
  void reset() override;
  void bulk_requested(std::uint8_t endpoint, std::uint32_t length) override;
  void bulk_answered(std::uint8_t endpoint, device::uvc::TransferEnd end, std::size_t bytes,
                     std::chrono::nanoseconds waited) override;
  void bulk_cancelled(std::uint8_t endpoint) override;
  void iso_stream(std::uint8_t endpoint, bool started) override;
  void iso_sent(std::uint8_t endpoint, std::size_t packets, std::size_t bytes, std::size_t errors,
                std::size_t skipped) override;
  void interrupt_receiving(std::uint8_t endpoint, bool started) override;
  void interrupt_sent(std::uint8_t endpoint, std::size_t bytes) override;
  void protocol_error(const std::string& what) override;
  void request_refused(const std::string& what) override;

 private:
  TimeNs now() const;
  void note(const std::string& line);
  // Frames due and dropped since the last call, into the timeline at `now`:
  // the frame source counts them as it goes; they show up as the next frame
  // leaves (or at the end), when the source has decided their fate.
  void record_frames_since(TimeNs now);
  void record_probe_commit(const device::uvc::SetupPacket& setup, std::span<const std::uint8_t> out,
                           bool stalled);

  Report& report_;
  TraceWriter* trace_;
  std::ostream& log_;
  device::uvc::ModelCamera& camera_;
  Clock::time_point epoch_;
  TraceTrack control_track_{};
  TraceTrack bulk_track_{};
  TraceTrack iso_track_{};
  TraceTrack frame_track_{};
  TraceTrack bus_track_{};

  std::uint64_t* control_requests_;
  std::uint64_t* control_stalled_;
  std::uint64_t* bulk_requests_;
  std::uint64_t* bulk_completed_;
  std::uint64_t* bulk_bytes_;
  std::uint64_t* iso_packets_;
  std::uint64_t* iso_bytes_;
  Distribution* bulk_wait_;
  Distribution* lateness_;
  std::uint64_t frames_offered_ = 0;
  RunTimeline* timeline_ = nullptr;
  device::uvc::ModelFrameStats recorded_{};  // what the timeline has been told
  std::uint64_t iso_bytes_traced_ = 0;
  bool progress_line_ = false;
};

}  // namespace hilcap::sim
