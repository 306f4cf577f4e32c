// A RedirectedDevice for the bus's tests: UVC-shaped descriptors (a
// VideoControl interface with an interrupt endpoint, a VideoStreaming
// interface with a bulk endpoint 0x81, or isochronous alternate settings),
// scripted answers, and a record of what the bus asked.
#pragma once

#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include "descriptor_builder.h"
#include "redirected_device.h"

namespace hilcap::bus::test {

class FakeDevice final : public RedirectedDevice {
 public:
  explicit FakeDevice(bool iso);

  const DescriptorSet& descriptors() const override { return descriptors_; }
  device::uvc::UsbSpeed speed() const override { return device::uvc::UsbSpeed::kHigh; }
  ControlOutcome control(const SetupPacket& setup, std::span<const std::uint8_t> out,
                         std::span<std::uint8_t> in) override;
  bool set_interface(std::uint8_t interface, std::uint8_t alt_setting) override;
  void reset() override {
    std::lock_guard lock(mutex);
    calls.push_back("reset");
  }
  TransferResult bulk_in(std::uint8_t endpoint, std::span<std::uint8_t> buffer) override;
  TransferResult iso_in(std::uint8_t endpoint, std::span<IsoPacket> packets,
                        std::span<std::uint8_t> buffer) override;
  TransferResult interrupt_in(std::uint8_t, std::span<std::uint8_t>) override {
    return {TransferEnd::kNoData, 0};
  }
  std::optional<std::chrono::steady_clock::time_point> data_ready_at() override {
    return std::chrono::steady_clock::now() + std::chrono::milliseconds(1);
  }
  std::optional<std::chrono::nanoseconds> reconnect_after() const override {
    return reconnect_after_;
  }
  void replug() override {
    std::lock_guard lock(mutex);
    calls.push_back("replug");
  }

  // Guards what the test and the session's thread share: the answers and calls.
  std::mutex mutex;
  // Bulk IN answers, one per transfer, in order; none left: no data yet.
  std::deque<TransferResult> bulk_answers;
  // What iso packets carry (each packet's length, with this byte repeated).
  std::uint8_t iso_byte = 0x5a;
  std::uint32_t iso_packet_bytes = 100;
  bool disconnect_iso = false;
  std::optional<std::chrono::nanoseconds> reconnect_after_;
  std::vector<std::string> calls;  // "control 80 06 0100", "set_interface 1 1", "reset", ...
  std::vector<std::uint8_t> last_out;

 private:
  DescriptorSet descriptors_;
};

}  // namespace hilcap::bus::test
