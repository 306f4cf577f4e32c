#include "runner/run_monitor.h"

#include <fmt/format.h>

#include "pin_state_machine.h"
#include "runner/capture_stack.h"
#include "runner/checked.h"
#include "runner/device_drops.h"
#include "scenario/json_units.h"
#include "scenario/status_names.h"

namespace hilcap::sim {
namespace {

std::string_view completion_status_name(device::CompletionStatus status) {
  switch (status) {
    case device::CompletionStatus::kOk:
      return "ok";
    case device::CompletionStatus::kShort:
      return "short";
    case device::CompletionStatus::kError:
      return "error";
    case device::CompletionStatus::kReturnedUnfilled:
      return "returned_unfilled";
    case device::CompletionStatus::kBufferRejected:
      return "buffer_rejected";
    case device::CompletionStatus::kDisconnected:
      return "disconnected";
  }
  return "unknown";
}

bool carries_frame(device::CompletionStatus status) {
  return status == device::CompletionStatus::kOk || status == device::CompletionStatus::kShort ||
         status == device::CompletionStatus::kError;
}

}  // namespace

class RunMonitor::Guard {
 public:
  explicit Guard(const RunMonitor& monitor) : monitor_(const_cast<RunMonitor&>(monitor)) {
    if (!monitor_.threaded_) return;
    monitor_.mutex_.lock();
    monitor_.handle_device_notices();
  }
  ~Guard() {
    if (monitor_.threaded_) monitor_.mutex_.unlock();
  }
  Guard(const Guard&) = delete;
  Guard& operator=(const Guard&) = delete;

 private:
  RunMonitor& monitor_;
};

RunMonitor::RunMonitor(Scheduler& clock, Distribution& latency, TraceWriter* trace,
                       ProgressLine* progress, bool threaded)
    : clock_(clock), latency_(latency), trace_(trace), progress_(progress), threaded_(threaded) {
  if (trace_ != nullptr) {
    device_frames_ = trace_->track("device", "frames");
    device_dma_ = trace_->track("device", "DMA");
    device_line_ = trace_->track("device", "interrupt line");
    host_service_ = trace_->track("host", "completion path");
    pin_state_ = trace_->track("host", "pin state");
    allocator_ = trace_->track("host", "allocator");
  }
}

void RunMonitor::device_notice(DeviceNotice notice) {
  if (!threaded_) {
    notice(*this);
    return;
  }
  const std::lock_guard lock(queue_mutex_);
  device_notices_.push_back(std::move(notice));
}

void RunMonitor::handle_device_notices() {
  std::vector<DeviceNotice> notices;
  {
    const std::lock_guard lock(queue_mutex_);
    notices.swap(device_notices_);
  }
  for (const DeviceNotice& notice : notices)
    notice(*this);
}

void RunMonitor::catch_up() {
  const Guard guard(*this);
}

std::size_t RunMonitor::frames_held() const {
  const Guard guard(*this);
  return owners_.size();
}

std::uint64_t RunMonitor::frames_received() const {
  const Guard guard(*this);
  return frames_received_;
}

std::optional<std::string> RunMonitor::first_violation() const {
  const Guard guard(*this);
  return violation_;
}

void RunMonitor::violation(std::string what) {
  const Guard guard(*this);
  record_violation(std::move(what));
}

void RunMonitor::record_violation(std::string what) {
  if (violation_) return;
  std::string after = last_.what;
  if (last_.client != nullptr) {
    after += fmt::format(" by client \"{}\"", last_.client->name());
  }
  if (last_.number != 0) after += fmt::format(" (#{})", last_.number);
  violation_ =
      fmt::format("at t={:.9f} s, after {}: {}; state: {}",
                  static_cast<double>(clock_.now()) / kNsPerS, after, what, state_summary());
  clock_.stop();
}

std::string RunMonitor::state_summary() const {
  std::string text = fmt::format("clients hold {} frame(s)", owners_.size());
  if (stack_ == nullptr) return text;
  return text + "; " + stack_->describe_state();
}

void RunMonitor::sample_timeline() {
  const Guard guard(*this);
  if (timeline_ != nullptr) timeline_owners(clock_.now());
}

void RunMonitor::finish_timeline(TimeNs end) {
  const Guard guard(*this);
  if (timeline_ == nullptr) return;
  for (const auto& [frame, holder] : owners_)
    timeline_->frame_held(holder.client->name(), holder.since, end);
  timeline_owners(end);
  timeline_->finish(end);
}

void RunMonitor::timeline_owners(TimeNs now) {
  if (stack_ == nullptr) return;
  const AllocatorOccupancy occupancy = stack_->allocator().occupancy();
  timeline_->owners(now, {.at_device = occupancy.at_source,
                          .ready = occupancy.ready,
                          .held = occupancy.held,
                          .pending = occupancy.pending});
}

void RunMonitor::service_ran(TimeNs now, std::size_t completions) {
  const Guard guard(*this);
  note("the host's completion path", nullptr, 0);
  if (timeline_ != nullptr) timeline_owners(now);
  if (trace_ != nullptr) {
    trace_->instant(host_service_, "service", now,
                    {{"completions", static_cast<std::uint64_t>(completions)}});
    trace_occupancy(now);
  }
}

void RunMonitor::frame_arrived(const ArrivedFrame& frame) {
  device_notice([frame](RunMonitor& m) {
    m.note("a frame from the device", nullptr, frame.sequence + 1);
    ++m.frames_due_;
    if (frame.fate == FrameFate::kDropped) ++m.drops_;
    if (m.progress_ != nullptr) m.progress_->update(frame.at, m.frames_due_, m.drops_);
    if (m.trace_ != nullptr) m.trace_arrival(frame);
    if (m.timeline_ != nullptr) {
      m.timeline_->frame_due(frame.at);
      if (frame.fate == FrameFate::kDropped)
        m.timeline_->frame_dropped(frame.at, to_string(frame.drop_reason));
      if (frame.device_time) m.timeline_->frame_lateness(frame.at, frame.at - *frame.device_time);
      m.timeline_owners(frame.at);
    }
  });
}

void RunMonitor::trace_arrival(const ArrivedFrame& frame) {
  if (frame.fate != FrameFate::kDropped) {
    trace_->instant(device_frames_, "frame", frame.at,
                    {{"sequence", frame.sequence}, {"bytes", frame.bytes}});
  } else {
    trace_->instant(device_frames_, "drop", frame.at,
                    {{"sequence", frame.sequence}, {"reason", to_string(frame.drop_reason)}});
  }
}

std::int64_t RunMonitor::picture_number(const void* frame) const {
  if (stack_ == nullptr || frame == nullptr) return 0;
  const std::optional<FrameInfo> info = stack_->allocator().frame_info(frame);
  return info ? info->sequence : 0;
}

void RunMonitor::alloc_issued(const KsClient& client, const KsRequest& request, NTSTATUS status) {
  const Guard guard(*this);
  note("an ALLOC", &client, request.serial);
  if (timeline_ != nullptr) {
    if (status == STATUS_PENDING)
      timeline_->request_pended(client.name(), request.serial, clock_.now());
    timeline_owners(clock_.now());
  }
  if (trace_ == nullptr) return;
  const TraceTrack track = client_track(client);
  const TimeNs now = clock_.now();
  if (status == STATUS_PENDING) {
    trace_->async_begin(track, "ALLOC pending", request.serial, now, {{"request", request.serial}});
  } else if (status == STATUS_SUCCESS) {
    trace_->instant(track, "ALLOC immediate", now,
                    {{"request", request.serial},
                     {"status", "STATUS_SUCCESS"},
                     {"frame", picture_number(request.frame)}});
  } else {
    const std::string name = status_name(status);
    trace_->instant(track, "ALLOC refused", now, {{"request", request.serial}, {"status", name}});
  }
  trace_occupancy(now);
}

void RunMonitor::alloc_completed(const KsClient& client, const KsRequest& request,
                                 NTSTATUS status) {
  const Guard guard(*this);
  note("the completion of an ALLOC", &client, request.serial);
  const TimeNs now = clock_.now();
  if (status == STATUS_SUCCESS) latency_.record(now - request.issued_at);
  if (timeline_ != nullptr) {
    timeline_->request_ended(client.name(), request.serial, now);
    timeline_owners(now);
  }
  if (trace_ != nullptr) {
    const std::string name = status_name(status);
    const std::int64_t frame = status == STATUS_SUCCESS ? picture_number(request.frame) : 0;
    trace_->async_end(client_track(client), "ALLOC pending", request.serial, now,
                      {{"status", name}, {"waited_ns", now - request.issued_at}, {"frame", frame}});
    trace_occupancy(now);
  }
}

void RunMonitor::frame_received(const KsClient& client, void* frame) {
  const Guard guard(*this);
  const TimeNs now = clock_.now();
  const auto [it, inserted] = owners_.try_emplace(frame, Holder{&client, now, 0});
  if (!inserted) {
    record_violation(
        fmt::format("no two owners: frame {} handed to client \"{}\" while client \"{}\" "
                    "holds it",
                    frame, client.name(), it->second.client->name()));
    return;
  }
  ++frames_received_;
  if constexpr (kChecked) check_frame(client, frame);
  if (timeline_ != nullptr) timeline_owners(now);
  if (trace_ != nullptr) {
    it->second.picture_number = picture_number(frame);
    trace_occupancy(now);
  }
}

void RunMonitor::frame_freed(const KsClient& client, void* frame, NTSTATUS status) {
  const Guard guard(*this);
  note("a FREE", &client, 0);
  const TimeNs now = clock_.now();
  Holder held;
  if (status == STATUS_SUCCESS) {
    const auto it = owners_.find(frame);
    if (it == owners_.end()) {
      record_violation(
          fmt::format("FREE of frame {} by client \"{}\" succeeded, but no client held it", frame,
                      client.name()));
      return;
    }
    held = it->second;
    owners_.erase(it);
  }
  if (timeline_ != nullptr) {
    if (held.client != nullptr) timeline_->frame_held(client.name(), held.since, now);
    timeline_owners(now);
  }
  if (trace_ != nullptr) {
    const std::string name = status_name(status);
    const TraceTrack track = client_track(client);
    if (held.client != nullptr) {
      // The hold itself: which frame, and for how long.
      trace_->complete(track, "holds a frame", held.since, now - held.since,
                       {{"frame", held.picture_number}, {"held_ns", now - held.since}});
      trace_->instant(
          track, "FREE", now,
          {{"status", name}, {"frame", held.picture_number}, {"held_ns", now - held.since}});
    } else {
      trace_->instant(track, "FREE", now, {{"status", name}});
    }
    trace_occupancy(now);
  }
}

void RunMonitor::cancel_issued(const KsClient& client, const KsRequest* request, bool found) {
  const Guard guard(*this);
  note("a CancelIoEx", &client, request ? request->serial : 0);
  if (timeline_ != nullptr) timeline_owners(clock_.now());
  if (trace_ != nullptr) {
    trace_->instant(client_track(client), "CancelIoEx", clock_.now(),
                    {{"request", request ? request->serial : 0}, {"found", found}});
    trace_occupancy(clock_.now());
  }
}

void RunMonitor::allocator_closed(const KsClient& client, NTSTATUS status) {
  const Guard guard(*this);
  note("CloseHandle of the allocator", &client, 0);
  // Frames still held die with the handle (reference: they stay invalid).
  if (status == STATUS_SUCCESS) {
    if (timeline_ != nullptr) {
      for (const auto& [frame, holder] : owners_)
        timeline_->frame_held(holder.client->name(), holder.since, clock_.now());
    }
    owners_.clear();
    if (stack_ != nullptr) stack_->allocator_closed();
  }
  if (timeline_ != nullptr) timeline_owners(clock_.now());
  if (trace_ != nullptr) {
    const std::string name = status_name(status);
    trace_->instant(client_track(client), "CloseHandle", clock_.now(), {{"status", name}});
  }
}

void RunMonitor::on_state_change(TimeNs now, device::PinState from, device::PinState to) {
  device_notice([=](RunMonitor& m) {
    m.note("a pin state change", nullptr, 0);
    if (m.trace_ != nullptr) {
      m.trace_->instant(m.pin_state_, to_string(to), now, {{"from", to_string(from)}});
    }
  });
}

void RunMonitor::on_frame_due(TimeNs now, std::uint64_t frame, std::uint64_t sequence) {
  TimeNs late = -1;
  if (lateness_clock_ != nullptr) {
    // On the device's thread, as it starts the frame.
    const RealtimeScheduler::RunningEvent& event = lateness_clock_->current_event();
    late = event.started > event.due ? event.started - event.due : 0;
    frame_lateness_.record(late);
  }
  device_notice([=](RunMonitor& m) {
    m.note("a frame due", nullptr, sequence + 1);
    ++m.frames_due_;
    if (m.timeline_ != nullptr) {
      m.timeline_->frame_due(now);
      if (late >= 0) m.timeline_->frame_lateness(now, late);
    }
    if (m.progress_ != nullptr) m.progress_->update(now, m.frames_due_, m.drops_);
    if (m.trace_ != nullptr) {
      m.trace_->instant(m.device_frames_, "frame due", now,
                        {{"frame", frame}, {"sequence", sequence}});
    }
  });
}

void RunMonitor::on_frame_produced(TimeNs now, std::uint64_t sequence, std::uint32_t buffer_id) {
  if (trace_ == nullptr) return;
  device_notice([=](RunMonitor& m) {
    m.trace_->instant(m.device_frames_, "frame produced", now,
                      {{"sequence", sequence}, {"buffer", buffer_id}});
  });
}

void RunMonitor::on_completion(TimeNs now, const device::CompletionEntry& entry) {
  device_notice([=](RunMonitor& m) {
    m.note("a completion posted by the device", nullptr, 0);
    if (m.trace_ == nullptr) return;
    if (carries_frame(entry.status)) {
      m.trace_->complete(m.device_dma_, "DMA", entry.timestamp_ns, now - entry.timestamp_ns,
                         {{"sequence", entry.sequence},
                          {"buffer", entry.buffer_id},
                          {"bytes", entry.bytes_used},
                          {"status", completion_status_name(entry.status)}});
    } else {
      m.trace_->instant(
          m.device_dma_, "buffer returned", now,
          {{"buffer", entry.buffer_id}, {"status", completion_status_name(entry.status)}});
    }
  });
}

void RunMonitor::on_drop(TimeNs now, std::uint64_t sequence, device::ModelDropReason reason) {
  device_notice([=](RunMonitor& m) {
    ++m.drops_;
    if (m.timeline_ != nullptr) m.timeline_->frame_dropped(now, to_string(drop_reason_of(reason)));
    if (m.trace_ != nullptr) {
      m.trace_->instant(m.device_frames_, "drop", now,
                        {{"sequence", sequence}, {"reason", to_string(drop_reason_of(reason))}});
    }
  });
}

void RunMonitor::on_interrupt(TimeNs now) {
  if (trace_ == nullptr) return;
  device_notice([=](RunMonitor& m) { m.trace_->instant(m.device_line_, "interrupt", now); });
}

void RunMonitor::on_fault(TimeNs now, device::FaultKind kind) {
  if (trace_ == nullptr) return;
  device_notice([=](RunMonitor& m) {
    m.trace_->instant(m.device_frames_, "fault", now, {{"kind", device::to_string(kind)}});
  });
}

void RunMonitor::check_frame(const KsClient& client, void* frame) {
  if (stack_ == nullptr) return;
  const ULONG alignment_mask = stack_->allocator().framing().FileAlignment;
  if ((reinterpret_cast<std::uintptr_t>(frame) & alignment_mask) != 0) {
    record_violation(fmt::format("client \"{}\" received frame {}, not aligned to {} bytes",
                                 client.name(), frame, alignment_mask + 1));
    return;
  }
  if (!stack_->allocator().frame_info(frame)) {
    record_violation(
        fmt::format("client \"{}\" received frame {}, which the allocator does not list as "
                    "held",
                    client.name(), frame));
  }
}

TraceTrack RunMonitor::client_track(const KsClient& client) {
  const auto it = client_tracks_.find(&client);
  if (it != client_tracks_.end()) return it->second;
  const TraceTrack track = trace_->track("clients", client.name());
  client_tracks_.emplace(&client, track);
  return track;
}

void RunMonitor::trace_occupancy(TimeNs now) {
  if (stack_ == nullptr) return;
  const AllocatorOccupancy occupancy = stack_->allocator().occupancy();
  trace_->counter(allocator_, "frames", now,
                  {{"held", occupancy.held},
                   {"ready", occupancy.ready},
                   {"at_device", occupancy.at_source},
                   {"pending_allocs", occupancy.pending}});
}

}  // namespace hilcap::sim
