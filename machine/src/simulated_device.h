// One device of the simulated machine: a scenario's capture device model,
// running on the wall clock on two threads of its own (the device's events;
// the host's completion path, woken by its interrupt line after the
// scenario's DPC latency), and the KS filter that CreateFile opens on it.
//
// The device idles in STOP until a pin takes it; its frame grid, frame
// numbers and fault times start when that pin enters KSSTATE_RUN (the device
// model counts them from there). The device is never destroyed (pins may
// hold it until the process ends): stop() ends its threads.
#pragma once

#include <hilcap/capture_filter.h>
#include <hilcap/device/interrupt_line.h>
#include <hilcap/ks.h>

#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "device_model.h"
#include "scenario/scenario.h"
#include "scheduler/realtime_scheduler.h"

namespace hilcap::machine {

class SimulatedDevice final : private device::InterruptLine {
 public:
  struct Created {
    std::unique_ptr<SimulatedDevice> device;  // null when `errors` is not empty
    std::vector<std::string> errors;
  };
  // Builds the scenario's device and starts its threads; `epoch_ns`
  // (CLOCK_MONOTONIC) is time 0 of its clocks.
  static Created create(const sim::Scenario& scenario, std::int64_t epoch_ns);
  ~SimulatedDevice() override;
  SimulatedDevice(const SimulatedDevice&) = delete;
  SimulatedDevice& operator=(const SimulatedDevice&) = delete;

  // A new KS filter instance (CreateFile); NULL when no handle is left.
  HANDLE open_filter() { return filter_->open(); }
  // False once the device disconnected (a fault): not DIGCF_PRESENT any more.
  bool present() const { return model_->connected(); }
  const std::string& scenario_file() const { return scenario_file_; }

  // Ends both threads (the event running finishes first). Idempotent.
  void stop();

 private:
  SimulatedDevice(std::int64_t epoch_ns, sim::TimeNs dpc_latency_ns, std::string scenario_file);
  void raise() override;  // device::InterruptLine

  sim::RealtimeScheduler device_clock_;
  sim::RealtimeScheduler host_clock_;
  const sim::TimeNs dpc_latency_ns_;
  const std::string scenario_file_;
  std::unique_ptr<device::DeviceModel> model_;
  std::shared_ptr<CaptureFilter> filter_;
  std::thread device_thread_;
  std::thread host_thread_;
};

}  // namespace hilcap::machine
