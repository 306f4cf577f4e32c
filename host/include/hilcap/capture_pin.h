// The host's driver for one capture device: a KS capture pin, its
// capture-mode allocator's frame source, and the interrupt service path. The
// pin is the same for every device; what reaches the device is a backend:
// open(DeviceControl&) for a device that speaks the datasheet
// (firmware-model/include/hilcap/device/: the device model), and
// uvc::open_camera_pin (<hilcap/uvc/camera_pin.h>) for a UVC camera through
// libusb. A KS client sees the same pin on either.
//
// How a frame flows in capture mode (on the datasheet's rings; a camera
// delivers frames from its USB transfers instead of an interrupt): KsCreateAllocator(pin.handle(),
// ...) makes a StreamAllocator whose frames all go to the pin's DMA frame source. While the pin
// holds the device (ACQUIRE, PAUSE, RUN) the source posts every frame it has on the submission
// ring; the device fills them in RUN and posts completions; the device's interrupt calls
// service_interrupt(), which acknowledges, drains the completion ring and delivers each frame (with
// its FrameInfo: PictureNumber, DropCount, times, flags) to the allocator, where it completes the
// oldest pending ALLOC or waits in the ready queue. FREE hands the frame back to the source, which
// posts it again.
//
// Threads: service_interrupt() may run on any thread (the device's, a host
// completion thread); ALLOC and FREE never wait for it. Every call may come
// from any thread. The device must outlive the CapturePin.
#pragma once

#include <hilcap/frame_fate.h>
#include <hilcap/ks.h>
#include <hilcap/stream_allocator.h>

#include <cstdint>
#include <memory>

namespace hilcap {

namespace device {
class DeviceControl;
}

class CaptureBackend;  // host-internal: how a pin reaches one kind of device

struct CapturePinOptions {
  // Check each delivered frame's in-band header and checksum (verify_frame);
  // a frame that fails is delivered with the fate kCorrupt.
  bool verify_frames = true;
  // The device's frame interval (KS AvgTimePerFrame), stamped as each frame's
  // Duration; 0 when unknown (then Duration is not marked valid).
  std::int64_t frame_interval_ns = 0;
};

// Lifetime totals, for reports.
struct CapturePinStats {
  std::uint64_t interrupts = 0;   // service_interrupt() calls, work found or not
  std::uint64_t completions = 0;  // completion entries drained
  // What became of every frame the pin handed to its allocator, by fate
  // (handed_over()): whole (verified, when verify_frames), short, error,
  // corrupt (failed verification), returned unfilled (STOP) and rejected (the
  // device refused a posted buffer as too small, a host bug: it is handed to
  // the allocator flagged, with DataUsed 0, rather than posted again to be
  // refused on every tick). Dropped: the frames the host itself saw dropped
  // (a camera's, by reason); the device model counts its own drops.
  FrameFateCounts frames;
  std::uint64_t buffers_posted = 0;  // descriptors posted on the submission ring
};

class CapturePin {
 public:
  // A pin in STOP on `device`; nullptr when no handle is left. Several pins
  // may be open on one device; one at a time holds it (ACQUIRE and above).
  static std::unique_ptr<CapturePin> open(device::DeviceControl& device,
                                          CapturePinOptions options = {});
  // A pin in STOP on the device behind `backend` (the host's own backends
  // use this: uvc::open_camera_pin); nullptr when no handle is left.
  static std::unique_ptr<CapturePin> open(std::unique_ptr<CaptureBackend> backend);
  // Closes the handle (if CloseHandle did not already): cancels the pending
  // ALLOCs of its allocator, stops the device, and fails later ALLOCs that
  // would pend (kKsPolicy.closed_pin_alloc_status).
  ~CapturePin();
  CapturePin(const CapturePin&) = delete;
  CapturePin& operator=(const CapturePin&) = delete;

  // The KS pin handle: KSPROPERTY_CONNECTION_STATE,
  // KSPROPERTY_DROPPEDFRAMES_CURRENT, KsCreateAllocator(handle(), ...).
  HANDLE handle() const;

  // The completion path ("ISR + DPC"): acknowledges the interrupt, drains the
  // completion ring and delivers every frame to the allocator (completing the
  // oldest pending ALLOC or queueing it ready); on a disconnect fails every
  // pending ALLOC with STATUS_DEVICE_NOT_CONNECTED. Call it whenever the
  // device raises its interrupt line; host_time_ns stamps
  // FrameInfo::host_timestamp_ns. Returns the completions drained. When
  // another pin holds the device, that pin services it. A camera has no
  // interrupt line (its transfers deliver): there it only notices a device
  // that left.
  std::size_t service_interrupt(std::int64_t host_time_ns);

  // The capture-mode allocator KsCreateAllocator(handle(), ...) made last, if
  // any (it may have been closed since).
  std::shared_ptr<StreamAllocator> allocator() const;

  CapturePinStats stats() const;

  // The allocator's frames that are with the pin, not with clients or ready:
  // posted to the device or being filled (including completions not yet
  // drained), kept while the pin does not hold the device, or kept after the
  // device was disconnected. At every point where no call is in progress,
  // allocator occupancy held + ready + frames_at_device() == Frames.
  std::uint32_t frames_at_device() const;

 private:
  struct Impl;
  explicit CapturePin(std::unique_ptr<Impl> impl);

  std::unique_ptr<Impl> impl_;
};

}  // namespace hilcap
