#include "fake_device.h"

#include <fmt/format.h>

#include <algorithm>

namespace hilcap::bus::test {

FakeDevice::FakeDevice(bool iso) {
  device::uvc::UvcDeviceConfig c;
  c.interrupt_endpoint = true;
  c.vendor_id = 0x1209;
  c.product_id = 0x0001;
  c.bcd_device = 0x0102;
  device::uvc::FormatConfig f;
  f.frames = {{160, 120, device::uvc::DiscreteIntervals{{333333}}, 333333, 0}};
  c.formats = {f};
  if (iso) {
    c.transport = device::uvc::IsochronousTransport{{{512, 1, 1}, {1024, 3, 1}}};
  } else {
    c.transport = device::uvc::BulkTransport{512, 1, 0};
  }
  descriptors_ = device::uvc::build_descriptors(c);
}

ControlOutcome FakeDevice::control(const SetupPacket& setup, std::span<const std::uint8_t> out,
                                   std::span<std::uint8_t> in) {
  std::lock_guard lock(mutex);
  calls.push_back(
      fmt::format("control {:02x} {:02x} {:04x}", setup.request_type, setup.request, setup.value));
  last_out.assign(out.begin(), out.end());
  if (setup.request == 0xff) return ControlOutcome::stall();
  if (setup.device_to_host()) {
    // A long answer: 0, 1, 2, ... up to wLength.
    for (std::size_t i = 0; i < in.size(); ++i)
      in[i] = static_cast<std::uint8_t>(i);
    if (setup.request == 0x06) return device::uvc::answer_standard_request(descriptors_, setup, in);
    return ControlOutcome::ack(in.size());
  }
  return ControlOutcome::ack(out.size());
}

bool FakeDevice::set_interface(std::uint8_t interface, std::uint8_t alt_setting) {
  std::lock_guard lock(mutex);
  calls.push_back(fmt::format("set_interface {} {}", interface, alt_setting));
  return true;
}

TransferResult FakeDevice::bulk_in(std::uint8_t, std::span<std::uint8_t> buffer) {
  std::lock_guard lock(mutex);
  if (bulk_answers.empty()) return {TransferEnd::kNoData, 0};
  const TransferResult r = bulk_answers.front();
  bulk_answers.pop_front();
  std::fill_n(buffer.begin(), std::min(r.bytes, buffer.size()), std::uint8_t{0xb1});
  return r;
}

TransferResult FakeDevice::iso_in(std::uint8_t, std::span<IsoPacket> packets,
                                  std::span<std::uint8_t> buffer) {
  if (disconnect_iso) return {TransferEnd::kDisconnected, 0};
  std::size_t offset = 0, total = 0;
  for (IsoPacket& p : packets) {
    p.actual_length = std::min(iso_packet_bytes, p.length);
    std::fill_n(buffer.begin() + static_cast<std::ptrdiff_t>(offset), p.actual_length, iso_byte);
    offset += p.length;
    total += p.actual_length;
  }
  return {TransferEnd::kCompleted, total};
}

}  // namespace hilcap::bus::test
