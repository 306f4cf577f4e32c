#include "dma_ring_backend.h"

#include <fmt/format.h>
#include <hilcap/device/frame_format.h>

#include "../ks_policy.h"

namespace hilcap {
namespace {

// KSSTATE and device::PinState list the states in the same order (control.h).
device::PinState pin_state(KSSTATE state) {
  return static_cast<device::PinState>(state);
}

std::string fourcc_name(device::PixelFormat format) {
  const auto code = static_cast<std::uint32_t>(format);
  return {static_cast<char>(code), static_cast<char>(code >> 8), static_cast<char>(code >> 16),
          static_cast<char>(code >> 24)};
}

void add(CapturePinStats& total, const CapturePinStats& more) {
  total.interrupts += more.interrupts;
  total.completions += more.completions;
  total.frames += more.frames;
  total.buffers_posted += more.buffers_posted;
}

}  // namespace

DmaRingBackend::DmaRingBackend(device::DeviceControl& device, const CapturePinOptions& options)
    : device_(device), options_(options) {}

FrameLimits DmaRingBackend::frame_limits() const {
  return {static_cast<ULONG>(device_.submission_ring().capacity()),
          static_cast<ULONG>(device_.frame_format().frame_bytes())};
}

std::optional<std::string> DmaRingBackend::framing_error(const KSALLOCATOR_FRAMING& framing) const {
  const std::size_t depth = device_.submission_ring().capacity();
  if (framing.Frames > depth) {
    return fmt::format(
        "KSALLOCATOR_FRAMING.Frames: expected at most {} (the device's ring depth), found {}",
        depth, framing.Frames);
  }
  const device::FrameFormat format = device_.frame_format();
  if (framing.FrameSize < format.frame_bytes()) {
    return fmt::format(
        "KSALLOCATOR_FRAMING.FrameSize: expected at least {} (one {}x{} {} frame), found {}",
        format.frame_bytes(), format.width, format.height, fourcc_name(format.pixel_format),
        framing.FrameSize);
  }
  return std::nullopt;
}

NTSTATUS DmaRingBackend::attach(const std::shared_ptr<StreamAllocator>& allocator) {
  if (source_) {
    // The previous allocator is closed and the pin stopped: its source is done.
    source_->retire(/*take_back_posted=*/false);
    add(retired_stats_, source_->stats());
  }
  source_ = std::make_shared<DmaFrameSource>(
      device_.submission_ring(), device_.completion_ring(), allocator->framing().Frames,
      MappingOptions{.verify_frames = options_.verify_frames,
                     .frame_interval_ns = options_.frame_interval_ns});
  allocator_ = allocator;
  return allocator->attach(source_);
}

void DmaRingBackend::acquired() {
  // A fresh start (the rings are empty): clear an assertion that nobody
  // acknowledged, e.g. the one announcing the previous STOP's hand-back.
  device_.acknowledge_interrupt();
}

NTSTATUS DmaRingBackend::set_state(KSSTATE from, KSSTATE target) {
  // Nothing more for a device that is stopping.
  if (target == KSSTATE_STOP && source_) source_->stop_posting();
  if (device_.set_state(pin_state(target)) != device::ControlStatus::kOk) {
    return kKsPolicy.device_gone_status;
  }
  if (from == KSSTATE_STOP && source_) source_->start_posting();
  return STATUS_SUCCESS;
}

std::size_t DmaRingBackend::service(std::int64_t host_time_ns) {
  device_.acknowledge_interrupt();  // first, then drain (interrupt_line.h)
  return drain_ring(host_time_ns);
}

void DmaRingBackend::drain(std::int64_t host_time_ns) {
  drain_ring(host_time_ns);
}

std::size_t DmaRingBackend::drain_ring(std::int64_t host_time_ns) {
  if (!source_) return 0;
  return source_->drain(*allocator_, host_time_ns);
}

void DmaRingBackend::retire(bool device_gone) {
  if (source_) source_->retire(/*take_back_posted=*/device_gone);
}

device::FrameCounters DmaRingBackend::counters() const {
  return device_.frame_counters();
}

DeliveredData DmaRingBackend::delivered_data() const {
  return source_ ? source_->data_totals() : DeliveredData{};
}

CapturePinStats DmaRingBackend::stats() const {
  CapturePinStats stats = retired_stats_;
  if (source_) add(stats, source_->stats());
  return stats;
}

std::uint32_t DmaRingBackend::frames_held() const {
  return source_ ? source_->frames_held() : 0;
}

}  // namespace hilcap
