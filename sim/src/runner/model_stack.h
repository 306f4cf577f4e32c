// The simulated device under test: the device model, the host's capture pin
// on it (the datasheet's rings) and the pin's allocator, on the run's
// schedulers. The device's interrupt line schedules the pin's completion
// path ("ISR + DPC") at the line's rising edge plus the host's DPC latency,
// as an event: never inside the device's own event. In real time that event
// goes to the host's completion scheduler, whose thread the interrupt wakes;
// in virtual time it is the run's one scheduler.
#pragma once

#include <hilcap/device/interrupt_line.h>

#include <functional>
#include <memory>

#include "device_model.h"
#include "runner/capture_stack.h"
#include "scheduler/scheduler.h"

namespace hilcap::sim {

class ModelStack final : public CaptureStack, private device::InterruptLine {
 public:
  // The pin starts in STOP; the runner sets the scenario's initial state.
  // The device runs on `device_scheduler`, the host's completion path on
  // `completion`.
  static Created create(const Scenario& scenario, Scheduler& device_scheduler,
                        Scheduler& completion);
  ~ModelStack() override;

  device::DeviceModel& device() { return *device_; }
  const device::DeviceModel& device() const { return *device_; }

  NTSTATUS inject_fault(const device::FaultAction& fault) override;

  void observe(RunMonitor* monitor) override;
  bool runs_on_run_schedulers() const override { return true; }
  void quiesce(TimeNs /*now*/) override {}  // the run's schedulers stopped: so did the device
  std::optional<std::string> ended() const override { return std::nullopt; }
  DeviceFlow flow() const override;
  std::string describe_state() const override;
  void gather(RunTotals& totals) const override;

 private:
  ModelStack(Scheduler& completion, TimeNs dpc_latency_ns);

  void raise() override;  // device::InterruptLine
  void service();

  Scheduler& completion_;
  const TimeNs dpc_latency_ns_;
  std::unique_ptr<device::DeviceModel> device_;
  RunMonitor* monitor_ = nullptr;  // told of every run of the completion path (traces)
};

}  // namespace hilcap::sim
