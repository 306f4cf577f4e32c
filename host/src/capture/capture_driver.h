// The behaviour of one KS capture pin, whatever the device behind it: its
// connection state (KSSTATE, walked by the backend onto the device), its
// exclusive hold on the device, its capture-mode allocator, the interrupt
// service path, and what a disconnect or a close does. The KS surface
// (ks/pin_object.h) and the C++ facade (CapturePin) sit on it; how frames and
// control reach the device is the backend's (capture_backend.h).
//
// Locking: one recursive mutex serialises the pin's control and completion
// paths (frames drained by the pin are delivered under it, so they reach the
// allocator in ring order; recursive because a client woken by a delivery may
// call the pin from the same thread). ALLOC and FREE never take it, nor does
// a backend delivering from its own thread. Order: pin -> device, pin ->
// allocator -> source.
#pragma once

#include <hilcap/capture_pin.h>
#include <hilcap/ks.h>
#include <hilcap/stream_allocator.h>

#include <cstdint>
#include <memory>
#include <mutex>

#include "capture_backend.h"

namespace hilcap {

class CaptureDriver : public std::enable_shared_from_this<CaptureDriver> {
 public:
  // The device behind `backend` must outlive every call that reaches it (all
  // of them until close()).
  explicit CaptureDriver(std::unique_ptr<CaptureBackend> backend);
  CaptureDriver(const CaptureDriver&) = delete;
  CaptureDriver& operator=(const CaptureDriver&) = delete;

  // KSPROPERTY_CONNECTION_STATE. Leaving STOP claims the device
  // (STATUS_SHARING_VIOLATION when another pin holds it); the device walks
  // the intermediate states itself; entering STOP hands every frame at the
  // device back (kKsPolicy.stop_delivers_unfilled_frames) before returning
  // and gives the device up.
  NTSTATUS set_state(KSSTATE target);
  NTSTATUS get_state(KSSTATE& state);
  // KSPROPERTY_DROPPEDFRAMES_CURRENT: the device's counters (reset on entering
  // ACQUIRE) and the average DataUsed of the frames with data since then.
  NTSTATUS dropped_frames(KSPROPERTY_DROPPEDFRAMES_CURRENT_S& value);

  // KsCreateAllocator on the pin: a capture-mode allocator fed by the device.
  StreamAllocator::Created create_allocator(const KSALLOCATOR_FRAMING& framing);
  // The framing of an allocator the pin makes for itself (to serve
  // IOCTL_KS_READ_STREAM into the client's buffers): the device's ring depth
  // in frames, at most `max_frames`, each one frame of its format, 64-byte
  // aligned. create_allocator accepts it.
  KSALLOCATOR_FRAMING own_allocator_framing(ULONG max_frames) const;

  std::size_t service_interrupt(std::int64_t host_time_ns);

  // The handle was closed: cancels pending ALLOCs, stops, and from then on
  // never touches the device. Idempotent.
  void close();

  std::shared_ptr<StreamAllocator> allocator() const;
  CapturePinStats stats() const;
  std::uint32_t frames_at_device() const;

 private:
  // With mutex_ held.
  NTSTATUS enter_state(KSSTATE target);
  // The interrupt of the device this open pin holds: acknowledge, drain.
  std::size_t service_held_device(std::int64_t host_time_ns);
  // True when the device is gone (handling that the first time).
  bool device_gone();
  void handle_disconnect();
  void drain(std::int64_t host_time_ns);
  void give_device_up();

  const std::unique_ptr<CaptureBackend> backend_;

  mutable std::recursive_mutex mutex_;
  KSSTATE state_ = KSSTATE_STOP;
  bool holds_device_ = false;
  bool gone_ = false;
  bool closed_ = false;
  std::shared_ptr<StreamAllocator> allocator_;
  std::uint64_t interrupts_ = 0;
  std::int64_t last_host_time_ns_ = 0;
  DeliveredData data_at_reset_;  // the backend's totals when the counters reset
};

}  // namespace hilcap
