#include "simulated_device.h"

#include <fmt/format.h>
#include <sys/prctl.h>

namespace hilcap::machine {
namespace {

// Runs `clock`'s events on this thread until it is stopped.
void run_loop(sim::RealtimeScheduler& clock, const std::string& name) {
  ::prctl(PR_SET_NAME, name.c_str(), 0, 0, 0);  // shows in ps, top, gdb
  clock.run_until(sim::kTimeMax - 1);
}

}  // namespace

SimulatedDevice::SimulatedDevice(std::int64_t epoch_ns, sim::TimeNs dpc_latency_ns,
                                 std::string scenario_file)
    : device_clock_(epoch_ns),
      host_clock_(epoch_ns),
      dpc_latency_ns_(dpc_latency_ns),
      scenario_file_(std::move(scenario_file)) {}

SimulatedDevice::Created SimulatedDevice::create(const sim::Scenario& scenario,
                                                 std::int64_t epoch_ns) {
  Created created;
  if (scenario.camera) {
    created.errors.push_back(fmt::format(
        "{}: at /device/usb: expected a simulated device (the machine simulates its devices), "
        "found a USB camera (\"{}\"; `hilcap run` streams a camera scenario)",
        scenario.file, scenario.camera->usb));
    return created;
  }
  std::unique_ptr<SimulatedDevice> self(
      new SimulatedDevice(epoch_ns, scenario.host.dpc_latency_ns, scenario.file));
  auto model = device::DeviceModel::create(scenario.device, self->device_clock_, *self);
  if (!model.device) {
    // The loader validated the same configuration; this is a safety net.
    for (const auto& error : model.errors)
      created.errors.push_back(fmt::format("{}: {}", scenario.file, error.message()));
    return created;
  }
  self->model_ = std::move(model.device);

  CaptureFilterOptions options;
  options.pin = scenario.pin_options();
  sim::RealtimeScheduler* const clock = &self->device_clock_;
  options.device_clock = [clock] { return clock->now(); };
  self->filter_ = CaptureFilter::create(*self->model_, std::move(options));

  self->device_thread_ = std::thread(run_loop, std::ref(self->device_clock_), "hilcap-device");
  self->host_thread_ = std::thread(run_loop, std::ref(self->host_clock_), "hilcap-host");
  created.device = std::move(self);
  return created;
}

SimulatedDevice::~SimulatedDevice() {
  stop();
}

void SimulatedDevice::stop() {
  device_clock_.stop();
  host_clock_.stop();
  if (device_thread_.joinable()) device_thread_.join();
  if (host_thread_.joinable()) host_thread_.join();
}

void SimulatedDevice::raise() {
  // The host's completion path ("ISR + DPC") on its own thread, after the
  // scenario's DPC latency: never inside the device's event.
  host_clock_.schedule_after(dpc_latency_ns_,
                             [this] { filter_->service_interrupt(host_clock_.now()); });
}

}  // namespace hilcap::machine
