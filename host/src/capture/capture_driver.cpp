#include "capture_driver.h"

#include <fmt/format.h>

#include <algorithm>

#include "../ks_policy.h"
#include "hardware_claims.h"

namespace hilcap {
namespace {

const char* state_name(KSSTATE state) {
  switch (state) {
    case KSSTATE_STOP:
      return "KSSTATE_STOP";
    case KSSTATE_ACQUIRE:
      return "KSSTATE_ACQUIRE";
    case KSSTATE_PAUSE:
      return "KSSTATE_PAUSE";
    case KSSTATE_RUN:
      return "KSSTATE_RUN";
  }
  return "an unknown KSSTATE";
}

StreamAllocator::Created refused(NTSTATUS status, std::string error) {
  return {status, std::move(error), nullptr};
}

}  // namespace

CaptureDriver::CaptureDriver(std::unique_ptr<CaptureBackend> backend)
    : backend_(std::move(backend)) {}

NTSTATUS CaptureDriver::set_state(KSSTATE target) {
  std::lock_guard lock(mutex_);
  if (closed_) return kKsPolicy.closed_handle_status;
  if (device_gone()) return kKsPolicy.device_gone_status;
  return enter_state(target);
}

NTSTATUS CaptureDriver::enter_state(KSSTATE target) {
  if (target == state_) return STATUS_SUCCESS;
  const bool leaving_stop = state_ == KSSTATE_STOP;
  if (leaving_stop) {
    if (!HardwareClaims::instance().claim(backend_->hardware(), shared_from_this())) {
      return STATUS_SHARING_VIOLATION;
    }
    holds_device_ = true;
    backend_->acquired();
    // The counters restart (STOP -> ACQUIRE): frames still ready belong to
    // the numbering before.
    if (allocator_) allocator_->restart_numbering();
  }
  const NTSTATUS status = backend_->set_state(state_, target);
  if (status == kKsPolicy.device_gone_status) {
    handle_disconnect();  // a valid state fails only on a device that is gone
    return status;
  }
  if (status != STATUS_SUCCESS) {
    // The backend left the device where it was.
    if (leaving_stop) give_device_up();
    return status;
  }
  // The device reset its counters (STOP -> ACQUIRE); so does the average size.
  if (leaving_stop) data_at_reset_ = backend_->delivered_data();
  state_ = target;
  if (target == KSSTATE_STOP) {
    // The device handed every buffer back before set_state returned: deliver
    // them now, then give the device (and its rings) up.
    drain(last_host_time_ns_);
    give_device_up();
  }
  return STATUS_SUCCESS;
}

NTSTATUS CaptureDriver::get_state(KSSTATE& state) {
  std::lock_guard lock(mutex_);
  if (closed_) return kKsPolicy.closed_handle_status;
  if (device_gone()) return kKsPolicy.device_gone_status;
  state = state_;
  return STATUS_SUCCESS;
}

NTSTATUS CaptureDriver::dropped_frames(KSPROPERTY_DROPPEDFRAMES_CURRENT_S& value) {
  std::lock_guard lock(mutex_);
  if (closed_) return kKsPolicy.closed_handle_status;
  if (device_gone()) return kKsPolicy.device_gone_status;
  const device::FrameCounters counters = backend_->counters();
  value.PictureNumber = static_cast<LONGLONG>(counters.picture_number);
  value.DropCount = static_cast<LONGLONG>(counters.drop_count);
  const DeliveredData totals = backend_->delivered_data();
  const std::uint64_t frames = totals.frames - data_at_reset_.frames;
  value.AverageFrameSize =
      frames == 0 ? 0 : static_cast<ULONG>((totals.bytes - data_at_reset_.bytes) / frames);
  return STATUS_SUCCESS;
}

StreamAllocator::Created CaptureDriver::create_allocator(const KSALLOCATOR_FRAMING& framing) {
  std::lock_guard lock(mutex_);
  if (closed_)
    return refused(kKsPolicy.closed_handle_status, "ConnectionHandle: the pin is closed");
  if (device_gone()) {
    return refused(kKsPolicy.device_gone_status, "ConnectionHandle: the pin's device is gone");
  }
  if (state_ != KSSTATE_STOP) {
    return refused(kKsPolicy.pin_allocator_state_status,
                   fmt::format("ConnectionHandle: expected a pin in KSSTATE_STOP, found {}",
                               state_name(state_)));
  }
  if (allocator_ && !allocator_->closed()) {
    return refused(kKsPolicy.pin_allocator_state_status,
                   "ConnectionHandle: expected a pin without an open allocator (one at a time), "
                   "found one");
  }
  if (auto error = backend_->framing_error(framing)) {
    return refused(kKsPolicy.pin_framing_status, std::move(*error));
  }
  StreamAllocator::Created created = StreamAllocator::create(framing);
  if (created.status != STATUS_SUCCESS) return created;
  if (const NTSTATUS attached = backend_->attach(created.allocator); attached != STATUS_SUCCESS) {
    return refused(attached, "ConnectionHandle: the device refused the allocator's frames");
  }
  data_at_reset_ = backend_->delivered_data();
  allocator_ = created.allocator;
  return created;
}

KSALLOCATOR_FRAMING CaptureDriver::own_allocator_framing(ULONG max_frames) const {
  KSALLOCATOR_FRAMING framing{};
  framing.OptionsFlags = KSALLOCATOR_OPTIONF_SYSTEM_MEMORY;
  framing.PoolType = NonPagedPool;
  const FrameLimits limits = backend_->frame_limits();
  framing.Frames = std::min<ULONG>(max_frames, limits.max_frames);
  framing.FrameSize = limits.frame_size;
  framing.FileAlignment = FILE_64_BYTE_ALIGNMENT;
  return framing;
}

std::size_t CaptureDriver::service_interrupt(std::int64_t host_time_ns) {
  {
    // The common case, once per interrupt: this pin holds the device (the
    // claim changes only under mutex_), so the registry need not be asked.
    std::lock_guard lock(mutex_);
    if (holds_device_ && !closed_) return service_held_device(host_time_ns);
  }
  // The device's interrupt belongs to the pin holding the device.
  const std::shared_ptr<CaptureDriver> holder =
      HardwareClaims::instance().holder(backend_->hardware());
  if (holder && holder.get() != this) return holder->service_interrupt(host_time_ns);
  std::lock_guard lock(mutex_);
  if (holds_device_ && !closed_) return service_held_device(host_time_ns);
  // A pin that holds nothing has nothing to drain, and must not acknowledge
  // (the holder could lose an interrupt).
  ++interrupts_;
  last_host_time_ns_ = host_time_ns;
  if (!closed_) device_gone();
  return 0;
}

std::size_t CaptureDriver::service_held_device(std::int64_t host_time_ns) {
  ++interrupts_;
  last_host_time_ns_ = host_time_ns;
  const std::size_t drained = backend_->service(host_time_ns);
  device_gone();
  return drained;
}

void CaptureDriver::close() {
  std::lock_guard lock(mutex_);
  if (closed_) return;
  // The class cancels outstanding requests first, then the pin stops (§7.1).
  if (allocator_) allocator_->cancel_all();
  if (!device_gone() && state_ != KSSTATE_STOP) enter_state(KSSTATE_STOP);
  closed_ = true;
  backend_->retire(/*device_gone=*/false);
  if (allocator_ && !gone_) allocator_->disconnect(kKsPolicy.closed_pin_alloc_status);
  give_device_up();
}

bool CaptureDriver::device_gone() {
  if (gone_) return true;
  if (backend_->connected()) return false;
  handle_disconnect();
  return true;
}

void CaptureDriver::handle_disconnect() {
  gone_ = true;
  // What the device completed before it went, then the buffers it handed back.
  drain(last_host_time_ns_);
  // It never reads what was posted again: that is ours.
  backend_->retire(/*device_gone=*/holds_device_);
  if (allocator_) allocator_->disconnect(kKsPolicy.device_gone_status);
  give_device_up();
  state_ = KSSTATE_STOP;
}

void CaptureDriver::drain(std::int64_t host_time_ns) {
  if (holds_device_ && allocator_) backend_->drain(host_time_ns);
}

void CaptureDriver::give_device_up() {
  if (!holds_device_) return;
  HardwareClaims::instance().release(backend_->hardware(), this);
  holds_device_ = false;
}

std::shared_ptr<StreamAllocator> CaptureDriver::allocator() const {
  std::lock_guard lock(mutex_);
  return allocator_;
}

CapturePinStats CaptureDriver::stats() const {
  std::lock_guard lock(mutex_);
  CapturePinStats stats = backend_->stats();
  stats.interrupts = interrupts_;
  return stats;
}

std::uint32_t CaptureDriver::frames_at_device() const {
  std::lock_guard lock(mutex_);
  return backend_->frames_held();
}

}  // namespace hilcap
