#include "packetizer.h"

#include <gtest/gtest.h>

#include <numeric>
#include <vector>

namespace hilcap::device::uvc {
namespace {

using Bytes = std::vector<std::uint8_t>;

struct Payload {
  Bytes bytes;
  PayloadEvent event = PayloadEvent::kPayload;

  std::uint8_t header_length() const { return bytes[0]; }
  std::uint8_t info() const { return bytes[1]; }
  bool eof() const { return (info() & kHeaderEof) != 0; }
  int fid() const { return info() & kHeaderFid; }
  Bytes data(std::size_t header = 12) const { return Bytes(bytes.begin() + header, bytes.end()); }
};

Bytes ramp(std::size_t n, std::uint8_t start = 0) {
  Bytes b(n);
  std::iota(b.begin(), b.end(), start);
  return b;
}

PayloadStyle style(bool pts = true, bool scr = true) {
  PayloadStyle s;
  s.header = {pts, scr};
  return s;
}

// Sends the whole current frame as payloads of at most `capacity` bytes.
std::vector<Payload> drain(Packetizer& p, std::size_t capacity, SourceClockReference scr = {}) {
  std::vector<Payload> out;
  while (p.frame_pending()) {
    Payload payload;
    payload.event = p.begin_payload(capacity, scr);
    if (payload.event == PayloadEvent::kStall || payload.event == PayloadEvent::kDisconnect) {
      out.push_back(payload);
      break;
    }
    payload.bytes.resize(capacity);
    payload.bytes.resize(p.copy_payload(payload.bytes));
    EXPECT_FALSE(p.payload_pending());
    out.push_back(payload);
  }
  return out;
}

Bytes joined_data(const std::vector<Payload>& payloads, std::size_t header = 12) {
  Bytes all;
  for (const Payload& p : payloads) {
    const Bytes d = p.data(header);
    all.insert(all.end(), d.begin(), d.end());
  }
  return all;
}

// A frame of exactly N payloads' worth of data takes N full payloads, EOF on the last only.
TEST(Packetizer, FrameOfExactlyNPayloads) {
  Packetizer p(style(), {});
  const Bytes frame = ramp(3 * (100 - 12));
  p.begin_frame(frame, 7);
  const auto payloads = drain(p, 100);
  ASSERT_EQ(payloads.size(), 3u);
  for (std::size_t i = 0; i < payloads.size(); ++i) {
    EXPECT_EQ(payloads[i].bytes.size(), 100u);
    EXPECT_EQ(payloads[i].eof(), i == 2);
  }
  EXPECT_EQ(joined_data(payloads), frame);
}

// One byte more than N payloads hold needs payload N+1, carrying that byte and EOF.
TEST(Packetizer, OneByteMoreNeedsAnotherPayload) {
  Packetizer p(style(), {});
  const Bytes frame = ramp(3 * (100 - 12) + 1);
  p.begin_frame(frame, 7);
  const auto payloads = drain(p, 100);
  ASSERT_EQ(payloads.size(), 4u);
  EXPECT_EQ(payloads[3].bytes.size(), 13u);
  EXPECT_TRUE(payloads[3].eof());
  EXPECT_FALSE(payloads[2].eof());
  EXPECT_EQ(joined_data(payloads), frame);
}

// An empty frame is one header-only payload with EOF.
TEST(Packetizer, EmptyFrameIsHeaderOnlyEof) {
  Packetizer p(style(), {});
  p.begin_frame({}, 0);
  const auto payloads = drain(p, 100);
  ASSERT_EQ(payloads.size(), 1u);
  EXPECT_EQ(payloads[0].bytes.size(), 12u);
  EXPECT_TRUE(payloads[0].eof());
}

// Header layout: bHeaderLength, EOH|SCR|PTS|FID|EOF, PTS, then SCR (STC + 11-bit SOF).
TEST(Packetizer, HeaderCarriesPtsAndScr) {
  Packetizer p(style(), {});
  const Bytes frame = ramp(4);
  p.begin_frame(frame, 0x11223344);
  const auto payloads = drain(p, 100, {0xAABBCCDD, 0x07FF});
  ASSERT_EQ(payloads.size(), 1u);
  EXPECT_EQ(payloads[0].bytes, (Bytes{12, 0x8E, 0x44, 0x33, 0x22, 0x11, 0xDD, 0xCC, 0xBB, 0xAA,
                                      0xFF, 0x07, 0, 1, 2, 3}));
}

// Without PTS/SCR the header is 2 bytes; with one of them 6 or 8.
TEST(Packetizer, HeaderLengthFollowsFields) {
  for (const auto& [pts, scr, length] :
       {std::tuple{false, false, 2}, {true, false, 6}, {false, true, 8}}) {
    Packetizer p(style(pts, scr), {});
    EXPECT_EQ(p.header_size(), static_cast<std::size_t>(length));
    const Bytes frame = ramp(10);
    p.begin_frame(frame, 1);
    const auto payloads = drain(p, 100);
    EXPECT_EQ(payloads[0].header_length(), length);
    EXPECT_EQ(payloads[0].data(length), frame);
  }
}

// FID starts at 0 and toggles with every frame.
TEST(Packetizer, FidTogglesPerFrame) {
  Packetizer p(style(), {});
  const Bytes frame = ramp(200);
  for (int f = 0; f < 4; ++f) {
    p.begin_frame(frame, 0);
    for (const Payload& payload : drain(p, 100))
      EXPECT_EQ(payload.fid(), f % 2);
  }
}

// Some cameras end a frame with a header-only payload carrying EOF.
TEST(Packetizer, EofInHeaderOnlyPayload) {
  PayloadStyle s = style();
  s.eof_in_header_only_payload = true;
  Packetizer p(s, {});
  const Bytes frame = ramp(2 * 88);
  p.begin_frame(frame, 0);
  const auto payloads = drain(p, 100);
  ASSERT_EQ(payloads.size(), 3u);
  EXPECT_FALSE(payloads[0].eof());
  EXPECT_FALSE(payloads[1].eof());
  EXPECT_TRUE(payloads[2].eof());
  EXPECT_EQ(payloads[2].bytes.size(), 12u);
  EXPECT_EQ(joined_data(payloads), frame);
}

// A bulk payload is copied out over several transfers, header first.
TEST(Packetizer, PayloadSpansSeveralCopies) {
  Packetizer p(style(), {});
  const Bytes frame = ramp(1000);
  p.begin_frame(frame, 0);
  ASSERT_EQ(p.begin_payload(500, {}), PayloadEvent::kPayload);
  Bytes stream;
  Bytes chunk(100);
  std::vector<std::size_t> sizes;
  while (p.payload_pending()) {
    const std::size_t n = p.copy_payload(chunk);
    sizes.push_back(n);
    stream.insert(stream.end(), chunk.begin(), chunk.begin() + static_cast<std::ptrdiff_t>(n));
  }
  EXPECT_EQ(sizes, (std::vector<std::size_t>{100, 100, 100, 100, 100}));
  EXPECT_EQ(Bytes(stream.begin() + 12, stream.end()), Bytes(frame.begin(), frame.begin() + 488));
  EXPECT_TRUE(p.frame_pending());
}

// Idle packets between frames are header-only, without EOF, with the next frame's FID.
TEST(Packetizer, IdlePayload) {
  Packetizer p(style(), {});
  Bytes idle(12);
  ASSERT_EQ(p.write_idle_payload(idle, {}), 12u);
  EXPECT_EQ(idle[1] & (kHeaderFid | kHeaderEof), 0);  // first frame will have FID 0
  const Bytes frame = ramp(10);
  p.begin_frame(frame, 0);
  drain(p, 100);
  ASSERT_EQ(p.write_idle_payload(idle, {}), 12u);
  EXPECT_EQ(idle[1] & (kHeaderFid | kHeaderEof), kHeaderFid);
  Bytes small(11);
  EXPECT_EQ(p.write_idle_payload(small, {}), 0u);
}

// Faults: ERR on the chosen payload only.
TEST(PacketizerFaults, ErrorBit) {
  Packetizer p(style(), {{StreamFault::kErrorBit, 1, 2}});
  const Bytes frame = ramp(300);
  for (std::uint64_t f = 0; f < 2; ++f) {
    p.begin_frame(frame, 0);
    const auto payloads = drain(p, 100);
    for (std::size_t i = 0; i < payloads.size(); ++i)
      EXPECT_EQ((payloads[i].info() & kHeaderErr) != 0, f == 1 && i == 2);
  }
}

// Faults at the source's frame numbers: with frames numbered by the device
// (its dropped frames skipped), a fault at frame 5 hits the frame numbered 5,
// not the fifth frame begun.
TEST(PacketizerFaults, ScheduledByTheDeviceFrameNumber) {
  Packetizer p(style(), {{StreamFault::kErrorBit, 5, 0}});
  const Bytes frame = ramp(50);
  for (const std::uint64_t number : {0u, 2u, 5u, 6u}) {
    p.begin_frame(frame, 0, false, number);
    const auto payloads = drain(p, 100);
    ASSERT_EQ(payloads.size(), 1u);
    EXPECT_EQ((payloads[0].info() & kHeaderErr) != 0, number == 5) << number;
  }
}

// Faults: the frame ends without EOF; the next frame still toggles FID.
TEST(PacketizerFaults, MissingEof) {
  Packetizer p(style(), {{StreamFault::kMissingEof, 0, 0}});
  const Bytes frame = ramp(150);
  p.begin_frame(frame, 0);
  for (const Payload& payload : drain(p, 100))
    EXPECT_FALSE(payload.eof());
  p.begin_frame(frame, 0);
  const auto next = drain(p, 100);
  EXPECT_TRUE(next.back().eof());
  EXPECT_EQ(next.back().fid(), 1);
}

// Faults: FID toggles inside frame 1 at payload 1 (the host sees a new frame there); frame 2
// toggles again from that value.
TEST(PacketizerFaults, FidToggleEarly) {
  Packetizer p(style(), {{StreamFault::kFidToggleEarly, 1, 1}});
  const Bytes frame = ramp(300);
  std::vector<int> fids;
  for (int f = 0; f < 3; ++f) {
    p.begin_frame(frame, 0);
    for (const Payload& payload : drain(p, 100))
      fids.push_back(payload.fid());
  }
  EXPECT_EQ(fids, (std::vector<int>{0, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1}));
}

// Faults: frame 1 keeps frame 0's FID.
TEST(PacketizerFaults, FidNotToggled) {
  Packetizer p(style(), {{StreamFault::kFidNotToggled, 1, 0}});
  const Bytes frame = ramp(50);
  std::vector<int> fids;
  for (int f = 0; f < 3; ++f) {
    p.begin_frame(frame, 0);
    fids.push_back(drain(p, 100)[0].fid());
  }
  EXPECT_EQ(fids, (std::vector<int>{0, 0, 1}));
}

// Faults: a short payload carries half its data and the rest of it is lost; the next
// payload continues where the lost part ends.
TEST(PacketizerFaults, ShortPayloadLosesData) {
  Packetizer p(style(), {{StreamFault::kShortPayload, 0, 1}});
  const Bytes frame = ramp(3 * 88);
  p.begin_frame(frame, 0);
  const auto payloads = drain(p, 100);
  ASSERT_EQ(payloads.size(), 3u);
  EXPECT_EQ(payloads[1].bytes.size(), 12u + 44);
  EXPECT_EQ(payloads[1].data(), Bytes(frame.begin() + 88, frame.begin() + 132));
  EXPECT_EQ(payloads[2].data(), Bytes(frame.begin() + 176, frame.end()));
  EXPECT_TRUE(payloads[2].eof());
}

// Faults: corrupt data inverts the first data byte; corrupt header length writes 1.
TEST(PacketizerFaults, Corruption) {
  Packetizer p(style(),
               {{StreamFault::kCorruptData, 0, 0}, {StreamFault::kCorruptHeaderLength, 0, 1}});
  const Bytes frame = ramp(150, 0x10);
  p.begin_frame(frame, 0);
  const auto payloads = drain(p, 100);
  ASSERT_EQ(payloads.size(), 2u);
  EXPECT_EQ(payloads[0].bytes[12], 0x10 ^ 0xFF);
  EXPECT_EQ(payloads[0].bytes[13], 0x11);
  EXPECT_EQ(payloads[0].header_length(), 12);
  EXPECT_EQ(payloads[1].header_length(), 1);
  EXPECT_EQ(payloads[1].bytes.size(), 12u + 62);
}

// Faults: a packet error still consumes the payload but reports it lost on the bus.
TEST(PacketizerFaults, PacketErrorReported) {
  Packetizer p(style(), {{StreamFault::kPacketError, 0, 0}});
  const Bytes frame = ramp(150);
  p.begin_frame(frame, 0);
  const auto payloads = drain(p, 100);
  ASSERT_EQ(payloads.size(), 2u);
  EXPECT_EQ(payloads[0].event, PayloadEvent::kLostOnBus);
  EXPECT_EQ(payloads[1].event, PayloadEvent::kPayload);
}

// Faults: a stall or disconnect sends nothing and abandons the frame.
TEST(PacketizerFaults, StallAndDisconnectAbandonFrame) {
  Packetizer p(style(), {{StreamFault::kStall, 0, 1}, {StreamFault::kDisconnect, 1, 0}});
  const Bytes frame = ramp(300);
  p.begin_frame(frame, 0);
  const auto first = drain(p, 100);
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[1].event, PayloadEvent::kStall);
  EXPECT_FALSE(p.frame_pending());
  p.begin_frame(frame, 0);
  const auto second = drain(p, 100);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].event, PayloadEvent::kDisconnect);
}

}  // namespace
}  // namespace hilcap::device::uvc
