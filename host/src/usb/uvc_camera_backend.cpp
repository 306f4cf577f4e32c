#include "uvc_camera_backend.h"

#include <fmt/format.h>
#include <hilcap/uvc/camera_pin.h>

#include <algorithm>

#include "ks_policy.h"

namespace hilcap::uvc {
namespace {

NTSTATUS status_of(const SourceError& error) {
  switch (error.kind) {
    case SourceErrorKind::kDisconnected:
      return kKsPolicy.device_gone_status;
    case SourceErrorKind::kBandwidth:
      return STATUS_INSUFFICIENT_RESOURCES;
    case SourceErrorKind::kInvalidState:
      return STATUS_INVALID_DEVICE_STATE;
    default:
      return STATUS_UNSUCCESSFUL;
  }
}

}  // namespace

FrameLimits UvcCameraBackend::frame_limits() const {
  // No ring: as many frames as the allocator's pool limit allows, each
  // dwMaxVideoFrameSize.
  const ULONG frame_size = camera_.frame_size();
  return {static_cast<ULONG>(kKsPolicy.max_pool_bytes / std::max<ULONG>(1, frame_size)),
          frame_size};
}

std::optional<std::string> UvcCameraBackend::framing_error(
    const KSALLOCATOR_FRAMING& framing) const {
  const std::uint32_t frame_size = camera_.frame_size();
  if (framing.FrameSize >= frame_size) return std::nullopt;
  const StreamChoice& choice = camera_.stream().choice;
  return fmt::format(
      "KSALLOCATOR_FRAMING.FrameSize: expected at least {} (the camera's dwMaxVideoFrameSize for "
      "{} {}x{}), found {}",
      frame_size, choice.format_name, choice.width, choice.height, framing.FrameSize);
}

NTSTATUS UvcCameraBackend::attach(const std::shared_ptr<StreamAllocator>& allocator) {
  // The previous allocator (closed) let its frames go with it.
  handed_back_.clear();
  if (const auto refused = camera_.attach(allocator)) return status_of(*refused);
  allocator_ = allocator;
  return STATUS_SUCCESS;
}

NTSTATUS UvcCameraBackend::set_state(KSSTATE from, KSSTATE target) {
  // Only starting the stream can fail, and the steps before it change nothing
  // that a failure would have to undo: the camera is then as `from` left it.
  for (KSSTATE at = from; at != target;) {
    const auto next = static_cast<KSSTATE>(target > at ? at + 1 : at - 1);
    if (const NTSTATUS status = step(at, next); status != STATUS_SUCCESS) return status;
    at = next;
  }
  return connected() ? STATUS_SUCCESS : kKsPolicy.device_gone_status;
}

NTSTATUS UvcCameraBackend::step(KSSTATE from, KSSTATE to) {
  if (!connected()) return kKsPolicy.device_gone_status;
  if (from == KSSTATE_STOP && to == KSSTATE_ACQUIRE) {
    // Not streaming: no frame comes between these two.
    camera_.restart_numbering();
    const uvc::AssemblerCounters counted = camera_.counters().assembly;
    counted_before_ = {counted.frames_started, counted.dropped.total()};
  } else if (from == KSSTATE_PAUSE && to == KSSTATE_RUN) {
    if (retired_) return STATUS_INVALID_DEVICE_STATE;
    if (const auto refused = camera_.start_streaming()) return status_of(*refused);
  } else if (from == KSSTATE_RUN && to == KSSTATE_PAUSE) {
    camera_.stop_streaming();
  } else if (from == KSSTATE_ACQUIRE && to == KSSTATE_STOP) {
    // Every frame the camera holds comes back (drain() delivers them).
    for (const hilcap::FrameBuffer& frame : camera_.take_free_frames())
      handed_back_.push_back(frame);
  }
  return STATUS_SUCCESS;
}

void UvcCameraBackend::drain(std::int64_t host_time_ns) {
  std::vector<hilcap::FrameBuffer> frames;
  frames.swap(handed_back_);
  for (const hilcap::FrameBuffer& frame : frames) {
    hilcap::FrameInfo info;  // DataUsed 0, no PictureNumber: no frame in it
    info.fate = FrameFate::kReturnedUnfilled;
    info.host_timestamp_ns = host_time_ns;
    allocator_->deliver(frame, info);
    handed_back_frames_.add(info.fate);
  }
}

void UvcCameraBackend::retire(bool /*device_gone*/) {
  retired_ = true;
  camera_.stop_streaming();
}

device::FrameCounters UvcCameraBackend::counters() const {
  const uvc::AssemblerCounters counted = camera_.counters().assembly;
  return {counted.frames_started - counted_before_.picture_number,
          counted.dropped.total() - counted_before_.drop_count};
}

DeliveredData UvcCameraBackend::delivered_data() const {
  const SourceCounters c = camera_.counters();
  return {c.bytes_delivered, c.frames_with_data};
}

CapturePinStats UvcCameraBackend::stats() const {
  const SourceCounters c = camera_.counters();
  CapturePinStats stats;
  stats.frames = c.frames;
  stats.frames += handed_back_frames_;
  return stats;
}

std::uint32_t UvcCameraBackend::frames_held() const {
  return camera_.frames_held() + static_cast<std::uint32_t>(handed_back_.size());
}

std::unique_ptr<CapturePin> open_camera_pin(UvcSource& camera) {
  return CapturePin::open(std::make_unique<UvcCameraBackend>(camera));
}

}  // namespace hilcap::uvc
