#include "runner/run_monitor.h"

#include <fmt/format.h>

#include "pin_state_machine.h"
#include "runner/capture_stack.h"
#include "runner/checked.h"
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

RunMonitor::RunMonitor(Scheduler& scheduler, Distribution& latency, TraceWriter* trace,
                       ProgressLine* progress)
    : scheduler_(scheduler), latency_(latency), trace_(trace), progress_(progress) {
  if (trace_ != nullptr) {
    device_frames_ = trace_->track("device", "frames");
    device_dma_ = trace_->track("device", "DMA");
    device_line_ = trace_->track("device", "interrupt line");
    host_service_ = trace_->track("host", "completion path");
    pin_state_ = trace_->track("host", "pin state");
    allocator_ = trace_->track("host", "allocator");
  }
}

void RunMonitor::violation(std::string what) {
  if (violation_) return;
  std::string after = last_.what;
  if (last_.client != nullptr) {
    after += fmt::format(" by client \"{}\"", last_.client->name());
  }
  if (last_.number != 0) after += fmt::format(" (#{})", last_.number);
  violation_ =
      fmt::format("at t={:.9f} s, after {}: {}; state: {}",
                  static_cast<double>(scheduler_.now()) / kNsPerS, after, what, state_summary());
  scheduler_.stop();
}

std::string RunMonitor::state_summary() const {
  std::string text = fmt::format("clients hold {} frame(s)", owners_.size());
  if (stack_ == nullptr) return text;
  const device::DeviceModel& device = stack_->device();
  const AllocatorOccupancy occupancy = stack_->allocator().occupancy();
  const device::DeviceStats stats = device.stats();
  text += fmt::format(
      "; pin {}, device {}; allocator {}: {} held, {} ready, {} at the device of {}, {} ALLOC(s) "
      "pending; device: {} due, {} produced, {} delivered, {} dropped, {} in flight",
      to_string(device.state()), device.connected() ? "connected" : "disconnected",
      stack_->allocator_open() ? "open" : "closed", occupancy.held, occupancy.ready,
      stack_->pin().frames_at_device(), occupancy.frames, occupancy.pending, stats.frames_due,
      stats.frames_produced, stats.frames_delivered, stats.dropped_total(), stats.in_flight);
  return text;
}

void RunMonitor::service_ran(TimeNs now, std::size_t completions) {
  note("the host's completion path", nullptr, 0);
  if (trace_ != nullptr) {
    trace_->instant(host_service_, "service", now,
                    {{"completions", static_cast<std::uint64_t>(completions)}});
    trace_occupancy(now);
  }
}

void RunMonitor::alloc_issued(const KsClient& client, const KsRequest& request, NTSTATUS status) {
  note("an ALLOC", &client, request.serial);
  if (trace_ == nullptr) return;
  const TraceTrack track = client_track(client);
  if (status == STATUS_PENDING) {
    trace_->async_begin(track, "ALLOC pending", request.serial, scheduler_.now(),
                        {{"request", request.serial}});
  } else {
    const std::string name = status_name(status);
    trace_->instant(track, status == STATUS_SUCCESS ? "ALLOC immediate" : "ALLOC refused",
                    scheduler_.now(), {{"request", request.serial}, {"status", name}});
  }
}

void RunMonitor::alloc_completed(const KsClient& client, const KsRequest& request,
                                 NTSTATUS status) {
  note("the completion of an ALLOC", &client, request.serial);
  const TimeNs now = scheduler_.now();
  if (status == STATUS_SUCCESS) latency_.record(now - request.issued_at);
  if (trace_ != nullptr) {
    const std::string name = status_name(status);
    trace_->async_end(client_track(client), "ALLOC pending", request.serial, now,
                      {{"status", name}, {"waited_ns", now - request.issued_at}});
  }
}

void RunMonitor::frame_received(const KsClient& client, void* frame) {
  const auto [it, inserted] = owners_.try_emplace(frame, &client);
  if (!inserted) {
    violation(
        fmt::format("no two owners: frame {} handed to client \"{}\" while client \"{}\" "
                    "holds it",
                    frame, client.name(), it->second->name()));
    return;
  }
  if constexpr (kChecked) check_frame(client, frame);
  if (trace_ != nullptr) trace_occupancy(scheduler_.now());
}

void RunMonitor::frame_freed(const KsClient& client, void* frame, NTSTATUS status) {
  note("a FREE", &client, 0);
  if (status == STATUS_SUCCESS) {
    if (owners_.erase(frame) == 0) {
      violation(fmt::format("FREE of frame {} by client \"{}\" succeeded, but no client held it",
                            frame, client.name()));
      return;
    }
  }
  if (trace_ != nullptr) {
    const std::string name = status_name(status);
    trace_->instant(client_track(client), "FREE", scheduler_.now(), {{"status", name}});
    trace_occupancy(scheduler_.now());
  }
}

void RunMonitor::cancel_issued(const KsClient& client, const KsRequest* request, bool found) {
  note("a CancelIoEx", &client, request ? request->serial : 0);
  if (trace_ != nullptr) {
    trace_->instant(client_track(client), "CancelIoEx", scheduler_.now(),
                    {{"request", request ? request->serial : 0}, {"found", found}});
  }
}

void RunMonitor::allocator_closed(const KsClient& client, NTSTATUS status) {
  note("CloseHandle of the allocator", &client, 0);
  // Frames still held die with the handle (reference: they stay invalid).
  if (status == STATUS_SUCCESS) {
    owners_.clear();
    if (stack_ != nullptr) stack_->allocator_closed();
  }
  if (trace_ != nullptr) {
    const std::string name = status_name(status);
    trace_->instant(client_track(client), "CloseHandle", scheduler_.now(), {{"status", name}});
  }
}

void RunMonitor::on_state_change(TimeNs now, device::PinState from, device::PinState to) {
  note("a pin state change", nullptr, 0);
  if (from == device::PinState::kStop && to == device::PinState::kAcquire) {
    stream_ = Stream{now, 0, 0};
  }
  if (trace_ != nullptr) {
    trace_->instant(pin_state_, to_string(to), now, {{"from", to_string(from)}});
  }
}

void RunMonitor::on_frame_due(TimeNs now, std::uint64_t frame, std::uint64_t sequence) {
  note("a frame due", nullptr, sequence + 1);
  ++frames_due_;
  if (progress_ != nullptr) progress_->update(now, frames_due_, drops_);
  if (trace_ != nullptr) {
    trace_->instant(device_frames_, "frame due", now, {{"frame", frame}, {"sequence", sequence}});
  }
}

void RunMonitor::on_frame_produced(TimeNs now, std::uint64_t sequence, std::uint32_t buffer_id) {
  if (trace_ != nullptr) {
    trace_->instant(device_frames_, "frame produced", now,
                    {{"sequence", sequence}, {"buffer", buffer_id}});
  }
}

void RunMonitor::on_completion(TimeNs now, const device::CompletionEntry& entry) {
  note("a completion posted by the device", nullptr, 0);
  if (trace_ == nullptr) return;
  if (carries_frame(entry.status)) {
    trace_->complete(device_dma_, "DMA", entry.timestamp_ns, now - entry.timestamp_ns,
                     {{"sequence", entry.sequence},
                      {"buffer", entry.buffer_id},
                      {"bytes", entry.bytes_used},
                      {"status", completion_status_name(entry.status)}});
  } else {
    trace_->instant(
        device_dma_, "buffer returned", now,
        {{"buffer", entry.buffer_id}, {"status", completion_status_name(entry.status)}});
  }
}

void RunMonitor::on_drop(TimeNs now, std::uint64_t sequence, device::DropReason reason) {
  ++drops_;
  if (trace_ != nullptr) {
    trace_->instant(device_frames_, "drop", now,
                    {{"sequence", sequence}, {"reason", device::to_string(reason)}});
  }
}

void RunMonitor::on_interrupt(TimeNs now) {
  if (trace_ != nullptr) trace_->instant(device_line_, "interrupt", now);
}

void RunMonitor::on_fault(TimeNs now, device::FaultKind kind) {
  if (trace_ != nullptr) {
    trace_->instant(device_frames_, "fault", now, {{"kind", device::to_string(kind)}});
  }
}

void RunMonitor::check_frame(const KsClient& client, void* frame) {
  if (stack_ == nullptr) return;
  const ULONG alignment_mask = stack_->allocator().framing().FileAlignment;
  if ((reinterpret_cast<std::uintptr_t>(frame) & alignment_mask) != 0) {
    violation(fmt::format("client \"{}\" received frame {}, not aligned to {} bytes", client.name(),
                          frame, alignment_mask + 1));
    return;
  }
  const std::optional<FrameInfo> info = stack_->allocator().frame_info(frame);
  if (!info) {
    violation(
        fmt::format("client \"{}\" received frame {}, which the allocator does not list as "
                    "held",
                    client.name(), frame));
    return;
  }
  const bool unfilled = info->data_used == 0 && (info->flags & kFrameError) == 0;
  if (!check_sequence_ || unfilled || info->host_timestamp_ns < stream_.started_at) return;
  const std::int64_t gap = info->sequence - stream_.picture_number - 1;
  const std::int64_t drops = info->drop_count - stream_.drop_count;
  if (gap < 0) {
    violation(fmt::format("sequence: PictureNumber {} delivered after {}", info->sequence,
                          stream_.picture_number));
  } else if (gap != drops) {
    violation(fmt::format(
        "sequence gaps equal drops: PictureNumber went from {} to {} ({} "
        "missing) while DropCount went from {} to {}",
        stream_.picture_number, info->sequence, gap, stream_.drop_count, info->drop_count));
  }
  stream_.picture_number = info->sequence;
  stream_.drop_count = info->drop_count;
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
