// The file object behind a capture pin HANDLE: the KS connection-state and
// dropped-frames property sets (reference §7) and IOCTL_KS_READ_STREAM
// (read_stream.h) on top of a CaptureDriver.
//
// Which streaming style the pin uses is fixed each time it leaves
// KSSTATE_STOP: through the client's allocator (KsCreateAllocator on the pin)
// if it made one, else IOCTL_KS_READ_STREAM, for which the pin makes an
// allocator of its own (CaptureDriver::own_allocator_framing) until it
// enters KSSTATE_STOP again. Pins of the C++ API (CapturePin, which the
// simulator's runs use) keep the allocator style only: there a pin without
// an allocator leaves its device starving, which scenarios count on.
#pragma once

#include <hilcap/win32_base.h>

#include <functional>
#include <memory>
#include <mutex>

#include "../capture/capture_driver.h"
#include "event.h"
#include "io_completion.h"
#include "kernel_object.h"
#include "read_stream.h"

namespace hilcap::ks {

struct PinObjectOptions {
  // The handle's access (KsCreatePin's DesiredAccess): IOCTL_KS_READ_STREAM
  // needs read access (GENERIC_READ, GENERIC_ALL or FILE_READ_DATA).
  ACCESS_MASK access = GENERIC_READ;
  // The device's clock (that of its frame timestamps): read as the pin starts
  // a stream in KSSTATE_RUN, so that PresentationTime counts from there.
  // Empty: PresentationTime is the device's timestamp itself.
  std::function<std::int64_t()> device_clock;
  // Told once, when the handle closes (the filter counts its pin instances).
  std::function<void()> on_close;
  // IOCTL_KS_READ_STREAM when the client made no allocator (KsCreatePin's
  // pins); false: the allocator style only (CapturePin).
  bool reads_without_allocator = false;
};

class PinObject final : public KernelObject {
 public:
  static constexpr ObjectType kType = ObjectType::kPin;

  explicit PinObject(std::shared_ptr<CaptureDriver> driver, PinObjectOptions options = {});

  const std::shared_ptr<CaptureDriver>& driver() const { return driver_; }

  IoOutcome device_io_control(const IoctlCall& call) override;
  bool cancel_io(const CancelScope& scope) override;
  void close() override;
  Event* signal_event() override { return file_event_.get(); }

  // Handlers of the automation table.
  IoOutcome get_state(const IoctlCall& call);
  IoOutcome set_state(const IoctlCall& call);
  IoOutcome get_dropped_frames(const IoctlCall& call);

 private:
  // With state_mutex_ held.
  NTSTATUS change_state(KSSTATE target);

  std::shared_ptr<CaptureDriver> driver_;
  PinObjectOptions options_;
  // Signalled when a request without an event completes (GetOverlappedResult
  // waits on it when hEvent is NULL; WaitForMultipleObjects on the handle).
  std::shared_ptr<Event> file_event_;
  ReadStream read_stream_;

  // Serialises state changes and close. Recursive: ending reads completes
  // requests, and a completion observer may set the state from there.
  std::recursive_mutex state_mutex_;
  bool streaming_ = false;  // a stream started in RUN and has not ended (ACQUIRE, STOP)
  bool closed_ = false;
};

}  // namespace hilcap::ks
