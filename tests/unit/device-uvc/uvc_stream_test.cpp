#include "uvc_stream.h"

#include <gtest/gtest.h>

#include <numeric>
#include <vector>

namespace hilcap::device::uvc {
namespace {

using Bytes = std::vector<std::uint8_t>;

// Frames of `size` bytes whose first byte is the frame index, captured every interval.
class ScriptedFrames : public StreamFrameSource {
 public:
  ScriptedFrames(std::size_t size, std::uint64_t count) : count_(count), data_(size) {}
  std::optional<FrameView> next_frame(std::uint64_t index, const StreamFormat& format) override {
    if (index >= count_) return std::nullopt;
    std::iota(data_.begin(), data_.end(), static_cast<std::uint8_t>(index));
    requested_.push_back(index);
    return FrameView{data_, static_cast<TimeNs>(index) * format.interval_100ns * 100};
  }
  std::vector<std::uint64_t> requested_;

 private:
  std::uint64_t count_;
  Bytes data_;
};

StreamSetup setup(std::uint32_t max_payload, UsbSpeed speed = UsbSpeed::kHigh) {
  StreamSetup s;
  s.format = {1, 1, VideoFormat::kYuy2, 16, 8, 333333, 256};
  s.speed = speed;
  s.max_payload_bytes = max_payload;
  s.clock_frequency_hz = 1'000'000;
  return s;
}

std::vector<IsoPacket> packets(std::size_t n, std::uint32_t length) {
  return std::vector<IsoPacket>(n, IsoPacket{length, 0, PacketStatus::kOk});
}

// Isochronous: one payload per packet up to the payload limit; the frame's packets carry its
// bytes, EOF on the last; the next frame begins in the next packet.
TEST(UvcStream, IsoOnePayloadPerPacket) {
  ScriptedFrames frames(256, 2);
  UvcStream stream(setup(100), frames, {});
  auto p = packets(8, 128);
  Bytes buffer(8 * 128);
  const TransferResult r = stream.fill_iso(p, buffer);
  EXPECT_EQ(r.end, TransferEnd::kCompleted);
  // 256 bytes in payloads of 88: 88, 88, 80, then frame 1 the same.
  const std::vector<std::uint32_t> expected{100, 100, 92, 100, 100, 92, 0, 0};
  std::size_t total = 0;
  for (std::size_t i = 0; i < p.size(); ++i) {
    EXPECT_EQ(p[i].actual_length, expected[i]) << i;
    total += p[i].actual_length;
  }
  EXPECT_EQ(r.bytes, total);
  EXPECT_EQ(buffer[2 * 128 + 1] & kHeaderEof, kHeaderEof);
  EXPECT_EQ(buffer[3 * 128 + 1] & kHeaderFid, kHeaderFid);
  EXPECT_EQ(buffer[3 * 128 + 12], 1);  // frame 1's first byte
  EXPECT_EQ(stream.frames_started(), 2u);
}

// PTS is the STC at capture; SCR the STC and SOF at each packet's microframe.
TEST(UvcStream, IsoTimestamps) {
  ScriptedFrames frames(100, 1);
  UvcStream stream(setup(40), frames, {});
  auto p = packets(3, 64);
  Bytes buffer(3 * 64);
  stream.fill_iso(p, buffer);
  const auto stc = [&](std::size_t packet) {
    const std::uint8_t* h = &buffer[packet * 64];
    return std::uint32_t{h[6]} | std::uint32_t{h[7]} << 8 | std::uint32_t{h[8]} << 16 |
           std::uint32_t{h[9]} << 24;
  };
  EXPECT_EQ(buffer[2], 0);  // PTS: captured at 0
  EXPECT_EQ(stc(0), 0u);    // first microframe at 0
  EXPECT_EQ(stc(1), 125u);  // 125 us later at 1 MHz
  EXPECT_EQ(stc(2), 250u);
  EXPECT_EQ(stream.bus_time(), 3 * 125'000);
}

// With no frame to send, isochronous packets are empty, or header-only when so configured.
TEST(UvcStream, IsoIdlePackets) {
  ScriptedFrames none(10, 0);
  UvcStream empty(setup(100), none, {});
  auto p = packets(2, 128);
  Bytes buffer(256);
  EXPECT_EQ(empty.fill_iso(p, buffer).end, TransferEnd::kCompleted);
  EXPECT_EQ(p[0].actual_length, 0u);
  StreamSetup s = setup(100);
  s.style.idle_header_only = true;
  UvcStream header_only(s, none, {});
  header_only.fill_iso(p, buffer);
  EXPECT_EQ(p[1].actual_length, 12u);
  EXPECT_EQ(buffer[128 + 1] & kHeaderEof, 0);
}

// A packet too small for a header and data carries nothing (and no data is skipped).
TEST(UvcStream, IsoPacketTooSmall) {
  ScriptedFrames frames(20, 1);
  UvcStream stream(setup(100), frames, {});
  std::vector<IsoPacket> p{{12, 0, {}}, {64, 0, {}}};
  Bytes buffer(76);
  stream.fill_iso(p, buffer);
  EXPECT_EQ(p[0].actual_length, 0u);
  EXPECT_EQ(p[1].actual_length, 32u);
}

// Bulk: a payload of dwMaxPayloadTransferSize spans transfers; its end ends a transfer; the
// next transfer starts with the next payload's header.
TEST(UvcStream, BulkPayloadSpansTransfers) {
  ScriptedFrames frames(256, 2);
  UvcStream stream(setup(200), frames, {});
  Bytes buffer(64);
  std::vector<std::size_t> sizes;
  std::vector<std::uint8_t> first_bytes;
  for (int i = 0; i < 10; ++i) {
    const TransferResult r = stream.fill_bulk(buffer);
    ASSERT_EQ(r.end, TransferEnd::kCompleted);
    sizes.push_back(r.bytes);
    first_bytes.push_back(buffer[0]);
  }
  // payload 1: 12 + 188 = 200 -> 64, 64, 64, 8; payload 2: 12 + 68 = 80 -> 64, 16.
  EXPECT_EQ(sizes, (std::vector<std::size_t>{64, 64, 64, 8, 64, 16, 64, 64, 64, 8}));
  EXPECT_EQ(first_bytes[4], 12);  // a header starts the transfer after a payload end
  EXPECT_EQ(stream.fill_bulk(buffer).bytes, 64u);
  EXPECT_EQ(stream.fill_bulk(buffer).bytes, 16u);
  EXPECT_EQ(stream.fill_bulk(buffer).end, TransferEnd::kNoData);  // no third frame
}

// Bulk stall: the endpoint halts until CLEAR_HALT, then the next frame follows.
TEST(UvcStream, BulkStallUntilClearHalt) {
  ScriptedFrames frames(100, 5);
  UvcStream stream(setup(1000), frames, {{StreamFault::kStall, 1, 0}});
  Bytes buffer(1024);
  EXPECT_EQ(stream.fill_bulk(buffer).end, TransferEnd::kCompleted);
  EXPECT_EQ(stream.fill_bulk(buffer).end, TransferEnd::kStalled);
  EXPECT_TRUE(stream.halted());
  EXPECT_EQ(stream.fill_bulk(buffer).end, TransferEnd::kStalled);
  stream.clear_halt();
  const TransferResult r = stream.fill_bulk(buffer);
  EXPECT_EQ(r.end, TransferEnd::kCompleted);
  EXPECT_EQ(buffer[12], 2);              // frame 1 was dropped
  EXPECT_EQ(buffer[1] & kHeaderFid, 0);  // frame 2
}

// Disconnect: the stream reports the device gone, and stays gone.
TEST(UvcStream, Disconnect) {
  ScriptedFrames frames(100, 5);
  UvcStream stream(setup(1000), frames, {{StreamFault::kDisconnect, 0, 0}});
  Bytes buffer(1024);
  EXPECT_EQ(stream.fill_bulk(buffer).end, TransferEnd::kDisconnected);
  EXPECT_TRUE(stream.disconnected());
  auto p = packets(1, 128);
  EXPECT_EQ(stream.fill_iso(p, buffer).end, TransferEnd::kDisconnected);
}

// Packet errors: an isochronous packet fails with no data; a bulk transfer fails and the rest
// of its payload is lost.
TEST(UvcStream, PacketErrors) {
  ScriptedFrames iso_frames(100, 1);
  UvcStream iso(setup(60), iso_frames, {{StreamFault::kPacketError, 0, 1}});
  auto p = packets(3, 64);
  Bytes buffer(3 * 64);
  iso.fill_iso(p, buffer);
  EXPECT_EQ(p[0].status, PacketStatus::kOk);
  EXPECT_EQ(p[1].status, PacketStatus::kError);
  EXPECT_EQ(p[1].actual_length, 0u);
  EXPECT_EQ(p[2].actual_length, 12u + 4);  // 100 - 48 - 48

  ScriptedFrames bulk_frames(300, 2);
  UvcStream bulk(setup(1000), bulk_frames, {{StreamFault::kPacketError, 0, 0}});
  Bytes small(100);
  const TransferResult r = bulk.fill_bulk(small);
  EXPECT_EQ(r.end, TransferEnd::kError);
  EXPECT_EQ(r.bytes, 100u);
  bulk.fill_bulk(small);
  EXPECT_EQ(small[12], 1);  // frame 1: frame 0's remainder was dropped
}

// Frames whose fate the source decides: frame `error_at` is an error frame, frame
// `disconnect_at` makes the device leave the bus.
class FaultyFrames : public StreamFrameSource {
 public:
  std::optional<FrameView> next_frame(std::uint64_t index, const StreamFormat&) override {
    FrameView view{data_, static_cast<TimeNs>(index) * 1000};
    if (index == 1) view.fault = FrameFault::kError;
    if (index == 2) view.fault = FrameFault::kDisconnect;
    return view;
  }

 private:
  Bytes data_ = Bytes(150, 7);
};

// A source's error frame carries ERR in every payload (the others none); its disconnect frame
// is never sent and the device is gone from then on, for bulk and isochronous alike.
TEST(UvcStream, SourceFrameFaults) {
  FaultyFrames frames;
  UvcStream bulk(setup(100), frames, {});
  Bytes buffer(100);
  std::vector<std::uint8_t> infos;
  TransferResult r;
  while ((r = bulk.fill_bulk(buffer)).end == TransferEnd::kCompleted)
    infos.push_back(buffer[1]);
  EXPECT_EQ(r.end, TransferEnd::kDisconnected);
  ASSERT_EQ(infos.size(), 4u);  // 150 bytes in payloads of 88: two per frame
  EXPECT_EQ(infos[0] & kHeaderErr, 0);
  EXPECT_EQ(infos[1] & kHeaderErr, 0);
  EXPECT_EQ(infos[2] & kHeaderErr, kHeaderErr);
  EXPECT_EQ(infos[3] & kHeaderErr, kHeaderErr);
  EXPECT_TRUE(bulk.disconnected());

  FaultyFrames iso_frames;
  UvcStream iso(setup(100), iso_frames, {});
  auto p = packets(8, 128);
  Bytes iso_buffer(8 * 128);
  EXPECT_EQ(iso.fill_iso(p, iso_buffer).end, TransferEnd::kDisconnected);
  EXPECT_TRUE(iso.disconnected());
}

// A frame is not sent before its capture: the bus idles until then (SCR shows it).
TEST(UvcStream, BusWaitsForCapture) {
  ScriptedFrames frames(10, 3);
  UvcStream stream(setup(1000), frames, {});
  Bytes buffer(1024);
  stream.fill_bulk(buffer);
  stream.fill_bulk(buffer);
  EXPECT_GE(stream.bus_time(), 33'333'300);
  EXPECT_LT(stream.bus_time(), 33'333'300 + 1'000);
}

// A bulk payload shorter than the largest that ends exactly at the end of a
// transfer is followed by a zero-length transfer: the host, seeing a full
// transfer, would otherwise take the next payload's header for data.
TEST(UvcStream, BulkZeroLengthPacketAfterAPayloadEndingAtATransferEnd) {
  ScriptedFrames frames(52, 2);  // 12 + 52 = 64 bytes per payload
  UvcStream stream(setup(1000), frames, {});
  Bytes buffer(64);
  EXPECT_EQ(stream.fill_bulk(buffer).bytes, 64u);
  const TransferResult zlp = stream.fill_bulk(buffer);
  EXPECT_EQ(zlp.end, TransferEnd::kCompleted);
  EXPECT_EQ(zlp.bytes, 0u);
  EXPECT_EQ(stream.fill_bulk(buffer).bytes, 64u);  // the next frame
  // A payload of the largest size needs none: the host counts it.
  ScriptedFrames full(52, 2);
  UvcStream exact(setup(64), full, {});
  EXPECT_EQ(exact.fill_bulk(buffer).bytes, 64u);
  EXPECT_EQ(exact.fill_bulk(buffer).bytes, 64u);
}

// Frames completed: counted when the payload that ends them has left, not
// when they begin; a frame cut off by a halt never completes.
TEST(UvcStream, FramesCompleted) {
  ScriptedFrames frames(100, 3);
  UvcStream stream(setup(1000), frames, {});
  Bytes buffer(60);
  stream.fill_bulk(buffer);  // frame 0: 60 of 112 bytes
  EXPECT_EQ(stream.frames_started(), 1u);
  EXPECT_EQ(stream.frames_completed(), 0u);
  stream.fill_bulk(buffer);
  EXPECT_EQ(stream.frames_completed(), 1u);
  Bytes big(1000);
  stream.fill_bulk(big);  // frame 1, whole
  EXPECT_EQ(stream.frames_completed(), 2u);
  ScriptedFrames more(3000, 2);
  UvcStream halted(setup(1000), more, {{StreamFault::kStall, 0, 1}});
  EXPECT_EQ(halted.fill_bulk(big).end, TransferEnd::kCompleted);
  EXPECT_EQ(halted.fill_bulk(big).end, TransferEnd::kStalled);
  EXPECT_EQ(halted.frames_started(), 1u);
  EXPECT_EQ(halted.frames_completed(), 0u);
}

}  // namespace
}  // namespace hilcap::device::uvc
