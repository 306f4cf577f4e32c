#include "source_fixture.h"

#include <stdexcept>

namespace hilcap::testing {

device::DeviceConfig model_config(std::uint32_t width, std::uint32_t height) {
  device::DeviceConfig c;
  c.format = {device::PixelFormat::kYuy2, width, height};
  c.payload = device::PayloadMode::kPattern;
  c.timing.cadence = device::FrameRate{30, 1};
  return c;
}

device::uvc::UvcPresentation presentation(bool bulk, device::uvc::UvcVersion version) {
  device::uvc::UvcPresentation p;
  p.bulk = bulk;
  p.version = version;
  p.serial = "MODEL-1";
  return p;
}

void SourceTest::TearDown() {
  usb_.reset();
  model_devices_.clear();
  UsbTest::TearDown();
}

std::shared_ptr<uvc::UsbContext> SourceTest::usb() {
  if (!usb_) {
    auto created = uvc::UsbContext::create();
    if (!created.ok()) throw std::runtime_error(created.error());
    usb_ = created.value();
  }
  return usb_;
}

ModelUvcDevice& SourceTest::add_model_device(const device::DeviceConfig& config,
                                             const device::uvc::UvcPresentation& presentation,
                                             device::uvc::Pacing pacing, UsbBusAddress address) {
  auto created = ModelUvcDevice::create(*testbed_, config, presentation,
                                        device::uvc::ModelFrameBehaviour{pacing}, address);
  // A test's own configuration is wrong: stop that test (gtest reports the exception).
  if (!created.ok()) throw std::invalid_argument(created.errors()[0].message());
  model_devices_.push_back(std::move(created.value()));
  std::string error;
  if (!model_devices_.back()->usb().plug(error)) throw std::runtime_error("plug: " + error);
  return *model_devices_.back();
}

uvc::SourceResult<std::unique_ptr<uvc::UvcSource>> SourceTest::open_source(
    const std::string& selector, uvc::SourceOptions options) {
  auto parsed = uvc::DeviceSelector::parse(selector);
  if (!parsed.ok()) throw std::invalid_argument(parsed.error());
  return uvc::UvcSource::open(usb(), parsed.value(), options);
}

std::vector<ClientFrame> SourceTest::take_frames(StreamAllocator& allocator,
                                                 const uvc::UvcSource& source, std::size_t count,
                                                 std::chrono::milliseconds limit) {
  ClientRun run = testing::take_frames(allocator, source, count, limit);
  last_status = run.last_status;
  return std::move(run.frames);
}

}  // namespace hilcap::testing
