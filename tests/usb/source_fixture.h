// What the UVC source tests share: a UsbContext (the source's own libusb
// context and event thread), the device model served as a fake UVC camera,
// capture-mode allocators, and a client that ALLOCs, verifies and FREEs.
#pragma once

#include <hilcap/device/frame_header.h>
#include <hilcap/stream_allocator.h>
#include <hilcap/uvc/uvc_source.h>

#include <condition_variable>
#include <mutex>

#include "model_uvc_device.h"
#include "usb_fixture.h"

namespace hilcap::testing {

// An ALLOC that a test thread can wait for.
class WaitableAlloc : public AllocRequest {
 public:
  // Waits up to `limit` for the completion; nullopt on timeout.
  std::optional<AllocOutcome> wait(std::chrono::milliseconds limit);
  void reset();

 private:
  void on_complete(NTSTATUS status, void* frame) override;

  std::mutex mutex_;
  std::condition_variable done_;
  std::optional<AllocOutcome> outcome_;
};

// One frame as a client saw it.
struct ClientFrame {
  FrameInfo info;
  device::FrameVerdict verdict;
  std::optional<uvc::UvcFrameRecord> record;
};

// The device model's defaults for these tests: 160x120 YUY2 at 30 fps, pattern.
device::DeviceConfig model_config(std::uint32_t width = 160, std::uint32_t height = 120);
device::uvc::UvcPresentation presentation(
    bool bulk, device::uvc::UvcVersion version = device::uvc::UvcVersion::k1_1);

class SourceTest : public UsbTest {
 protected:
  void TearDown() override;

  std::shared_ptr<uvc::UsbContext> usb();
  ModelUvcDevice& add_model_device(const device::DeviceConfig& config,
                                   const device::uvc::UvcPresentation& presentation,
                                   device::uvc::Pacing pacing = device::uvc::Pacing::kOnDemand,
                                   UsbBusAddress address = {});
  uvc::SourceResult<std::unique_ptr<uvc::UvcSource>> open_source(
      const std::string& selector = "cafe:4011", uvc::SourceOptions options = {});
  // A capture-mode allocator of `frames` frames sized for `source`.
  std::shared_ptr<StreamAllocator> allocator_for(const uvc::UvcSource& source,
                                                 std::uint32_t frames = 4);
  // ALLOC, verify and FREE `count` frames (fewer when an ALLOC fails or waits
  // longer than `limit`; `last_status` says how the last one ended).
  std::vector<ClientFrame> take_frames(StreamAllocator& allocator, const uvc::UvcSource& source,
                                       std::size_t count,
                                       std::chrono::milliseconds limit = std::chrono::seconds(5));

  NTSTATUS last_status = STATUS_SUCCESS;
  std::vector<std::unique_ptr<ModelUvcDevice>> model_devices_;
  std::shared_ptr<uvc::UsbContext> usb_;
};

// Consecutive delivered frames keep the KS invariant: sequence numbers increase and their gaps
// equal the growth of the drop count.
void expect_sequence_invariant(const std::vector<ClientFrame>& frames);

}  // namespace hilcap::testing
