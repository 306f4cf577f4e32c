// FrameAssembler and payload header edge cases on synthetic payloads.
#include <gtest/gtest.h>
#include <hilcap/uvc/frame_assembler.h>

#include "allocation_counter.h"
#include "recording_destination.h"

namespace hilcap::uvc::testing {
namespace {

using std::chrono::nanoseconds;
using Bytes = std::vector<std::uint8_t>;

constexpr std::uint8_t kFid = 0x01;
constexpr std::uint8_t kEof = 0x02;
constexpr std::uint8_t kPts = 0x04;
constexpr std::uint8_t kScr = 0x08;
constexpr std::uint8_t kSti = 0x20;
constexpr std::uint8_t kErr = 0x40;
constexpr std::uint8_t kEoh = 0x80;

// A payload: header with the given bits (PTS/SCR values filled in) and `n` data bytes.
Bytes payload(std::uint8_t bits, std::size_t n, std::uint32_t pts = 0, std::uint32_t stc = 0,
              std::uint8_t fill = 0xAB) {
  Bytes b{0, static_cast<std::uint8_t>(bits | kEoh)};
  auto put32 = [&](std::uint32_t v) {
    for (int i = 0; i < 4; ++i)
      b.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
  };
  if (bits & kPts) put32(pts);
  if (bits & kScr) {
    put32(stc);
    b.insert(b.end(), {0x34, 0x02});  // SOF 0x234
  }
  b[0] = static_cast<std::uint8_t>(b.size());
  b.insert(b.end(), n, fill);
  return b;
}

struct Rig {
  explicit Rig(AssemblerConfig c = {}, std::size_t buffers = 4, std::size_t size = 4096)
      : dest(buffers, size), assembler(c, dest) {}
  void iso(const Bytes& p, int status = 0) { assembler.on_iso_packet(p, status, nanoseconds(++t)); }
  void bulk(const Bytes& p, std::size_t requested, int status = 0) {
    assembler.on_bulk_transfer(p, requested, status, nanoseconds(++t));
  }
  const AssemblerCounters& counters() const { return assembler.counters(); }
  RecordingDestination dest;
  FrameAssembler assembler;
  std::int64_t t = 0;
};

AssemblerConfig with(DamagedFramePolicy policy) {
  AssemblerConfig c;
  c.damaged_frames = policy;
  return c;
}

// Guards: header length sanity: < 2, past the payload, or too short for what PTS/SCR announce.
TEST(PayloadHeader, LengthChecks) {
  PayloadHeader h;
  EXPECT_EQ(parse_payload_header({}, h), HeaderStatus::kEmpty);
  EXPECT_EQ(parse_payload_header(Bytes{1, 0x80}, h), HeaderStatus::kLengthTooSmall);
  EXPECT_EQ(parse_payload_header(Bytes{12, 0x8C, 0, 0}, h), HeaderStatus::kLengthPastPayload);
  EXPECT_EQ(parse_payload_header(Bytes{9, 0x9C, 0, 0, 0, 0, 0, 0, 0}, h),
            HeaderStatus::kLengthMismatch);
  EXPECT_EQ(parse_payload_header(Bytes{5, 0x84, 0, 0, 0}, h), HeaderStatus::kLengthMismatch);
  ASSERT_EQ(parse_payload_header(payload(kPts | kScr | kFid | kEof, 3, 7, 9), h),
            HeaderStatus::kOk);
  EXPECT_EQ(h.length, 12);
  EXPECT_TRUE(h.fid() && h.eof() && h.eoh());
  EXPECT_EQ(h.pts, 7u);
  EXPECT_EQ(h.scr.stc, 9u);
  EXPECT_EQ(h.scr.sof, 0x234);
  ASSERT_EQ(parse_payload_header(payload(kScr, 0, 0, 5), h), HeaderStatus::kOk);
  EXPECT_EQ(h.length, 8);
  EXPECT_EQ(h.scr.stc, 5u);
}

// Guards the relaxation real devices need: a header longer than its PTS/SCR bits call for
// (vendor bytes after SCR) is accepted, its fields read, and its extra bytes skipped.
TEST(PayloadHeader, LongerHeaderExtraBytesSkipped) {
  Bytes p = payload(kPts | kScr | kFid | kEof, 0, 7, 9);
  p[0] = 14;
  p.insert(p.end(), {0xEE, 0xEE, 1, 2, 3});
  PayloadHeader h;
  ASSERT_EQ(parse_payload_header(p, h), HeaderStatus::kOk);
  EXPECT_EQ(h.length, 14);
  EXPECT_EQ(h.pts, 7u);
  EXPECT_EQ(h.scr.stc, 9u);
  Bytes no_fields{4, kEoh | kEof, 0xEE, 0xEE, 5};
  ASSERT_EQ(parse_payload_header(no_fields, h), HeaderStatus::kOk);
  EXPECT_EQ(h.length, 4);

  Rig rig;
  rig.iso(p);
  ASSERT_EQ(rig.dest.delivered.size(), 1u);
  EXPECT_EQ(rig.dest.delivered[0].bytes, (Bytes{1, 2, 3}));
  EXPECT_EQ(rig.counters().invalid_headers, 0u);
}

// Guards: EOF ends a frame; PTS is the first, SCR the last, host times and payload count kept.
TEST(FrameAssembler, EofEndsTheFrame) {
  Rig r;
  r.iso(payload(kPts | kScr, 100, 1000, 5000));
  r.iso(payload(kPts | kScr, 0, 1000, 5100));  // header-only
  r.iso(payload(kPts | kScr | kEof, 50, 1000, 5200));
  ASSERT_EQ(r.dest.delivered.size(), 1u);
  const AssembledFrame& f = r.dest.delivered[0].info;
  EXPECT_EQ(f.bytes_used, 150u);
  EXPECT_EQ(f.flags, 0u);
  EXPECT_EQ(f.payloads, 3u);
  EXPECT_EQ(*f.pts, 1000u);
  EXPECT_EQ(f.scr->stc, 5200u);
  EXPECT_EQ(f.host_time_first, nanoseconds(1));
  EXPECT_EQ(f.host_time_last, nanoseconds(3));
  EXPECT_EQ(r.counters().header_only_payloads, 1u);
}

// Guards: a FID toggle without EOF ends the previous frame (flagged no-EOF).
TEST(FrameAssembler, FidToggleWithoutEofEndsTheFrame) {
  Rig r;
  r.iso(payload(0, 10));
  r.iso(payload(0, 10));
  r.iso(payload(kFid, 10));
  ASSERT_EQ(r.dest.delivered.size(), 1u);
  EXPECT_EQ(r.dest.delivered[0].info.bytes_used, 20u);
  EXPECT_EQ(r.dest.delivered[0].info.flags, kUvcFrameNoEof);
  EXPECT_FALSE(r.dest.delivered[0].info.fid);
}

// Guards: after EOF, payloads still carrying the old FID are stale and ignored.
TEST(FrameAssembler, StalePayloadsAfterEofAreIgnored) {
  Rig r;
  r.iso(payload(kEof, 10));
  r.iso(payload(0, 0));
  r.iso(payload(0, 5));
  r.iso(payload(kFid | kEof, 7));
  ASSERT_EQ(r.dest.delivered.size(), 2u);
  EXPECT_EQ(r.dest.delivered[1].info.bytes_used, 7u);
  EXPECT_EQ(r.counters().stale_payloads, 2u);
}

// Guards: the ERR bit makes an error frame: dropped and counted by default,
// delivered flagged under kDeliverDamaged.
TEST(FrameAssembler, ErrorBitMakesAnErrorFrame) {
  Rig drop;
  drop.iso(payload(kErr, 10));
  drop.iso(payload(kEof, 10));
  drop.iso(payload(kFid | kEof, 10));
  EXPECT_EQ(drop.counters().dropped[DropReason::kErrorPayload], 1u);
  EXPECT_EQ(drop.counters().error_bit_payloads, 1u);
  ASSERT_EQ(drop.dest.delivered.size(), 1u);
  EXPECT_EQ(drop.dest.delivered[0].info.flags, kUvcFrameDiscontinuity);
  EXPECT_EQ(drop.dest.delivered[0].info.sequence, 1u);  // the gap shows the drop
  EXPECT_EQ(drop.dest.released, 1u);
  ASSERT_EQ(drop.dest.dropped.size(), 1u);
  EXPECT_EQ(drop.dest.dropped[0].reason, DropReason::kErrorPayload);

  Rig keep(with(DamagedFramePolicy::kDeliverDamaged));
  keep.iso(payload(kErr | kEof, 10));
  ASSERT_EQ(keep.dest.delivered.size(), 1u);
  EXPECT_EQ(keep.dest.delivered[0].info.flags, kUvcFrameError);
  EXPECT_EQ(keep.counters().delivered_damaged[DropReason::kErrorPayload], 1u);
  EXPECT_EQ(keep.counters().dropped.total(), 0u);
}

// Guards: an iso packet with a bad status marks the frame in progress, or
// the next one when none is in progress; its bytes are not used.
TEST(FrameAssembler, PacketErrorMarksTheFrame) {
  Rig r(with(DamagedFramePolicy::kDeliverDamaged));
  r.iso(payload(0, 10));
  r.iso(payload(0, 10), -71);
  r.iso(payload(kEof, 10));
  r.iso(payload(kFid, 10), -18);  // between frames
  r.iso(payload(kFid | kEof, 10));
  ASSERT_EQ(r.dest.delivered.size(), 2u);
  EXPECT_EQ(r.dest.delivered[0].info.bytes_used, 20u);
  EXPECT_EQ(r.dest.delivered[0].info.flags, kUvcFrameError);
  EXPECT_EQ(r.dest.delivered[1].info.flags, kUvcFrameError);
  EXPECT_EQ(r.counters().failed_transfers, 2u);
}

// Guards: an invalid header marks the frame as an error frame.
TEST(FrameAssembler, InvalidHeaderMarksTheFrame) {
  Rig r(with(DamagedFramePolicy::kDeliverDamaged));
  r.iso(payload(0, 10));
  r.iso(Bytes{40, 0x80, 1, 2, 3});
  r.iso(payload(kEof, 10));
  EXPECT_EQ(r.counters().invalid_headers, 1u);
  ASSERT_EQ(r.dest.delivered.size(), 1u);
  EXPECT_EQ(r.dest.delivered[0].info.flags, kUvcFrameError);
}

// Guards: data past dwMaxVideoFrameSize marks the frame overflowed and counts
// the bytes; nothing is written past the capacity.
TEST(FrameAssembler, OverflowIsMarkedAndCounted) {
  AssemblerConfig c = with(DamagedFramePolicy::kDeliverDamaged);
  c.max_video_frame_size = 100;
  Rig r(c);
  r.iso(payload(0, 80, 0, 0, 0x11));
  r.iso(payload(kEof, 50, 0, 0, 0x22));
  ASSERT_EQ(r.dest.delivered.size(), 1u);
  const auto& f = r.dest.delivered[0];
  EXPECT_EQ(f.info.bytes_used, 100u);
  EXPECT_EQ(f.info.flags, kUvcFrameOverflow);
  EXPECT_EQ(f.info.overflow_bytes, 30u);
  EXPECT_EQ(r.counters().overflow_bytes, 30u);
  EXPECT_EQ(r.counters().delivered_damaged[DropReason::kOverflow], 1u);
  EXPECT_EQ(f.bytes[99], 0x22);

  Rig d([] {
    AssemblerConfig dc;
    dc.max_video_frame_size = 100;
    return dc;
  }());
  d.iso(payload(kEof, 101));
  EXPECT_EQ(d.counters().dropped[DropReason::kOverflow], 1u);
  EXPECT_TRUE(d.dest.delivered.empty());
}

// Guards: with no free buffer the frame is dropped as "no free frame", its
// payloads are skipped, and the next delivered frame is a discontinuity.
TEST(FrameAssembler, NoFreeFrameDropsAndCounts) {
  Rig r(AssemblerConfig{}, 1);
  r.dest.recycle = false;
  r.iso(payload(kEof, 10));  // takes the only buffer
  r.iso(payload(kFid, 10));  // none free
  r.iso(payload(kFid | kEof, 10));
  EXPECT_EQ(r.counters().dropped[DropReason::kStarvation], 1u);
  ASSERT_EQ(r.dest.dropped.size(), 1u);  // the destination hears which frame and why
  EXPECT_EQ(r.dest.dropped[0].reason, DropReason::kStarvation);
  EXPECT_EQ(r.dest.dropped[0].info.sequence, 1u);
  r.dest.client_frees(r.dest.delivered[0].buffer_id);
  r.iso(payload(kEof, 10));
  ASSERT_EQ(r.dest.delivered.size(), 2u);
  EXPECT_EQ(r.dest.delivered[1].info.flags, kUvcFrameDiscontinuity);
  EXPECT_EQ(r.dest.delivered[1].info.sequence, 2u);
}

// Guards: an uncompressed frame short of its size is incomplete; so is an empty one.
TEST(FrameAssembler, IncompleteFrames) {
  AssemblerConfig c;
  c.expected_frame_size = 100;
  Rig r(c);
  r.iso(payload(kEof, 60));
  r.iso(payload(kFid | kEof, 100));
  r.iso(payload(0, 0));
  r.iso(payload(kFid, 0));  // toggles: the empty frame ends
  EXPECT_EQ(r.counters().dropped[DropReason::kIncomplete], 2u);
  ASSERT_EQ(r.dest.delivered.size(), 1u);
  EXPECT_EQ(r.dest.delivered[0].info.bytes_used, 100u);
}

// Guards: zero-length iso packets are normal: counted, no frame, no error.
TEST(FrameAssembler, EmptyPacketsAreNotErrors) {
  Rig r;
  r.iso({});
  r.iso({});
  EXPECT_EQ(r.counters().empty_packets, 2u);
  EXPECT_EQ(r.counters().frames_started, 0u);
  EXPECT_EQ(r.counters().invalid_headers, 0u);
}

// Guards: the still-image bit is passed on.
TEST(FrameAssembler, StillImageFlag) {
  Rig r;
  r.iso(payload(kSti | kEof, 10));
  ASSERT_EQ(r.dest.delivered.size(), 1u);
  EXPECT_EQ(r.dest.delivered[0].info.flags, kUvcFrameStill);
}

// Guards: flush gives the frame in progress back, counted incomplete, and restarts cleanly.
TEST(FrameAssembler, FlushReturnsTheFrameInProgress) {
  Rig r;
  r.iso(payload(kEof, 10));
  r.iso(payload(kFid, 10));
  r.assembler.flush();
  EXPECT_EQ(r.counters().dropped[DropReason::kIncomplete], 1u);
  EXPECT_EQ(r.dest.free_buffers(), 4u);
  r.iso(payload(kEof, 10));  // same FID as before the flush: not stale after a restart
  EXPECT_EQ(r.dest.delivered.size(), 2u);
}

AssemblerConfig bulk(std::uint32_t max_payload) {
  AssemblerConfig c;
  c.transport = Transport::kBulk;
  c.max_payload_transfer_size = max_payload;
  return c;
}

// Guards: a bulk payload spans transfers; its EOF ends the frame when the
// payload ends (payload size reached, or a short transfer).
TEST(FrameAssemblerBulk, PayloadSpansTransfersAndEofWaitsForItsEnd) {
  Rig r(bulk(100));
  Bytes first = payload(kPts | kScr | kEof, 38);  // 12 header + 38 = 50 of the 100-byte payload
  r.bulk(first, 50);
  EXPECT_TRUE(r.dest.delivered.empty());
  r.bulk(Bytes(50, 0x5A), 50);  // no header: data; payload now full
  ASSERT_EQ(r.dest.delivered.size(), 1u);
  EXPECT_EQ(r.dest.delivered[0].info.bytes_used, 88u);
  EXPECT_EQ(r.dest.delivered[0].bytes.back(), 0x5A);

  r.bulk(payload(kFid, 10), 512);        // short transfer: payload ends
  r.bulk(payload(kFid | kEof, 5), 512);  // the next transfer has a header
  ASSERT_EQ(r.dest.delivered.size(), 2u);
  EXPECT_EQ(r.dest.delivered[1].info.bytes_used, 15u);
  EXPECT_EQ(r.counters().payloads, 3u);
}

// Guards: a failed bulk transfer marks the frame and resynchronises on the next header.
TEST(FrameAssemblerBulk, FailedTransferResyncs) {
  Rig r(bulk(1000));
  r.dest.recycle = true;
  r.assembler.on_bulk_transfer(payload(0, 100), 112, 0, nanoseconds(1));  // full: continues
  r.bulk(Bytes(), 512, -71);
  r.bulk(payload(kEof, 10), 512);
  EXPECT_EQ(r.counters().failed_transfers, 1u);
  EXPECT_EQ(r.counters().dropped[DropReason::kErrorPayload], 1u);
  EXPECT_EQ(r.counters().invalid_headers, 0u);
}

// Guards: a zero-length bulk transfer between payloads is harmless.
TEST(FrameAssemblerBulk, ZeroLengthTransfer) {
  Rig r(bulk(1000));
  r.bulk({}, 512);
  r.bulk(payload(kEof, 10), 512);
  EXPECT_EQ(r.counters().empty_packets, 1u);
  EXPECT_EQ(r.dest.delivered.size(), 1u);
}

// Guards: the payload path does not allocate (only frame delivery in this test sink does).
TEST(FrameAssembler, NoAllocationPerPayload) {
  Rig r;
  const Bytes data = payload(kPts | kScr, 500);
  const Bytes bad{40, 0x80, 1};
  r.iso(data);  // the first frame's buffer is taken before counting
  const AllocationCounter allocations;
  for (int i = 0; i < 1000; ++i) {
    r.iso(data);
    r.iso(bad);
    r.iso({});
    r.assembler.on_iso_packet(data, -18, nanoseconds(i));
  }
  EXPECT_EQ(allocations.count(), 0u);
}

// Guards the one mapping from the assembler's frame to the host's vocabulary
// (as uvc_queue.c maps a buffer's error to its vb2 state): error or overflow
// is kError, incomplete kShort, else kOk; the drop (or damage) reason is the
// error payload before the overflow before the incomplete frame.
TEST(FrameAssembler, FateOfAnAssembledFrame) {
  AssembledFrame frame;
  EXPECT_EQ(fate_of(frame), FrameFate::kOk);
  EXPECT_EQ(damage_of(frame), std::nullopt);
  frame.flags = kUvcFrameNoEof | kUvcFrameStill | kUvcFrameDiscontinuity;
  EXPECT_EQ(fate_of(frame), FrameFate::kOk);
  EXPECT_EQ(damage_of(frame), std::nullopt);
  frame.flags = kUvcFrameIncomplete;
  EXPECT_EQ(fate_of(frame), FrameFate::kShort);
  EXPECT_EQ(damage_of(frame), DropReason::kIncomplete);
  frame.flags = kUvcFrameOverflow | kUvcFrameIncomplete;
  EXPECT_EQ(fate_of(frame), FrameFate::kError);
  EXPECT_EQ(damage_of(frame), DropReason::kOverflow);
  frame.flags = kUvcFrameError | kUvcFrameOverflow;
  EXPECT_EQ(fate_of(frame), FrameFate::kError);
  EXPECT_EQ(damage_of(frame), DropReason::kErrorPayload);
}

}  // namespace
}  // namespace hilcap::uvc::testing
