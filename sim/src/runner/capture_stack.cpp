#include "runner/capture_stack.h"

#include <fmt/format.h>
#include <hilcap/ks_extensions.h>

#include "clients/pin_requests.h"
#include "scenario/status_names.h"

namespace hilcap::sim {

CaptureStack::CaptureStack(Scheduler& completion, TimeNs dpc_latency_ns)
    : completion_(completion), dpc_latency_ns_(dpc_latency_ns) {}

CaptureStack::Created CaptureStack::create(const Scenario& scenario, Scheduler& scheduler,
                                           Scheduler* completion) {
  Created created;
  std::unique_ptr<CaptureStack> stack(
      new CaptureStack(completion ? *completion : scheduler, scenario.host.dpc_latency_ns));
  auto device = device::DeviceModel::create(scenario.device, scheduler, *stack);
  if (!device.device) {
    // The loader validated the same configuration; this is a safety net.
    for (const auto& e : device.errors)
      created.errors.push_back(fmt::format("{}: {}", scenario.file, e.message()));
    return created;
  }
  stack->device_ = std::move(device.device);

  stack->pin_ = CapturePin::open(*stack->device_, scenario.pin_options());
  if (!stack->pin_) {
    created.errors.push_back(fmt::format("{}: the capture pin could not be opened", scenario.file));
    return created;
  }
  const AllocatorCreated allocator = create_allocator(stack->pin_->handle(), scenario.framing);
  if (allocator.status != STATUS_SUCCESS) {
    created.errors.push_back(
        fmt::format("{}: at /allocator: KsCreateAllocator on the pin failed "
                    "with {}: {}",
                    scenario.file, status_name(allocator.status), allocator.error));
    return created;
  }
  stack->allocator_handle_ = allocator.handle;
  stack->allocator_ = stream_allocator_from_handle(allocator.handle);
  stack->allocator_open_ = true;
  created.stack = std::move(stack);
  return created;
}

CaptureStack::~CaptureStack() {
  close_allocator();
  pin_.reset();
  device_.reset();
}

void CaptureStack::close_allocator() {
  if (!allocator_open_.exchange(false)) return;
  CloseHandle(allocator_handle_);
}

void CaptureStack::raise() {
  completion_.schedule_after(dpc_latency_ns_, [this] { service(); });
}

void CaptureStack::service() {
  const std::size_t drained = pin_->service_interrupt(completion_.now());
  if (service_hook_) service_hook_(completion_.now(), drained);
}

NTSTATUS CaptureStack::set_state(device::PinState state) {
  return set_pin_state(pin_->handle(), to_ksstate(state));
}

NTSTATUS CaptureStack::inject_fault(const device::FaultAction& fault) {
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

NTSTATUS CaptureStack::dropped_frames(KSPROPERTY_DROPPEDFRAMES_CURRENT_S& counters) {
  return get_dropped_frames(pin_->handle(), counters);
}

}  // namespace hilcap::sim
