// The device model served through its UVC personality on a fake USB device:
// a UVC configuration derived from the device's configuration (format, size,
// frame rate) and how it sits on USB, with the model's synthesized frames,
// timing and faults behind it. Real libusb and the real UVC source then run
// end to end against the device model, and every frame can be verified.
#pragma once

#include <memory>

#include "fake_uvc_device.h"
#include "model_frame_source.h"

namespace hilcap::testing {

class ModelUvcDevice {
 public:
  // A device for valid configurations, else every error (field, expected, found).
  static device::uvc::Checked<std::unique_ptr<ModelUvcDevice>> create(
      MockTestbed& testbed, const device::DeviceConfig& config,
      const device::uvc::UvcPresentation& presentation, device::uvc::Pacing pacing,
      UsbBusAddress address = {});

  FakeUvcDevice& fake() { return *fake_; }
  FakeUsbDevice& usb() { return fake_->usb(); }
  // The model's frame statistics, read while no ioctl is answered.
  device::uvc::ModelFrameStats frame_stats() {
    return fake_->with_personality([&](device::uvc::UvcPersonality&) { return frames_->stats(); });
  }

 private:
  ModelUvcDevice() = default;

  std::unique_ptr<device::uvc::ModelFrameSource> frames_;
  std::unique_ptr<FakeUvcDevice> fake_;
};

}  // namespace hilcap::testing
