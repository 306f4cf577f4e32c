// How a capture pin reaches one kind of device. The KS pin (CaptureDriver:
// connection states, the exclusive hold, the allocator, DROPPEDFRAMES, STOP
// returning every frame, disconnect) is the same for every device; a backend
// is the part that differs, the way QEMU's hw/usb/u2f.c is one device over
// u2f-emulated.c and u2f-passthru.c:
//   DmaRingBackend     the device's datasheet: descriptor rings, interrupt
//                      line, control registers (the device model)
//   UvcCameraBackend   a UVC camera through libusb (host/src/usb/)
//
// The pin calls a backend with its own lock held (one call at a time); a
// backend delivers frames to the allocator it was attached to, from the pin's
// calls (drain) or from its own thread (a camera's transfers), never with a
// lock of the pin's.
#pragma once

#include <hilcap/capture_pin.h>
#include <hilcap/device/control.h>
#include <hilcap/ks.h>
#include <hilcap/stream_allocator.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace hilcap {

// The frames an allocator of the device's may have, and how big one frame is.
struct FrameLimits {
  ULONG max_frames = 0;  // e.g. the descriptor rings' depth
  ULONG frame_size = 0;  // the bytes of one frame (a camera: dwMaxVideoFrameSize)
};

// Bytes and frames with data a frame source delivered (what
// KSPROPERTY_DROPPEDFRAMES_CURRENT's AverageFrameSize is computed from).
struct DeliveredData {
  std::uint64_t bytes = 0;
  std::uint64_t frames = 0;
};

class CaptureBackend {
 public:
  virtual ~CaptureBackend() = default;

  // What one pin at a time may hold (HardwareClaims): the device itself, so
  // that two pins on one device share it.
  virtual const void* hardware() const = 0;
  // False once the device is gone, and from then on.
  virtual bool connected() const = 0;

  virtual FrameLimits frame_limits() const = 0;
  // Why `framing` does not fit the device ("KSALLOCATOR_FRAMING.Frames:
  // expected at most 8 (...), found 9"), or nothing when it does.
  virtual std::optional<std::string> framing_error(const KSALLOCATOR_FRAMING& framing) const = 0;
  // A new capture-mode allocator of the pin: the backend's frame source for
  // it is attached (retiring the previous allocator's, which is closed).
  virtual NTSTATUS attach(const std::shared_ptr<StreamAllocator>& allocator) = 0;

  // The pin took the device (leaving STOP): a fresh start.
  virtual void acquired() = 0;
  // Walks the device from `from` to `target` one state at a time, doing each
  // step's work; entering STOP, the device hands every frame it holds back
  // (for drain() to deliver, DataUsed 0) before this returns. Returns
  // STATUS_SUCCESS, the device-gone status (the pin then handles the
  // disconnect), or another failure with the device left in `from`.
  virtual NTSTATUS set_state(KSSTATE from, KSSTATE target) = 0;
  // The interrupt: acknowledge, then deliver what the device finished (once
  // an allocator is attached). Returns the completions handled (0 for a
  // device that delivers by itself).
  virtual std::size_t service(std::int64_t host_time_ns) = 0;
  // Delivers what the device finished and what it handed back, without
  // acknowledging anything; only with an allocator attached.
  virtual void drain(std::int64_t host_time_ns) = 0;
  // The pin let the device go, or closed: nothing is posted or streamed any
  // more. `device_gone`: the device no longer reads what was posted, so that
  // is taken back too.
  virtual void retire(bool device_gone) = 0;

  // KSPROPERTY_DROPPEDFRAMES_CURRENT's counters since the last reset
  // (entering ACQUIRE), in the datasheet's terms for every device.
  virtual device::FrameCounters counters() const = 0;
  virtual DeliveredData delivered_data() const = 0;
  // Every counter of CapturePinStats but `interrupts`, over all allocators.
  virtual CapturePinStats stats() const = 0;
  // The allocator's frames that are with the backend (CapturePin::frames_at_device).
  virtual std::uint32_t frames_held() const = 0;
};

}  // namespace hilcap
