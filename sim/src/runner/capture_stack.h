// What a run drives and reads, whatever the device: the device under test,
// the host's KS capture pin on it (CapturePin, the same driver for every
// device) and the pin's allocator (KsCreateAllocator on the pin handle). The
// runner, the clients, the script, the invariant checks and the report
// builder see only this interface. Its two kinds:
//   ModelStack   (model_stack.h)       the device model on its datasheet's
//                                      rings, on the run's schedulers
//   CameraStack  (usb/camera_stack.h)  a UVC camera through libusb, on
//                                      libusb's event thread
#pragma once

#include <hilcap/capture_pin.h>
#include <hilcap/ks.h>
#include <hilcap/stream_allocator.h>

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "scenario/scenario.h"
#include "script/script_player.h"

namespace hilcap::sim {

class RunMonitor;
struct RunTotals;

// The device's side of the frame accounting (DESIGN.md): every frame due is
// delivered, dropped with a reason, or in flight; what the device delivered
// reaches the host's pin.
struct DeviceFlow {
  std::uint64_t due = 0;        // frames the device was due to send, or began sending
  std::uint64_t delivered = 0;  // reached the host: whole, short or damaged
  std::uint64_t dropped = 0;    // dropped, each with a reason
  std::uint64_t in_flight = 0;  // neither yet
  std::uint64_t drained = 0;    // frames the host's pin took in
  std::uint64_t undrained = 0;  // delivered by the device, not yet taken in by the pin
};

class CaptureStack : public PinControls {
 public:
  struct Created {
    std::unique_ptr<CaptureStack> stack;  // null when `errors` is not empty
    std::vector<std::string> errors;
    // The device could not be opened or started (not present, no permission,
    // a format not offered...): the environment, not the scenario, is wrong.
    bool unavailable = false;
  };

  // Closes the allocator handle if it is still open, then the pin.
  ~CaptureStack() override;
  CaptureStack(const CaptureStack&) = delete;
  CaptureStack& operator=(const CaptureStack&) = delete;

  HANDLE allocator_handle() const { return allocator_handle_; }
  HANDLE pin_handle() const { return pin_->handle(); }
  const CapturePin& pin() const { return *pin_; }
  CapturePin& pin() { return *pin_; }
  // The allocator behind the handle; still readable after the handle closed.
  const StreamAllocator& allocator() const { return *allocator_; }

  // A client closed the allocator handle: nothing may use it any more.
  void allocator_closed() { allocator_open_ = false; }
  bool allocator_open() const { return allocator_open_; }
  // Closes the allocator handle now (the end of the run), if still open.
  void close_allocator();

  // PinControls, through the pin handle the Windows way (a device fault is
  // the kind's).
  NTSTATUS set_state(device::PinState state) override;
  NTSTATUS dropped_frames(KSPROPERTY_DROPPEDFRAMES_CURRENT_S& counters) override;

  // --- what differs by kind ---
  // Lines that say what was opened (a camera's negotiated stream).
  virtual std::vector<std::string> notes() const { return {}; }
  // Where the device's notices go (trace, progress, per-event checks); null:
  // nowhere. Set before the run starts, cleared before the stack goes.
  virtual void observe(RunMonitor* monitor) = 0;
  // Whether the device's work runs as events on the run's schedulers (the
  // model: in real time, a device and a host completion thread), rather than
  // on threads of its own (a camera: libusb's event thread).
  virtual bool runs_on_run_schedulers() const = 0;
  // Stops the device at the end of a real-time run, before the end-of-run
  // checks: nothing moves any more. `now`: the run's clock.
  virtual void quiesce(TimeNs now) = 0;
  // Why a run on this device cannot go on (a camera that left the bus), or nothing.
  virtual std::optional<std::string> ended() const = 0;
  // Why the device could not stream when the pin entered RUN, when that is
  // the environment's doing (a camera the bus has no bandwidth for), or nothing.
  virtual std::optional<std::string> cannot_stream() const { return std::nullopt; }
  virtual DeviceFlow flow() const = 0;
  // The device's part of a violation's state line ("pin RUN, device connected ...").
  virtual std::string describe_state() const = 0;
  // The device's figures into the report's totals.
  virtual void gather(RunTotals& totals) const = 0;
  // Writes what the device's run records at its end (a camera's
  // --record-timing); the problems, if any.
  virtual std::vector<std::string> write_outputs() { return {}; }

 protected:
  CaptureStack() = default;
  // KsCreateAllocator on `pin`'s handle with `framing`: an error naming
  // /allocator, or nothing; the stack owns both from here.
  std::optional<std::string> open_allocator(std::unique_ptr<CapturePin> pin,
                                            const KSALLOCATOR_FRAMING& framing,
                                            const std::string& file);
  // Closes the handle and the pin (before the device goes).
  void close_pin();

 private:
  std::unique_ptr<CapturePin> pin_;
  HANDLE allocator_handle_ = nullptr;
  std::shared_ptr<StreamAllocator> allocator_;
  std::atomic<bool> allocator_open_{false};  // a client thread may close it
};

}  // namespace hilcap::sim
