#include "uvc_stream.h"

#include <algorithm>

namespace hilcap::device::uvc {

namespace {

// Service interval of an isochronous endpoint with bInterval 1.
TimeNs service_interval_ns(UsbSpeed speed) {
  return speed == UsbSpeed::kFull ? 1'000'000 : 125'000;
}

// Nominal bulk throughput of a device streaming flat out: 19 x 64 B per frame
// at full speed, 13 x 512 B per microframe at high speed, ~400 MB/s at 5 Gb/s.
std::uint64_t bulk_bytes_per_second(UsbSpeed speed) {
  switch (speed) {
    case UsbSpeed::kFull:
      return 19ull * 64 * 1000;
    case UsbSpeed::kHigh:
      return 13ull * 512 * 8000;
    case UsbSpeed::kSuper:
      return 400'000'000ull;
  }
  return 1;
}

}  // namespace

UvcStream::UvcStream(const StreamSetup& setup, StreamFrameSource& source,
                     std::vector<FaultAt> faults)
    : setup_(setup),
      source_(source),
      packetizer_(setup.style, std::move(faults)),
      clock_(setup.clock_frequency_hz, setup.clock) {}

bool UvcStream::start_frame() {
  const std::optional<FrameView> frame =
      source_.next_frame(packetizer_.frames_begun(), setup_.format);
  if (!frame) return false;
  // A frame cannot leave before it was captured: the bus idles until then.
  bus_time_ = std::max(bus_time_, frame->capture_time);
  if (frame->fault == FrameFault::kDisconnect) {
    disconnected_ = true;
    return false;
  }
  packetizer_.begin_frame(frame->data, clock_.stc(frame->capture_time),
                          frame->fault == FrameFault::kError, frame->frame_number);
  frame_in_progress_ = true;
  return true;
}

void UvcStream::note_payload_sent() {
  if (frame_in_progress_ && !packetizer_.frame_pending() && !packetizer_.payload_pending()) {
    frame_in_progress_ = false;
    ++frames_completed_;
  }
}

TimeNs UvcStream::bulk_duration(std::size_t bytes) const {
  return static_cast<TimeNs>(bytes * 1'000'000'000ull / bulk_bytes_per_second(setup_.speed));
}

TransferResult UvcStream::on_event(PayloadEvent event) {
  if (event == PayloadEvent::kDisconnect) {
    disconnected_ = true;
    return {TransferEnd::kDisconnected, 0};
  }
  halted_ = true;
  return {TransferEnd::kStalled, 0};
}

TransferResult UvcStream::fill_iso(std::span<IsoPacket> packets, std::span<std::uint8_t> buffer) {
  if (disconnected_) return {TransferEnd::kDisconnected, 0};
  if (halted_) return {TransferEnd::kStalled, 0};
  std::size_t offset = 0;
  std::size_t total = 0;
  for (IsoPacket& packet : packets) {
    const std::span<std::uint8_t> space = buffer.subspan(offset, packet.length);
    offset += packet.length;
    packet.actual_length = 0;
    packet.status = PacketStatus::kOk;
    const SourceClockReference scr = clock_.scr(bus_time_);
    bus_time_ += service_interval_ns(setup_.speed);
    const std::size_t capacity = std::min<std::size_t>(space.size(), setup_.max_payload_bytes);
    if (!packetizer_.frame_pending() && !start_frame()) {
      if (disconnected_) return {TransferEnd::kDisconnected, 0};
      if (setup_.style.idle_header_only)
        packet.actual_length =
            static_cast<std::uint32_t>(packetizer_.write_idle_payload(space.first(capacity), scr));
      total += packet.actual_length;
      continue;
    }
    // A packet that cannot carry header and data carries nothing.
    if (capacity <= packetizer_.header_size()) continue;
    const PayloadEvent event = packetizer_.begin_payload(capacity, scr);
    if (event == PayloadEvent::kStall || event == PayloadEvent::kDisconnect) return on_event(event);
    const std::size_t n = packetizer_.copy_payload(space);
    note_payload_sent();
    if (event == PayloadEvent::kLostOnBus) {
      packet.status = PacketStatus::kError;
      continue;
    }
    packet.actual_length = static_cast<std::uint32_t>(n);
    total += n;
  }
  return {TransferEnd::kCompleted, total};
}

TransferResult UvcStream::fill_bulk(std::span<std::uint8_t> buffer) {
  if (disconnected_) return {TransferEnd::kDisconnected, 0};
  if (halted_) return {TransferEnd::kStalled, 0};
  if (zero_length_pending_) {
    zero_length_pending_ = false;
    return {TransferEnd::kCompleted, 0};
  }
  bool lost = false;
  if (!packetizer_.payload_pending()) {
    if (!packetizer_.frame_pending() && !start_frame())
      return {disconnected_ ? TransferEnd::kDisconnected : TransferEnd::kNoData, 0};
    const PayloadEvent event =
        packetizer_.begin_payload(setup_.max_payload_bytes, clock_.scr(bus_time_));
    if (event == PayloadEvent::kStall || event == PayloadEvent::kDisconnect) return on_event(event);
    lost = event == PayloadEvent::kLostOnBus;
    payload_size_ = packetizer_.payload_size();
  }
  const std::size_t n = packetizer_.copy_payload(buffer);
  bus_time_ += bulk_duration(n);
  if (lost) packetizer_.drop_payload();
  const bool payload_ended = !packetizer_.payload_pending();
  note_payload_sent();
  if (lost) return {TransferEnd::kError, n};
  zero_length_pending_ =
      payload_ended && n == buffer.size() && payload_size_ < setup_.max_payload_bytes;
  return {TransferEnd::kCompleted, n};
}

}  // namespace hilcap::device::uvc
