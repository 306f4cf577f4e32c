// The capture pin's backend for a UVC camera (camera_pin.h): KSSTATE onto
// the camera's stream (claimed at ACQUIRE with the counters restarted,
// streaming in RUN only), the allocator's frames through the UvcSource, and
// STOP handing every frame the camera holds back unfilled.
#pragma once

#include <hilcap/uvc/uvc_source.h>

#include <vector>

#include "capture/capture_backend.h"

namespace hilcap::uvc {

class UvcCameraBackend final : public CaptureBackend {
 public:
  explicit UvcCameraBackend(UvcSource& camera) : camera_(camera) {}

  const void* hardware() const override { return &camera_; }
  bool connected() const override { return !camera_.disconnected(); }
  FrameLimits frame_limits() const override;
  std::optional<std::string> framing_error(const KSALLOCATOR_FRAMING& framing) const override;
  NTSTATUS attach(const std::shared_ptr<StreamAllocator>& allocator) override;
  void acquired() override {}
  NTSTATUS set_state(KSSTATE from, KSSTATE target) override;
  // The camera delivers from its transfers: nothing to service.
  std::size_t service(std::int64_t /*host_time_ns*/) override { return 0; }
  void drain(std::int64_t host_time_ns) override;
  void retire(bool device_gone) override;
  device::FrameCounters counters() const override;
  DeliveredData delivered_data() const override;
  CapturePinStats stats() const override;
  std::uint32_t frames_held() const override;

 private:
  // One step between neighbouring states.
  NTSTATUS step(KSSTATE from, KSSTATE to);

  UvcSource& camera_;
  // The camera's frames begun and dropped when the counters last restarted.
  device::FrameCounters counted_before_;
  std::shared_ptr<StreamAllocator> allocator_;
  std::vector<hilcap::FrameBuffer> handed_back_;  // at STOP, for drain()
  FrameFateCounts handed_back_frames_;            // delivered by drain(): kReturnedUnfilled
  bool retired_ = false;
};

}  // namespace hilcap::uvc
