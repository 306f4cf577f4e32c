#include "fake_uvc_device.h"

namespace hilcap::testing {

using device::uvc::kStreamingEndpoint;

TransferResult UvcDeviceModel::bulk_in(std::uint8_t endpoint, std::span<std::uint8_t> buffer) {
  device::uvc::UvcStream* stream = personality_.stream();
  // The status interrupt endpoint, or a stream not started: nothing to send.
  if (endpoint != kStreamingEndpoint || !stream) return {TransferEnd::kNoData, 0};
  return stream->fill_bulk(buffer);
}

TransferResult UvcDeviceModel::iso_in(std::uint8_t endpoint, std::span<IsoPacket> packets,
                                      std::span<std::uint8_t> buffer) {
  device::uvc::UvcStream* stream = personality_.stream();
  if (endpoint != kStreamingEndpoint || !stream) {
    for (IsoPacket& p : packets)
      p.actual_length = 0;
    return {TransferEnd::kCompleted, 0};
  }
  return stream->fill_iso(packets, buffer);
}

device::uvc::Checked<std::unique_ptr<FakeUvcDevice>> FakeUvcDevice::create(
    MockTestbed& testbed, device::uvc::UvcDeviceConfig config,
    device::uvc::StreamFrameSource& frames, UsbBusAddress address) {
  auto personality = device::uvc::UvcPersonality::create(std::move(config), frames);
  if (!personality.ok()) return personality.errors();
  return std::unique_ptr<FakeUvcDevice>(
      new FakeUvcDevice(testbed, std::move(personality.value()), address));
}

FakeUvcDevice::FakeUvcDevice(MockTestbed& testbed, device::uvc::UvcPersonality personality,
                             UsbBusAddress address)
    : personality_(std::move(personality)),
      model_(personality_),
      usb_(testbed, model_, personality_.descriptors().sysfs_descriptors(),
           personality_.config().speed, address) {}

}  // namespace hilcap::testing
