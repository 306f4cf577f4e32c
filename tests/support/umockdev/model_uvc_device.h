// The device model as a UVC camera (ModelCamera: a UVC configuration derived
// from the device's configuration and how it sits on USB, with the model's
// synthesized frames, timing, faults, MJPEG encoder and UVC-level faults
// behind it) plugged into umockdev's usbfs. Real libusb and the real UVC
// source then run end to end against the device model, and every frame can
// be verified. The same ModelCamera is what `hilcap serve` puts on the
// usbredir bus.
#pragma once

#include <memory>

#include "fake_usb_device.h"
#include "fake_uvc_device.h"
#include "model_camera.h"

namespace hilcap::testing {

class ModelUvcDevice {
 public:
  // A device for valid configurations, else every error (field, expected, found).
  static device::uvc::Checked<std::unique_ptr<ModelUvcDevice>> create(
      MockTestbed& testbed, const device::DeviceConfig& config,
      const device::uvc::UvcPresentation& presentation,
      const device::uvc::ModelFrameBehaviour& behaviour, UsbBusAddress address = {});
  // A camera already made (a scenario's: make_scenario_camera).
  ModelUvcDevice(MockTestbed& testbed, std::unique_ptr<device::uvc::ModelCamera> camera,
                 UsbBusAddress address = {});

  FakeUsbDevice& usb() { return usb_; }
  const device::uvc::UvcPresentation& presentation() const { return camera_->presentation(); }
  // Runs f(personality) while no ioctl is being answered.
  template <class F>
  decltype(auto) with_personality(F&& f) {
    return usb_.with_model(
        [&](UsbDeviceModel&) -> decltype(auto) { return f(camera_->personality()); });
  }
  // The model's frame statistics, read while no ioctl is answered.
  device::uvc::ModelFrameStats frame_stats() {
    return usb_.with_model([&](UsbDeviceModel&) { return camera_->frames().stats(); });
  }

 private:
  std::unique_ptr<device::uvc::ModelCamera> camera_;
  UvcDeviceModel model_;
  FakeUsbDevice usb_;
};

}  // namespace hilcap::testing
