// The RunMonitor of a real-time run, where clients report from their own
// threads and the device from its thread: every notice is passed on under one
// lock, so the monitor's per-event invariants and trace stay as they are in
// virtual time. The device's notices come under the device's lock, and the
// monitor reads the allocator (whose FREE posts buffers to the device under
// the allocator's lock): so they are queued under a lock of their own and
// passed on, in order, before the next client notice (or at catch_up()),
// which keeps the lock order monitor -> allocator -> device -> queue.
//
// It also measures frame lateness: how long after its due time the device
// thread started each frame (frame k is due at start + k * interval).
#pragma once

#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "clients/ks_client.h"
#include "device_observer.h"
#include "report/distribution.h"
#include "runner/run_monitor.h"
#include "scheduler/realtime_scheduler.h"

namespace hilcap::sim {

class RealtimeMonitor final : public ClientEvents, public device::DeviceObserver {
 public:
  // `device` is the scheduler the device's events run on.
  RealtimeMonitor(RunMonitor& monitor, const RealtimeScheduler& device);

  // The device thread's frame lateness (ns); read once that thread has ended.
  const Distribution& frame_lateness() const { return frame_lateness_; }
  std::optional<std::string> first_violation() const;
  // Frames the clients hold (ownership as they saw it).
  std::size_t frames_held() const;
  // Passes the queued device notices on (the coordinator, now and then).
  void catch_up();
  // The monitor's trace hook for the host's completion path, under the lock.
  void service_ran(TimeNs now, std::size_t completions);

  // ClientEvents
  void alloc_issued(const KsClient& client, const KsRequest& request, NTSTATUS status) override;
  void alloc_completed(const KsClient& client, const KsRequest& request, NTSTATUS status) override;
  void frame_received(const KsClient& client, void* frame) override;
  void frame_freed(const KsClient& client, void* frame, NTSTATUS status) override;
  void cancel_issued(const KsClient& client, const KsRequest* request, bool found) override;
  void allocator_closed(const KsClient& client, NTSTATUS status) override;
  void violation(std::string what) override;

  // device::DeviceObserver
  void on_state_change(TimeNs now, device::PinState from, device::PinState to) override;
  void on_frame_due(TimeNs now, std::uint64_t frame, std::uint64_t sequence) override;
  void on_frame_produced(TimeNs now, std::uint64_t sequence, std::uint32_t buffer_id) override;
  void on_completion(TimeNs now, const device::CompletionEntry& entry) override;
  void on_drop(TimeNs now, std::uint64_t sequence, device::DropReason reason) override;
  void on_interrupt(TimeNs now) override;
  void on_fault(TimeNs now, device::FaultKind kind) override;

 private:
  using DeviceNotice = std::function<void(RunMonitor&)>;
  void queue(DeviceNotice notice);
  // Runs the queued device notices on the monitor; mutex_ held.
  void forward_device_notices();

  RunMonitor& monitor_;
  const RealtimeScheduler& device_;
  mutable std::mutex mutex_;  // the monitor
  std::mutex queue_mutex_;    // device_notices_; taken last
  std::vector<DeviceNotice> device_notices_;
  std::vector<DeviceNotice> forwarding_;  // mutex_ held
  Distribution frame_lateness_;           // device thread only
};

}  // namespace hilcap::sim
