// The behaviour of one KS capture pin on a device that speaks the datasheet:
// its connection state (KSSTATE onto the device's PinState), its exclusive
// hold on the device, its capture-mode allocator and frame source, the
// interrupt service path, and what a disconnect or a close does. The KS
// surface (ks/pin_object.h) and the C++ facade (CapturePin) sit on it.
//
// Locking: one recursive mutex serialises the pin's control and completion
// paths (frames are delivered under it, so they reach the allocator in ring
// order; recursive because a client woken by a delivery may call the pin from
// the same thread). ALLOC and FREE never take it. Order: pin -> device,
// pin -> allocator -> source.
#pragma once

#include <hilcap/capture_pin.h>
#include <hilcap/device/control.h>
#include <hilcap/ks.h>
#include <hilcap/stream_allocator.h>

#include <cstdint>
#include <memory>
#include <mutex>

#include "dma_frame_source.h"

namespace hilcap {

class CaptureDriver : public std::enable_shared_from_this<CaptureDriver> {
 public:
  // `device` must outlive every call that reaches the device (all of them
  // until close()).
  CaptureDriver(device::DeviceControl& device, const CapturePinOptions& options);
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
  std::size_t drain(std::int64_t host_time_ns);
  void give_device_up();

  device::DeviceControl& device_;
  const CapturePinOptions options_;

  mutable std::recursive_mutex mutex_;
  KSSTATE state_ = KSSTATE_STOP;
  bool holds_device_ = false;
  bool gone_ = false;
  bool closed_ = false;
  std::shared_ptr<StreamAllocator> allocator_;
  std::shared_ptr<DmaFrameSource> source_;
  std::uint64_t interrupts_ = 0;
  std::int64_t last_host_time_ns_ = 0;
  DmaFrameSource::DataTotals data_at_reset_;  // source totals when the counters reset
  CapturePinStats retired_stats_;             // of the sources of earlier allocators
};

}  // namespace hilcap
