#include "runner/model_stack.h"

#include <fmt/format.h>

#include "pin_state_machine.h"
#include "runner/run_monitor.h"
#include "runner/run_report.h"

namespace hilcap::sim {

ModelStack::ModelStack(Scheduler& completion, TimeNs dpc_latency_ns)
    : completion_(completion), dpc_latency_ns_(dpc_latency_ns) {}

ModelStack::~ModelStack() {
  if (device_) device_->set_observer(nullptr);
  close_pin();  // the pin goes before its device
}

CaptureStack::Created ModelStack::create(const Scenario& scenario, Scheduler& device_scheduler,
                                         Scheduler& completion) {
  Created created;
  std::unique_ptr<ModelStack> stack(new ModelStack(completion, scenario.host.dpc_latency_ns));
  auto device = device::DeviceModel::create(scenario.device, device_scheduler, *stack);
  if (!device.device) {
    // The loader validated the same configuration; this is a safety net.
    for (const auto& e : device.errors)
      created.errors.push_back(fmt::format("{}: {}", scenario.file, e.message()));
    return created;
  }
  stack->device_ = std::move(device.device);

  CapturePinOptions options;
  options.verify_frames = scenario.host.verify_frames;
  if (const auto interval = device::frame_interval(scenario.device.timing.cadence);
      interval && interval->den != 0) {
    options.frame_interval_ns = static_cast<std::int64_t>(interval->num_ns / interval->den);
  }
  std::unique_ptr<CapturePin> pin = CapturePin::open(*stack->device_, options);
  if (!pin) {
    created.errors.push_back(fmt::format("{}: the capture pin could not be opened", scenario.file));
    return created;
  }
  if (auto error = stack->open_allocator(std::move(pin), scenario.framing, scenario.file)) {
    created.errors.push_back(std::move(*error));
    return created;
  }
  created.stack = std::move(stack);
  return created;
}

void ModelStack::observe(RunMonitor* monitor) {
  monitor_ = monitor;
  device_->set_observer(monitor);
}

void ModelStack::raise() {
  completion_.schedule_after(dpc_latency_ns_, [this] { service(); });
}

void ModelStack::service() {
  const std::size_t drained = pin().service_interrupt(completion_.now());
  if (monitor_ != nullptr && monitor_->wants_service_notices())
    monitor_->service_ran(completion_.now(), drained);
}

NTSTATUS ModelStack::inject_fault(const device::FaultAction& fault) {
  switch (device_->inject_fault(fault)) {
    case device::ControlStatus::kOk:
      return STATUS_SUCCESS;
    case device::ControlStatus::kDisconnected:
      return STATUS_DEVICE_NOT_CONNECTED;
    case device::ControlStatus::kInvalidRequest:
      return STATUS_INVALID_PARAMETER;
  }
  return STATUS_UNSUCCESSFUL;
}

DeviceFlow ModelStack::flow() const {
  const device::DeviceStats device = device_->stats();
  const CapturePinStats host = pin().stats();
  return {.due = device.frames_due,
          .delivered = device.frames_delivered,
          .dropped = device.dropped_total(),
          .in_flight = device.in_flight,
          .drained = host.frames.captured(),
          .undrained = device_->completion_ring().size()};
}

std::string ModelStack::describe_state() const {
  const device::DeviceStats stats = device_->stats();
  const AllocatorOccupancy occupancy = allocator().occupancy();
  return fmt::format(
      "pin {}, device {}; allocator {}: {} held, {} ready, {} at the device of {}, {} ALLOC(s) "
      "pending; device: {} due, {} produced, {} delivered, {} dropped, {} in flight",
      to_string(device_->state()), device_->connected() ? "connected" : "disconnected",
      allocator_open() ? "open" : "closed", occupancy.held, occupancy.ready,
      pin().frames_at_device(), occupancy.frames, occupancy.pending, stats.frames_due,
      stats.frames_produced, stats.frames_delivered, stats.dropped_total(), stats.in_flight);
}

void ModelStack::gather(RunTotals& totals) const {
  totals.device = device_->stats();
  totals.state = device_->state();
  totals.connected = device_->connected();
}

}  // namespace hilcap::sim
