#include "model_uvc_device.h"

namespace hilcap::testing {

device::uvc::Checked<std::unique_ptr<ModelUvcDevice>> ModelUvcDevice::create(
    MockTestbed& testbed, const device::DeviceConfig& config,
    const device::uvc::UvcPresentation& presentation, device::uvc::Pacing pacing,
    UsbBusAddress address) {
  if (const device::ConfigErrors errors = config.validate(); !errors.empty()) {
    std::vector<device::uvc::ConfigError> out;
    for (const device::ConfigError& e : errors)
      out.push_back({e.field, e.expected, e.found});
    return out;
  }
  auto uvc = device::uvc::uvc_config_for(config, presentation);
  if (!uvc.ok()) return uvc.errors();
  std::unique_ptr<ModelUvcDevice> made(new ModelUvcDevice);
  made->frames_ = std::make_unique<device::uvc::ModelFrameSource>(config, pacing);
  auto fake = FakeUvcDevice::create(testbed, uvc.value(), *made->frames_, address);
  if (!fake.ok()) return fake.errors();
  made->fake_ = std::move(fake.value());
  return made;
}

}  // namespace hilcap::testing
