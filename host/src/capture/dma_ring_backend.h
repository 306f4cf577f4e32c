// The capture pin's backend for a device that speaks the datasheet
// (firmware-model/include/hilcap/device/): KSSTATE onto the device's pin
// state register, a DmaFrameSource per allocator on the two descriptor rings,
// and the interrupt line's acknowledge-then-drain.
#pragma once

#include <hilcap/device/control.h>

#include <memory>

#include "capture_backend.h"
#include "dma_frame_source.h"

namespace hilcap {

class DmaRingBackend final : public CaptureBackend {
 public:
  // `device` must outlive the backend's calls (the pin's, until it closes).
  DmaRingBackend(device::DeviceControl& device, const CapturePinOptions& options);

  const void* hardware() const override { return &device_; }
  bool connected() const override { return device_.connected(); }
  FrameLimits frame_limits() const override;
  std::optional<std::string> framing_error(const KSALLOCATOR_FRAMING& framing) const override;
  NTSTATUS attach(const std::shared_ptr<StreamAllocator>& allocator) override;
  void acquired() override;
  NTSTATUS set_state(KSSTATE from, KSSTATE target) override;
  std::size_t service(std::int64_t host_time_ns) override;
  void drain(std::int64_t host_time_ns) override;
  void retire(bool device_gone) override;
  device::FrameCounters counters() const override;
  DeliveredData delivered_data() const override;
  CapturePinStats stats() const override;
  std::uint32_t frames_held() const override;

 private:
  std::size_t drain_ring(std::int64_t host_time_ns);

  device::DeviceControl& device_;
  const CapturePinOptions options_;
  std::shared_ptr<StreamAllocator> allocator_;
  std::shared_ptr<DmaFrameSource> source_;
  CapturePinStats retired_stats_;  // of the sources of earlier allocators
};

}  // namespace hilcap
