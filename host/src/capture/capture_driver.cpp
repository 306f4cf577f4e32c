#include "capture_driver.h"

#include <fmt/format.h>
#include <hilcap/device/frame_format.h>

#include <algorithm>

#include "../ks_policy.h"
#include "hardware_claims.h"

namespace hilcap {
namespace {

// KSSTATE and device::PinState list the states in the same order (control.h).
device::PinState pin_state(KSSTATE state) {
  return static_cast<device::PinState>(state);
}

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

std::string fourcc_name(device::PixelFormat format) {
  const auto code = static_cast<std::uint32_t>(format);
  return {static_cast<char>(code), static_cast<char>(code >> 8), static_cast<char>(code >> 16),
          static_cast<char>(code >> 24)};
}

void add(CapturePinStats& total, const CapturePinStats& more) {
  total.interrupts += more.interrupts;
  total.completions += more.completions;
  total.frames_delivered += more.frames_delivered;
  total.frames_ok += more.frames_ok;
  total.frames_short += more.frames_short;
  total.frames_error += more.frames_error;
  total.frames_corrupt += more.frames_corrupt;
  total.returned_unfilled += more.returned_unfilled;
  total.buffers_rejected += more.buffers_rejected;
  total.buffers_posted += more.buffers_posted;
}

StreamAllocator::Created refused(NTSTATUS status, std::string error) {
  return {status, std::move(error), nullptr};
}

}  // namespace

CaptureDriver::CaptureDriver(device::DeviceControl& device, const CapturePinOptions& options)
    : device_(device), options_(options) {}

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
    if (!HardwareClaims::instance().claim(device_, shared_from_this())) {
      return STATUS_SHARING_VIOLATION;
    }
    holds_device_ = true;
    // A fresh start (the rings are empty): clear an assertion that nobody
    // acknowledged, e.g. the one announcing the previous STOP's hand-back.
    device_.acknowledge_interrupt();
  }
  // Nothing more for a device that is stopping.
  if (target == KSSTATE_STOP && source_) source_->stop_posting();
  if (device_.set_state(pin_state(target)) != device::ControlStatus::kOk) {
    handle_disconnect();  // a valid state fails only on a device that is gone
    return kKsPolicy.device_gone_status;
  }
  if (leaving_stop) {
    // The device reset its counters (STOP -> ACQUIRE); so does the average size.
    data_at_reset_ = source_ ? source_->data_totals() : DmaFrameSource::DataTotals{};
    if (source_) source_->start_posting();
  }
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
  const device::FrameCounters counters = device_.frame_counters();
  value.PictureNumber = static_cast<LONGLONG>(counters.picture_number);
  value.DropCount = static_cast<LONGLONG>(counters.drop_count);
  const DmaFrameSource::DataTotals totals =
      source_ ? source_->data_totals() : DmaFrameSource::DataTotals{};
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
  const std::size_t depth = device_.submission_ring().capacity();
  if (framing.Frames > depth) {
    return refused(kKsPolicy.pin_framing_status,
                   fmt::format("KSALLOCATOR_FRAMING.Frames: expected at most {} (the device's "
                               "ring depth), found {}",
                               depth, framing.Frames));
  }
  const device::FrameFormat format = device_.frame_format();
  if (framing.FrameSize < format.frame_bytes()) {
    return refused(kKsPolicy.pin_framing_status,
                   fmt::format("KSALLOCATOR_FRAMING.FrameSize: expected at least {} (one {}x{} "
                               "{} frame), found {}",
                               format.frame_bytes(), format.width, format.height,
                               fourcc_name(format.pixel_format), framing.FrameSize));
  }
  StreamAllocator::Created created = StreamAllocator::create(framing);
  if (created.status != STATUS_SUCCESS) return created;
  if (source_) {
    // The previous allocator is closed and the pin stopped: its source is done.
    source_->retire(/*take_back_posted=*/false);
    add(retired_stats_, source_->stats());
  }
  source_ = std::make_shared<DmaFrameSource>(
      device_.submission_ring(), device_.completion_ring(), framing.Frames,
      MappingOptions{.verify_frames = options_.verify_frames,
                     .frame_interval_ns = options_.frame_interval_ns});
  data_at_reset_ = {};
  created.allocator->attach(source_);
  allocator_ = created.allocator;
  return created;
}

KSALLOCATOR_FRAMING CaptureDriver::own_allocator_framing(ULONG max_frames) const {
  KSALLOCATOR_FRAMING framing{};
  framing.OptionsFlags = KSALLOCATOR_OPTIONF_SYSTEM_MEMORY;
  framing.PoolType = NonPagedPool;
  framing.Frames =
      std::min<ULONG>(max_frames, static_cast<ULONG>(device_.submission_ring().capacity()));
  framing.FrameSize = static_cast<ULONG>(device_.frame_format().frame_bytes());
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
  const std::shared_ptr<CaptureDriver> holder = HardwareClaims::instance().holder(device_);
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
  device_.acknowledge_interrupt();  // first, then drain (interrupt_line.h)
  const std::size_t drained = drain(host_time_ns);
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
  if (source_) source_->retire(/*take_back_posted=*/false);
  if (allocator_ && !gone_) allocator_->disconnect(kKsPolicy.closed_pin_alloc_status);
  give_device_up();
}

bool CaptureDriver::device_gone() {
  if (gone_) return true;
  if (device_.connected()) return false;
  handle_disconnect();
  return true;
}

void CaptureDriver::handle_disconnect() {
  gone_ = true;
  // What the device completed before it went, then the buffers it handed back.
  drain(last_host_time_ns_);
  // It never reads the submission ring again: what is still posted is ours.
  if (source_) source_->retire(/*take_back_posted=*/holds_device_);
  if (allocator_) allocator_->disconnect(kKsPolicy.device_gone_status);
  give_device_up();
  state_ = KSSTATE_STOP;
}

std::size_t CaptureDriver::drain(std::int64_t host_time_ns) {
  if (!holds_device_ || !source_) return 0;
  return source_->drain(*allocator_, host_time_ns);
}

void CaptureDriver::give_device_up() {
  if (!holds_device_) return;
  HardwareClaims::instance().release(device_, this);
  holds_device_ = false;
}

std::shared_ptr<StreamAllocator> CaptureDriver::allocator() const {
  std::lock_guard lock(mutex_);
  return allocator_;
}

CapturePinStats CaptureDriver::stats() const {
  std::lock_guard lock(mutex_);
  CapturePinStats stats = retired_stats_;
  if (source_) add(stats, source_->stats());
  stats.interrupts = interrupts_;
  return stats;
}

std::uint32_t CaptureDriver::frames_at_device() const {
  std::lock_guard lock(mutex_);
  return source_ ? source_->frames_held() : 0;
}

}  // namespace hilcap
