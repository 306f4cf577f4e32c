// What a fake USB device does behind its usbfs node: the device side of
// control, bulk and isochronous transfers. FakeUsbDevice does the usbfs part
// (claims, URB queues, halts, unplug) and asks a model for the device's answers.
#pragma once

#include <cstdint>
#include <span>
#include <utility>

#include "control_request.h"
#include "descriptor_builder.h"
#include "uvc_stream.h"

namespace hilcap::testing {

using device::uvc::ControlOutcome;
using device::uvc::IsoPacket;
using device::uvc::SetupPacket;
using device::uvc::TransferEnd;
using device::uvc::TransferResult;

class UsbDeviceModel {
 public:
  virtual ~UsbDeviceModel() = default;

  virtual ControlOutcome control(const SetupPacket& setup, std::span<const std::uint8_t> out,
                                 std::span<std::uint8_t> in) = 0;
  // The alternate setting was checked against the descriptors; false refuses it.
  virtual bool set_interface(std::uint8_t interface, std::uint8_t alt_setting) = 0;
  virtual void clear_halt(std::uint8_t endpoint) = 0;
  virtual void reset() = 0;
  // IN transfers on a bulk or interrupt endpoint, and on an isochronous one.
  virtual TransferResult bulk_in(std::uint8_t endpoint, std::span<std::uint8_t> buffer) = 0;
  virtual TransferResult iso_in(std::uint8_t endpoint, std::span<IsoPacket> packets,
                                std::span<std::uint8_t> buffer) = 0;
};

// A device known only by its descriptors (a real camera's, for instance): it
// answers the standard requests from them, stalls everything else and never
// sends data.
class DescriptorOnlyModel : public UsbDeviceModel {
 public:
  explicit DescriptorOnlyModel(device::uvc::DescriptorSet descriptors)
      : descriptors_(std::move(descriptors)) {}

  ControlOutcome control(const SetupPacket& setup, std::span<const std::uint8_t>,
                         std::span<std::uint8_t> in) override {
    return device::uvc::answer_standard_request(descriptors_, setup, in);
  }
  bool set_interface(std::uint8_t, std::uint8_t) override { return true; }
  void clear_halt(std::uint8_t) override {}
  void reset() override {}
  TransferResult bulk_in(std::uint8_t, std::span<std::uint8_t>) override {
    return {TransferEnd::kNoData, 0};
  }
  TransferResult iso_in(std::uint8_t, std::span<IsoPacket> packets,
                        std::span<std::uint8_t>) override {
    for (IsoPacket& p : packets)
      p.actual_length = 0;
    return {TransferEnd::kCompleted, 0};
  }

 private:
  device::uvc::DescriptorSet descriptors_;
};

}  // namespace hilcap::testing
