#include "runner/realtime_monitor.h"

#include <utility>

namespace hilcap::sim {

RealtimeMonitor::RealtimeMonitor(RunMonitor& monitor, const RealtimeScheduler& device)
    : monitor_(monitor), device_(device) {}

void RealtimeMonitor::queue(DeviceNotice notice) {
  const std::lock_guard lock(queue_mutex_);
  device_notices_.push_back(std::move(notice));
}

void RealtimeMonitor::forward_device_notices() {
  {
    const std::lock_guard lock(queue_mutex_);
    forwarding_.swap(device_notices_);
  }
  for (const DeviceNotice& notice : forwarding_)
    notice(monitor_);
  forwarding_.clear();
}

void RealtimeMonitor::catch_up() {
  const std::lock_guard lock(mutex_);
  forward_device_notices();
}

std::optional<std::string> RealtimeMonitor::first_violation() const {
  const std::lock_guard lock(mutex_);
  return monitor_.first_violation();
}

std::size_t RealtimeMonitor::frames_held() const {
  const std::lock_guard lock(mutex_);
  return monitor_.frames_held();
}

void RealtimeMonitor::service_ran(TimeNs now, std::size_t completions) {
  const std::lock_guard lock(mutex_);
  forward_device_notices();
  monitor_.service_ran(now, completions);
}

void RealtimeMonitor::alloc_issued(const KsClient& client, const KsRequest& request,
                                   NTSTATUS status) {
  const std::lock_guard lock(mutex_);
  forward_device_notices();
  monitor_.alloc_issued(client, request, status);
}

void RealtimeMonitor::alloc_completed(const KsClient& client, const KsRequest& request,
                                      NTSTATUS status) {
  const std::lock_guard lock(mutex_);
  forward_device_notices();
  monitor_.alloc_completed(client, request, status);
}

void RealtimeMonitor::frame_received(const KsClient& client, void* frame) {
  const std::lock_guard lock(mutex_);
  forward_device_notices();
  monitor_.frame_received(client, frame);
}

void RealtimeMonitor::frame_freed(const KsClient& client, void* frame, NTSTATUS status) {
  const std::lock_guard lock(mutex_);
  forward_device_notices();
  monitor_.frame_freed(client, frame, status);
}

void RealtimeMonitor::cancel_issued(const KsClient& client, const KsRequest* request, bool found) {
  const std::lock_guard lock(mutex_);
  forward_device_notices();
  monitor_.cancel_issued(client, request, found);
}

void RealtimeMonitor::allocator_closed(const KsClient& client, NTSTATUS status) {
  const std::lock_guard lock(mutex_);
  forward_device_notices();
  monitor_.allocator_closed(client, status);
}

void RealtimeMonitor::violation(std::string what) {
  const std::lock_guard lock(mutex_);
  forward_device_notices();
  monitor_.violation(std::move(what));
}

void RealtimeMonitor::on_state_change(TimeNs now, device::PinState from, device::PinState to) {
  queue([=](RunMonitor& m) { m.on_state_change(now, from, to); });
}

void RealtimeMonitor::on_frame_due(TimeNs now, std::uint64_t frame, std::uint64_t sequence) {
  const RealtimeScheduler::RunningEvent& event = device_.current_event();
  frame_lateness_.record(event.started > event.due ? event.started - event.due : 0);
  queue([=](RunMonitor& m) { m.on_frame_due(now, frame, sequence); });
}

void RealtimeMonitor::on_frame_produced(TimeNs now, std::uint64_t sequence,
                                        std::uint32_t buffer_id) {
  queue([=](RunMonitor& m) { m.on_frame_produced(now, sequence, buffer_id); });
}

void RealtimeMonitor::on_completion(TimeNs now, const device::CompletionEntry& entry) {
  queue([=](RunMonitor& m) { m.on_completion(now, entry); });
}

void RealtimeMonitor::on_drop(TimeNs now, std::uint64_t sequence, device::DropReason reason) {
  queue([=](RunMonitor& m) { m.on_drop(now, sequence, reason); });
}

void RealtimeMonitor::on_interrupt(TimeNs now) {
  queue([=](RunMonitor& m) { m.on_interrupt(now); });
}

void RealtimeMonitor::on_fault(TimeNs now, device::FaultKind kind) {
  queue([=](RunMonitor& m) { m.on_fault(now, kind); });
}

}  // namespace hilcap::sim
