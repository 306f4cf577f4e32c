// Watches one run as it happens, whatever its clock and device: the one
// place the clients' events (ClientEvents) and the device's notices arrive.
// It keeps the run's per-event invariants (no frame with two owners, every
// frame a client gets aligned and held, exactly-once completion), records
// pending-ALLOC latencies, draws the Chrome trace when there is one and
// drives the progress line. The first violation stops the run with the time,
// the last event and the state. "Sequence gaps equal drops" is checked where
// frames are handed out, by the allocator (StreamAllocator::sequence_break),
// which sees them in their one true order in every run.
//
// Threads: in a threaded run (real time) clients report from their own
// threads and the device from its own (the model's device thread, or
// libusb's for a camera); every notice is then taken under one lock. The
// device's notices come under the device's lock (or while a camera stream
// is being stopped under the pin's), and the monitor reads the allocator
// and the pin: so they are queued under a lock of their own and handled, in
// order, before the next client notice (or at catch_up()), which keeps the
// lock order monitor -> pin -> allocator -> device -> queue.
//
// Tracing off costs nothing: every trace call is behind a null test, and the
// device observer is installed only for traces, progress, timelines (the
// HTML report), checked builds and real time. The same holds for the
// timeline.
#pragma once

#include <hilcap/stream_allocator.h>

#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "clients/ks_client.h"
#include "device_observer.h"
#include "progress/progress_line.h"
#include "report/distribution.h"
#include "scheduler/realtime_scheduler.h"
#include "scheduler/scheduler.h"
#include "timeline/run_timeline.h"
#include "trace/trace_writer.h"

namespace hilcap::sim {

class CaptureStack;

// A frame a device that delivers by itself (a camera) sent, as the run sees it.
struct ArrivedFrame {
  TimeNs at = 0;               // on the run's clock
  std::uint64_t sequence = 0;  // the device's count of frames, dropped ones included
  std::uint32_t bytes = 0;
  FrameFate fate = FrameFate::kOk;  // kDropped: not delivered, for `drop_reason`
  DropReason drop_reason = DropReason::kStarvation;
  std::optional<TimeNs> device_time;  // its timestamp on the run's clock, when the camera sent one
};

class RunMonitor final : public ClientEvents, public device::DeviceObserver {
 public:
  // `clock`: the run's clock (times in messages and the trace; a violation
  // stops it). `trace` and `progress` may be null. `latency` receives
  // pending-ALLOC latencies in ns. `threaded`: notices come from several
  // threads (see above).
  RunMonitor(Scheduler& clock, Distribution& latency, TraceWriter* trace, ProgressLine* progress,
             bool threaded);

  // The device, pin and allocator whose state a violation message shows and
  // whose allocator the frame checks read; set once it exists.
  void attach(CaptureStack& stack) { stack_ = &stack; }
  // Real time on the device model: how long after its due time the device
  // thread started each frame, measured on `device`'s running event.
  void measure_frame_lateness(const RealtimeScheduler& device) { lateness_clock_ = &device; }
  // The device thread's frame lateness (ns); read once that thread has ended.
  const Distribution& frame_lateness() const { return frame_lateness_; }

  // Frames clients hold right now (ownership as the clients saw it).
  std::size_t frames_held() const;
  // Frames clients received so far.
  std::uint64_t frames_received() const;
  std::optional<std::string> first_violation() const;
  // Records a violation found by a check outside the monitor (conservation...).
  void violation(std::string what) override;
  // Handles the queued device notices now (a threaded run's coordinator, now and then).
  void catch_up();
  bool tracing() const { return trace_ != nullptr; }
  // Records the run over time into `timeline` (the HTML report); set before
  // the run starts. Null (the default): nothing is recorded, at no cost.
  void record_timeline(RunTimeline* timeline) { timeline_ = timeline; }
  // The host's completion path must tell service_ran() (a trace, a timeline).
  bool wants_service_notices() const { return trace_ != nullptr || timeline_ != nullptr; }
  // The timeline's levels now (the run's start).
  void sample_timeline();
  // The run ended at `end`: frames still held and requests still pending
  // close on the timeline.
  void finish_timeline(TimeNs end);
  // Trace, timeline: the host's completion path ran.
  void service_ran(TimeNs now, std::size_t completions);
  // A frame a camera sent (trace, progress); from its own thread.
  void frame_arrived(const ArrivedFrame& frame);

  // ClientEvents
  void alloc_issued(const KsClient& client, const KsRequest& request, NTSTATUS status) override;
  void alloc_completed(const KsClient& client, const KsRequest& request, NTSTATUS status) override;
  void frame_received(const KsClient& client, void* frame) override;
  void frame_freed(const KsClient& client, void* frame, NTSTATUS status) override;
  void cancel_issued(const KsClient& client, const KsRequest* request, bool found) override;
  void allocator_closed(const KsClient& client, NTSTATUS status) override;

  // device::DeviceObserver
  void on_state_change(TimeNs now, device::PinState from, device::PinState to) override;
  void on_frame_due(TimeNs now, std::uint64_t frame, std::uint64_t sequence) override;
  void on_frame_produced(TimeNs now, std::uint64_t sequence, std::uint32_t buffer_id) override;
  void on_completion(TimeNs now, const device::CompletionEntry& entry) override;
  void on_drop(TimeNs now, std::uint64_t sequence, device::ModelDropReason reason) override;
  void on_interrupt(TimeNs now) override;
  void on_fault(TimeNs now, device::FaultKind kind) override;

 private:
  // What happened last, cheap to keep on every event; formatted only for a violation.
  struct LastEvent {
    const char* what = "the start of the run";
    const KsClient* client = nullptr;
    std::uint64_t number = 0;
  };
  // Who holds a frame, since when, and which frame it is.
  struct Holder {
    const KsClient* client = nullptr;
    TimeNs since = 0;
    std::int64_t picture_number = 0;  // 0: not read (no trace)
  };
  // A device notice held back in a threaded run.
  using DeviceNotice = std::function<void(RunMonitor&)>;
  // The lock of a threaded run (none in a single-threaded one), with the
  // queued device notices handled first.
  class Guard;

  void note(const char* what, const KsClient* client, std::uint64_t number) {
    last_ = {what, client, number};
  }
  void device_notice(DeviceNotice notice);
  void handle_device_notices();  // mutex_ held
  void record_violation(std::string what);
  std::string state_summary() const;
  // A frame a client received: aligned as framed, and one the allocator lists as held.
  void check_frame(const KsClient& client, void* frame);
  // The frame's PictureNumber, for the trace.
  std::int64_t picture_number(const void* frame) const;
  TraceTrack client_track(const KsClient& client);
  void trace_occupancy(TimeNs now);
  void trace_arrival(const ArrivedFrame& frame);
  // The allocator's split of the frames and its pending requests, on the timeline.
  void timeline_owners(TimeNs now);

  Scheduler& clock_;
  Distribution& latency_;
  TraceWriter* trace_;
  RunTimeline* timeline_ = nullptr;
  ProgressLine* progress_;
  const bool threaded_;
  CaptureStack* stack_ = nullptr;
  const RealtimeScheduler* lateness_clock_ = nullptr;
  Distribution frame_lateness_;  // device thread only

  mutable std::recursive_mutex mutex_;  // the monitor, in a threaded run
  std::mutex queue_mutex_;              // device_notices_; taken last
  std::vector<DeviceNotice> device_notices_;

  std::unordered_map<void*, Holder> owners_;
  LastEvent last_;
  std::optional<std::string> violation_;
  std::uint64_t frames_due_ = 0;
  std::uint64_t drops_ = 0;
  std::uint64_t frames_received_ = 0;
  // Trace tracks (only when tracing).
  TraceTrack device_frames_{};
  TraceTrack device_dma_{};
  TraceTrack device_line_{};
  TraceTrack host_service_{};
  TraceTrack pin_state_{};
  TraceTrack allocator_{};
  std::unordered_map<const KsClient*, TraceTrack> client_tracks_;
};

}  // namespace hilcap::sim
