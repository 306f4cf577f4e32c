// The device model's UVC personality served as a USB device through umockdev:
// libusb enumerates it, negotiates with it and streams from it.
#pragma once

#include <memory>

#include "fake_usb_device.h"
#include "usb_device_model.h"
#include "uvc_personality.h"

namespace hilcap::testing {

// The personality as the device behind a FakeUsbDevice.
class UvcDeviceModel : public UsbDeviceModel {
 public:
  explicit UvcDeviceModel(device::uvc::UvcPersonality& personality) : personality_(personality) {}

  ControlOutcome control(const SetupPacket& setup, std::span<const std::uint8_t> out,
                         std::span<std::uint8_t> in) override {
    return personality_.control(setup, out, in);
  }
  bool set_interface(std::uint8_t interface, std::uint8_t alt_setting) override {
    return personality_.set_interface(interface, alt_setting);
  }
  void clear_halt(std::uint8_t endpoint) override { personality_.clear_halt(endpoint); }
  void reset() override { personality_.reset(); }
  TransferResult bulk_in(std::uint8_t endpoint, std::span<std::uint8_t> buffer) override;
  TransferResult iso_in(std::uint8_t endpoint, std::span<IsoPacket> packets,
                        std::span<std::uint8_t> buffer) override;

 private:
  device::uvc::UvcPersonality& personality_;
};

class FakeUvcDevice {
 public:
  // A device for a valid configuration, else the configuration's errors.
  // Frames come from `frames`, called on umockdev's thread.
  static device::uvc::Checked<std::unique_ptr<FakeUvcDevice>> create(
      MockTestbed& testbed, device::uvc::UvcDeviceConfig config,
      device::uvc::StreamFrameSource& frames, UsbBusAddress address = {});

  FakeUsbDevice& usb() { return usb_; }
  // Runs f(personality) while no ioctl is being answered.
  template <class F>
  decltype(auto) with_personality(F&& f) {
    return usb_.with_model([&](UsbDeviceModel&) -> decltype(auto) { return f(personality_); });
  }

 private:
  FakeUvcDevice(MockTestbed& testbed, device::uvc::UvcPersonality personality,
                UsbBusAddress address);

  device::uvc::UvcPersonality personality_;
  UvcDeviceModel model_;
  FakeUsbDevice usb_;
};

}  // namespace hilcap::testing
