#include "runner/capture_stack.h"

#include <fmt/format.h>
#include <hilcap/ks_extensions.h>

#include "clients/pin_requests.h"
#include "scenario/status_names.h"

namespace hilcap::sim {

CaptureStack::~CaptureStack() {
  close_pin();
}

std::optional<std::string> CaptureStack::open_allocator(std::unique_ptr<CapturePin> pin,
                                                        const KSALLOCATOR_FRAMING& framing,
                                                        const std::string& file) {
  pin_ = std::move(pin);
  const AllocatorCreated allocator = create_allocator(pin_->handle(), framing);
  if (allocator.status != STATUS_SUCCESS) {
    return fmt::format("{}: at /allocator: KsCreateAllocator on the pin failed with {}: {}", file,
                       status_name(allocator.status), allocator.error);
  }
  allocator_handle_ = allocator.handle;
  allocator_ = stream_allocator_from_handle(allocator.handle);
  allocator_open_ = true;
  return std::nullopt;
}

void CaptureStack::close_pin() {
  close_allocator();
  pin_.reset();
  allocator_.reset();
}

void CaptureStack::close_allocator() {
  if (!allocator_open_.exchange(false)) return;
  CloseHandle(allocator_handle_);
}

NTSTATUS CaptureStack::set_state(device::PinState state) {
  return set_pin_state(pin_->handle(), to_ksstate(state));
}

NTSTATUS CaptureStack::dropped_frames(KSPROPERTY_DROPPEDFRAMES_CURRENT_S& counters) {
  return get_dropped_frames(pin_->handle(), counters);
}

}  // namespace hilcap::sim
