// What the UVC source tests share: a UsbContext (the source's own libusb
// context and event thread) and the device model served as a fake UVC camera;
// the client that ALLOCs, verifies and FREEs is source_client.h's.
#pragma once

// Before glib (umockdev): <hilcap/ks.h> defines TRUE and FALSE, glib only if absent.
#include <hilcap/stream_allocator.h>

#include "model_uvc_device.h"
#include "source_client.h"
#include "usb_fixture.h"

namespace hilcap::testing {

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
  // take_frames() of source_client.h, keeping how the last ALLOC ended.
  std::vector<ClientFrame> take_frames(StreamAllocator& allocator, const uvc::UvcSource& source,
                                       std::size_t count,
                                       std::chrono::milliseconds limit = std::chrono::seconds(5));

  NTSTATUS last_status = STATUS_SUCCESS;
  std::vector<std::unique_ptr<ModelUvcDevice>> model_devices_;
  std::shared_ptr<uvc::UsbContext> usb_;
};

}  // namespace hilcap::testing
