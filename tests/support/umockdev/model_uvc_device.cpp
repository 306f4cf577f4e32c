#include "model_uvc_device.h"

namespace hilcap::testing {

device::uvc::Checked<std::unique_ptr<ModelUvcDevice>> ModelUvcDevice::create(
    MockTestbed& testbed, const device::DeviceConfig& config,
    const device::uvc::UvcPresentation& presentation,
    const device::uvc::ModelFrameBehaviour& behaviour, UsbBusAddress address) {
  auto camera = device::uvc::ModelCamera::create(config, presentation, behaviour);
  if (!camera.ok()) return camera.errors();
  return std::make_unique<ModelUvcDevice>(testbed, std::move(camera.value()), address);
}

ModelUvcDevice::ModelUvcDevice(MockTestbed& testbed,
                               std::unique_ptr<device::uvc::ModelCamera> camera,
                               UsbBusAddress address)
    : camera_(std::move(camera)),
      model_(camera_->personality()),
      usb_(testbed, model_, camera_->personality().descriptors().sysfs_descriptors(),
           camera_->personality().config().speed, address) {}

}  // namespace hilcap::testing
