// What the usbredir bus asks of the device it carries: the device side of
// every transfer, answered at once (a device model needs no USB stack). The
// bus does the protocol (usbredirparser), the endpoint bookkeeping, the
// pacing of isochronous packets and the holding of bulk requests that have no
// data yet.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>

#include "control_request.h"
#include "descriptor_builder.h"
#include "uvc_stream.h"

namespace hilcap::bus {

using device::uvc::ControlOutcome;
using device::uvc::DescriptorSet;
using device::uvc::IsoPacket;
using device::uvc::SetupPacket;
using device::uvc::TransferEnd;
using device::uvc::TransferResult;

class RedirectedDevice {
 public:
  virtual ~RedirectedDevice() = default;

  virtual const DescriptorSet& descriptors() const = 0;
  // Speed the device runs at (its descriptors are those of this speed).
  virtual device::uvc::UsbSpeed speed() const = 0;

  // A control transfer on endpoint 0 other than SET_ADDRESS,
  // SET_CONFIGURATION and SET_INTERFACE (the bus and its peer handle those).
  virtual ControlOutcome control(const SetupPacket& setup, std::span<const std::uint8_t> out,
                                 std::span<std::uint8_t> in) = 0;
  // SET_INTERFACE of an alternate setting the descriptors have; false refuses it.
  virtual bool set_interface(std::uint8_t interface, std::uint8_t alt_setting) = 0;
  virtual void reset() = 0;

  // IN transfers. kNoData keeps a bulk request waiting; data_ready_at() says
  // when to ask again (none: after the next message from the host).
  virtual TransferResult bulk_in(std::uint8_t endpoint, std::span<std::uint8_t> buffer) = 0;
  virtual TransferResult iso_in(std::uint8_t endpoint, std::span<IsoPacket> packets,
                                std::span<std::uint8_t> buffer) = 0;
  // A status interrupt the device has to send, if any (kNoData: none).
  virtual TransferResult interrupt_in(std::uint8_t endpoint, std::span<std::uint8_t> buffer) = 0;
  virtual std::optional<std::chrono::steady_clock::time_point> data_ready_at() = 0;

  // After an IN transfer reported kDisconnected: how long until the device
  // plugs back in (none: never), and putting it back to its power-on state.
  virtual std::optional<std::chrono::nanoseconds> reconnect_after() const = 0;
  virtual void replug() = 0;
};

}  // namespace hilcap::bus
