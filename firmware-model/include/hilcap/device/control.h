// The device's control surface ("registers"): what the host's driver reads and
// writes, like MMIO. Every call is synchronous and may come from any host
// thread; none blocks on the device's timing (a state change completes before
// it returns) and none allocates.
#pragma once

#include <hilcap/device/frame_format.h>
#include <hilcap/device/rings.h>

#include <cstdint>

namespace hilcap::device {

// Pin states, in the order of KSSTATE (the host maps KSSTATE onto these).
// Frames are produced only in kRun.
enum class PinState : std::uint8_t { kStop, kAcquire, kPause, kRun };

// Result of a control call.
enum class ControlStatus : std::uint8_t {
  kOk,
  kDisconnected,    // the device is gone; nothing was done (KS: STATUS_DEVICE_NOT_CONNECTED)
  kInvalidRequest,  // the argument is not a valid value (e.g. an out-of-range PinState)
};

// The KS dropped-frame counters (KSPROPERTY_DROPPEDFRAMES_CURRENT).
struct FrameCounters {
  std::uint64_t picture_number = 0;  // frames due in RUN since the reset: delivered + dropped
  std::uint64_t drop_count = 0;      // of those, frames dropped
};

class DeviceControl {
 public:
  virtual ~DeviceControl() = default;

  // The format of every frame; a posted buffer must hold frame_bytes().
  virtual FrameFormat frame_format() const = 0;

  virtual SubmissionRing& submission_ring() = 0;
  virtual CompletionRing& completion_ring() = 0;

  // Moves the pin to `target` one step at a time (STOP <-> ACQUIRE <-> PAUSE <->
  // RUN), doing each step's work, and returns when `target` is reached:
  // - STOP -> ACQUIRE resets picture_number and drop_count (and re-arms one-shot faults);
  // - PAUSE -> RUN starts the frame grid (frame k due at start + k * interval), or,
  //   after a pause, resumes it on the original grid: ticks missed while paused
  //   are neither frames nor drops;
  // - RUN -> PAUSE stops producing; buffers being filled still complete;
  // - PAUSE -> ACQUIRE ends the stream (the next RUN starts a new grid);
  // - ACQUIRE -> STOP hands every buffer the device holds back with status
  //   kReturnedUnfilled and bytes_used 0: those being filled first, then those
  //   still posted, then raises the interrupt line.
  virtual ControlStatus set_state(PinState target) = 0;
  virtual PinState state() const = 0;

  virtual FrameCounters frame_counters() const = 0;

  // Status register. Once false it stays false: the device has handed back
  // every buffer it held (status kDisconnected), raised the interrupt line a
  // last time, and never touches either ring again, so the host may then drain
  // the submission ring itself to reclaim buffers it posted afterwards.
  virtual bool connected() const = 0;

  // Interrupt acknowledge register (see interrupt_line.h): clears the asserted
  // line. The host's completion path acknowledges, then drains the completion ring.
  virtual void acknowledge_interrupt() = 0;
};

}  // namespace hilcap::device
