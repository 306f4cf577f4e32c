// What the host (the usb-guest: QEMU and the guest's USB stack) did on the
// bus, as the bus saw it: the figures of a `hilcap serve` report and trace.
// Every call comes from the thread that runs the session.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "control_request.h"
#include "uvc_stream.h"

namespace hilcap::bus {

class RedirectionObserver {
 public:
  virtual ~RedirectionObserver() = default;

  // The peer's hello: its version string.
  virtual void peer_hello(const std::string& /*version*/) {}
  // The device was announced to the peer (device_connect), the first time or again.
  virtual void device_connected(bool /*again*/) {}
  // The device dropped off the bus (device_disconnect sent).
  virtual void device_disconnected(std::optional<std::chrono::nanoseconds> /*reconnect_after*/) {}

  // A control transfer and the device's answer. `out` is the OUT data stage,
  // `in` what was returned.
  virtual void control(const device::uvc::SetupPacket& /*setup*/,
                       const device::uvc::ControlOutcome& /*outcome*/,
                       std::span<const std::uint8_t> /*out*/,
                       std::span<const std::uint8_t> /*in*/) {}
  virtual void configuration_set(std::uint8_t /*value*/, bool /*accepted*/) {}
  virtual void alt_setting_set(std::uint8_t /*interface*/, std::uint8_t /*alt*/,
                               bool /*accepted*/) {}
  virtual void reset() {}

  // A bulk IN request arrived, and how it ended (after waiting `waited`).
  virtual void bulk_requested(std::uint8_t /*endpoint*/, std::uint32_t /*length*/) {}
  virtual void bulk_answered(std::uint8_t /*endpoint*/, device::uvc::TransferEnd /*end*/,
                             std::size_t /*bytes*/, std::chrono::nanoseconds /*waited*/) {}
  // A pending bulk request cancelled by the host (or by a stop or unplug).
  virtual void bulk_cancelled(std::uint8_t /*endpoint*/) {}

  virtual void iso_stream(std::uint8_t /*endpoint*/, bool /*started*/) {}
  // Isochronous packets sent in one go: count, bytes, packets with an error
  // status, and packets skipped because the bus fell behind its schedule.
  virtual void iso_sent(std::uint8_t /*endpoint*/, std::size_t /*packets*/, std::size_t /*bytes*/,
                        std::size_t /*errors*/, std::size_t /*skipped*/) {}
  virtual void interrupt_receiving(std::uint8_t /*endpoint*/, bool /*started*/) {}
  virtual void interrupt_sent(std::uint8_t /*endpoint*/, std::size_t /*bytes*/) {}

  // A message the device side could not take: malformed (the parser dropped
  // it) or a request it answered with an error status.
  virtual void protocol_error(const std::string& /*what*/) {}
  virtual void request_refused(const std::string& /*what*/) {}
};

}  // namespace hilcap::bus
