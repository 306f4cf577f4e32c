// The simulated bench of one run: the device model, the host's capture pin
// on it, and the pin's capture-mode allocator (KsCreateAllocator on the pin
// handle), on the run's scheduler. The device's interrupt line schedules the
// pin's completion path ("ISR + DPC") at the line's rising edge plus the
// host's DPC latency, as an event: never inside the device's own event. In
// real time that event goes to the host's completion scheduler, whose thread
// the interrupt wakes; in virtual time it is the run's one scheduler.
#pragma once

#include <hilcap/capture_pin.h>
#include <hilcap/device/interrupt_line.h>
#include <hilcap/ks.h>
#include <hilcap/stream_allocator.h>

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "device_model.h"
#include "scenario/scenario.h"
#include "scheduler/scheduler.h"
#include "script/script_player.h"

namespace hilcap::sim {

class CaptureStack final : public PinControls, private device::InterruptLine {
 public:
  struct Created {
    std::unique_ptr<CaptureStack> stack;  // null when `errors` is not empty
    std::vector<std::string> errors;
  };
  // The pin starts in STOP; the runner sets the scenario's initial state.
  // The host's completion path runs on `completion` (default: `scheduler`).
  static Created create(const Scenario& scenario, Scheduler& scheduler,
                        Scheduler* completion = nullptr);

  // Closes the allocator handle if it is still open, then the pin, then the device.
  ~CaptureStack() override;
  CaptureStack(const CaptureStack&) = delete;
  CaptureStack& operator=(const CaptureStack&) = delete;

  HANDLE allocator_handle() const { return allocator_handle_; }
  HANDLE pin_handle() const { return pin_->handle(); }
  device::DeviceModel& device() { return *device_; }
  const device::DeviceModel& device() const { return *device_; }
  const CapturePin& pin() const { return *pin_; }
  // The allocator behind the handle; still readable after the handle closed.
  const StreamAllocator& allocator() const { return *allocator_; }

  // A client closed the allocator handle: nothing may use it any more.
  void allocator_closed() { allocator_open_ = false; }
  bool allocator_open() const { return allocator_open_; }
  // Closes the allocator handle now (the end of the run), if still open.
  void close_allocator();

  // Told after every run of the completion path: when, and how many
  // completions it drained (traces).
  void on_service(std::function<void(TimeNs, std::size_t)> hook) {
    service_hook_ = std::move(hook);
  }

  // PinControls: the script's pin and device actions.
  NTSTATUS set_state(device::PinState state) override;
  NTSTATUS inject_fault(const device::FaultAction& fault) override;
  NTSTATUS dropped_frames(KSPROPERTY_DROPPEDFRAMES_CURRENT_S& counters) override;

 private:
  CaptureStack(Scheduler& completion, TimeNs dpc_latency_ns);

  void raise() override;  // device::InterruptLine
  void service();

  Scheduler& completion_;
  const TimeNs dpc_latency_ns_;
  std::unique_ptr<device::DeviceModel> device_;
  std::unique_ptr<CapturePin> pin_;
  HANDLE allocator_handle_ = nullptr;
  std::shared_ptr<StreamAllocator> allocator_;
  std::atomic<bool> allocator_open_{false};  // a client thread may close it
  std::function<void(TimeNs, std::size_t)> service_hook_;
};

}  // namespace hilcap::sim
