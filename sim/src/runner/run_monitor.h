// Watches one run as it happens: what the clients and the device do. It
// keeps the run's per-event invariants (no frame with two owners, sequence
// numbers increasing with gaps equal to drops, exactly-once completion),
// records pending-ALLOC latencies, draws the Chrome trace when there is one
// and drives the progress line. The first violation stops the run with the
// virtual time, the last event and the state. The per-frame checks (frame
// alignment, sequence numbers) run in checked builds (runner/checked.h).
//
// Tracing off costs nothing: every trace call is behind a null test, and the
// device observer is installed only for traces, progress or checked builds.
#pragma once

#include <hilcap/stream_allocator.h>

#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "clients/ks_client.h"
#include "device_observer.h"
#include "progress/progress_line.h"
#include "report/distribution.h"
#include "scheduler/scheduler.h"
#include "trace/trace_writer.h"

namespace hilcap::sim {

class CaptureStack;

class RunMonitor final : public ClientEvents, public device::DeviceObserver {
 public:
  // `trace` and `progress` may be null. `latency` receives pending-ALLOC
  // latencies in ns.
  RunMonitor(Scheduler& scheduler, Distribution& latency, TraceWriter* trace,
             ProgressLine* progress);

  // The bench whose state a violation message shows and whose allocator the
  // sequence check reads; set once it exists.
  void attach(CaptureStack& stack) { stack_ = &stack; }
  // Real time: clients on their own threads see frames in the order their
  // threads run, not in the order the allocator handed them out (a frame
  // completing a pended ALLOC can be seen after a later one taken at once), so
  // the per-frame "sequence gaps equal drops" check, which needs that order,
  // is left to virtual-time runs. Ownership and alignment are still checked.
  void frames_seen_out_of_order() { check_sequence_ = false; }

  // Frames clients hold right now (ownership as the clients saw it).
  std::size_t frames_held() const { return owners_.size(); }
  const std::optional<std::string>& first_violation() const { return violation_; }
  // Records a violation found by a check outside the monitor (conservation...).
  void violation(std::string what) override;
  // The run's state in one line, for violation messages.
  std::string state_summary() const;
  // Trace: the host's completion path ran.
  void service_ran(TimeNs now, std::size_t completions);

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
  void on_drop(TimeNs now, std::uint64_t sequence, device::DropReason reason) override;
  void on_interrupt(TimeNs now) override;
  void on_fault(TimeNs now, device::FaultKind kind) override;

 private:
  // What happened last, cheap to keep on every event; formatted only for a violation.
  struct LastEvent {
    const char* what = "the start of the run";
    const KsClient* client = nullptr;
    std::uint64_t number = 0;
  };
  // The sequence check of one stream (counters reset on STOP -> ACQUIRE).
  struct Stream {
    TimeNs started_at = 0;  // frames the host saw before this belong to the previous stream
    std::int64_t picture_number = 0;
    std::int64_t drop_count = 0;
  };

  void note(const char* what, const KsClient* client, std::uint64_t number) {
    last_ = {what, client, number};
  }
  // A frame a client received: aligned as framed, one the allocator lists as
  // held, and (unless handed back unfilled, or from before the last counter
  // reset) numbered after the previous one with the gap equal to the drops.
  void check_frame(const KsClient& client, void* frame);
  TraceTrack client_track(const KsClient& client);
  void trace_occupancy(TimeNs now);

  Scheduler& scheduler_;
  Distribution& latency_;
  TraceWriter* trace_;
  ProgressLine* progress_;
  CaptureStack* stack_ = nullptr;
  std::unordered_map<void*, const KsClient*> owners_;
  Stream stream_;
  bool check_sequence_ = true;
  LastEvent last_;
  std::optional<std::string> violation_;
  std::uint64_t frames_due_ = 0;
  std::uint64_t drops_ = 0;
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
