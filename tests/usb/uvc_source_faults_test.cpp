// Every stream fault of the UVC personality, and the device model's own
// faults, through the real source: what the client's frames carry (flags,
// verification) and what the counters say. Faults hit frame 2 (or later) of
// the stream; the allocator has more frames than the test takes, so no frame
// is dropped for want of a free one and the stream's frames are the client's.
#include "source_fixture.h"

namespace hilcap::testing {
namespace {

using namespace device::uvc;
using device::FrameCheck;

constexpr std::uint32_t kFrames = 32;
constexpr std::size_t kTaken = 8;
// Bulk payloads of 8 KiB: a frame (38400 bytes) takes five, as isochronous ones take several.
constexpr std::uint32_t kBulkPayload = 8192;

class SourceFaults : public SourceTest {
 protected:
  struct Run {
    std::vector<ClientFrame> frames;
    uvc::SourceCounters counters;
    NTSTATUS last_status = STATUS_SUCCESS;
  };

  // Streams with `faults` set on the personality and takes up to `count` frames.
  Run run(std::vector<FaultAt> faults, bool bulk, std::size_t count = kTaken,
          const device::DeviceConfig& config = model_config()) {
    UvcPresentation shown = presentation(bulk);
    shown.bulk_max_payload = kBulkPayload;
    ModelUvcDevice& device = add_model_device(config, shown);
    EXPECT_TRUE(
        device.with_personality([&](UvcPersonality& p) { return p.set_stream_faults(faults); })
            .empty());
    auto source = open_source();
    EXPECT_TRUE(source.ok()) << source.error();
    if (!source.ok()) return {};
    auto allocator = allocator_for(**source, kFrames);
    EXPECT_FALSE((*source)->start(allocator));
    Run r;
    r.frames = take_frames(*allocator, **source, count);
    r.last_status = last_status;
    (*source)->stop();
    r.counters = (*source)->counters();
    return r;
  }
};

bool flagged(const ClientFrame& f) {
  return marked_damaged(f.info.fate);
}

// ERR in a payload: that frame reaches the client flagged as an error frame (its data is
// intact), counted as delivered damaged with cause "error payload"; the others are clean.
TEST_F(SourceFaults, ErrorBitFlagsTheFrame) {
  const Run r = run({{StreamFault::kErrorBit, 2, 1}}, false);
  ASSERT_EQ(r.frames.size(), kTaken);
  for (const ClientFrame& f : r.frames) {
    EXPECT_EQ(flagged(f), f.info.sequence == 3) << f.info.sequence;  // PictureNumber from 1
    EXPECT_EQ(f.verdict.check, FrameCheck::kOk) << f.info.sequence;
  }
  EXPECT_NE(r.frames[2].record->uvc_flags & uvc::kUvcFrameError, 0u);
  EXPECT_EQ(r.counters.assembly.error_bit_payloads, 1u);
  EXPECT_EQ(r.counters.assembly.delivered_damaged[DropReason::kErrorPayload], 1u);
}

// No EOF on a frame: the FID toggle of the next frame ends it; it is whole, so not an error,
// and its record says how it ended.
TEST_F(SourceFaults, MissingEofEndsTheFrameAtTheFidToggle) {
  const Run r = run({{StreamFault::kMissingEof, 2, 0}}, true);
  ASSERT_EQ(r.frames.size(), kTaken);
  EXPECT_NE(r.frames[2].record->uvc_flags & uvc::kUvcFrameNoEof, 0u);
  EXPECT_EQ(r.frames[1].record->uvc_flags & uvc::kUvcFrameNoEof, 0u);
  for (const ClientFrame& f : r.frames) {
    EXPECT_FALSE(flagged(f)) << f.info.sequence;
    EXPECT_EQ(f.verdict.check, FrameCheck::kOk) << f.info.sequence;
  }
}

// FID toggling inside a frame splits it: both parts reach the client flagged incomplete (and
// fail verification); the device's next frame follows whole.
TEST_F(SourceFaults, EarlyFidToggleSplitsTheFrame) {
  const Run r = run({{StreamFault::kFidToggleEarly, 2, 1}}, false);
  ASSERT_EQ(r.frames.size(), kTaken);
  EXPECT_TRUE(flagged(r.frames[2]));
  EXPECT_TRUE(flagged(r.frames[3]));
  EXPECT_NE(r.frames[2].verdict.check, FrameCheck::kOk);
  EXPECT_NE(r.frames[3].verdict.check, FrameCheck::kOk);
  EXPECT_EQ(r.frames[4].verdict.check, FrameCheck::kOk);
  EXPECT_EQ(r.frames[4].verdict.header.sequence, 3u);
  EXPECT_FALSE(flagged(r.frames[4]));
  EXPECT_EQ(r.counters.assembly.delivered_damaged[DropReason::kIncomplete], 2u);
}

// A frame whose FID does not toggle after an EOF is indistinguishable from stale payloads: it
// is skipped and counted as such, and the device's frame numbers show the gap.
TEST_F(SourceFaults, UntoggledFidIsCountedAsStale) {
  const Run r = run({{StreamFault::kFidNotToggled, 2, 0}}, true);
  ASSERT_EQ(r.frames.size(), kTaken);
  EXPECT_GT(r.counters.assembly.stale_payloads, 0u);
  EXPECT_EQ(r.frames[2].verdict.header.sequence, 3u);
  EXPECT_EQ(r.frames[2].verdict.check, FrameCheck::kOk);
}

// A short payload loses data: the frame is incomplete, flagged, and fails verification.
TEST_F(SourceFaults, ShortPayloadMakesAnIncompleteFrame) {
  const Run r = run({{StreamFault::kShortPayload, 2, 1}}, false);
  ASSERT_EQ(r.frames.size(), kTaken);
  EXPECT_TRUE(flagged(r.frames[2]));
  EXPECT_LT(r.frames[2].info.data_used, 160u * 120 * 2);
  EXPECT_EQ(r.frames[2].verdict.check, FrameCheck::kShort);
  EXPECT_NE(r.frames[2].record->uvc_flags & uvc::kUvcFrameIncomplete, 0u);
  EXPECT_EQ(r.counters.assembly.delivered_damaged[DropReason::kIncomplete], 1u);
  EXPECT_FALSE(flagged(r.frames[3]));
}

// Corrupt data passes UVC unnoticed (nothing in a payload can tell), but the end-to-end check
// of the model's in-band header catches it.
TEST_F(SourceFaults, CorruptDataIsCaughtEndToEnd) {
  const Run r = run({{StreamFault::kCorruptData, 2, 0}}, true);
  ASSERT_EQ(r.frames.size(), kTaken);
  EXPECT_FALSE(flagged(r.frames[2]));
  EXPECT_NE(r.frames[2].verdict.check, FrameCheck::kOk);
  EXPECT_EQ(r.frames[3].verdict.check, FrameCheck::kOk);
}

// A header too short to be one: the payload is not trusted, the frame is flagged as an error
// frame and the bad header counted.
TEST_F(SourceFaults, BadHeaderLengthFlagsTheFrame) {
  const Run r = run({{StreamFault::kCorruptHeaderLength, 2, 1}}, false);
  ASSERT_EQ(r.frames.size(), kTaken);
  EXPECT_TRUE(flagged(r.frames[2]));
  EXPECT_EQ(r.counters.assembly.invalid_headers, 1u);
  EXPECT_EQ(r.counters.assembly.delivered_damaged[DropReason::kErrorPayload], 1u);
  EXPECT_FALSE(flagged(r.frames[3]));
}

class SourcePacketErrors : public SourceFaults, public ::testing::WithParamInterface<bool> {};

// A payload lost on the bus (an iso packet or a bulk transfer with an error status): the
// frame is flagged, the failure counted, and the stream goes on.
TEST_P(SourcePacketErrors, PacketErrorFlagsTheFrame) {
  const bool bulk = GetParam();
  const Run r = run({{StreamFault::kPacketError, 2, 1}}, bulk);
  ASSERT_EQ(r.frames.size(), kTaken);
  EXPECT_TRUE(flagged(r.frames[2]));
  EXPECT_EQ(r.counters.assembly.failed_transfers, 1u);
  EXPECT_EQ(r.counters.transfers_failed, bulk ? 1u : 0u);
  EXPECT_FALSE(flagged(r.frames[3]));
  EXPECT_EQ(r.frames[3].verdict.check, FrameCheck::kOk);
}

INSTANTIATE_TEST_SUITE_P(Transports, SourcePacketErrors, ::testing::Values(true, false),
                         [](const auto& p) { return p.param ? "Bulk" : "Isochronous"; });

// A bulk endpoint halts: every transfer in flight ends with STALL, the source clears the halt
// once they are back and resubmits, and the device's next frame arrives whole.
TEST_F(SourceFaults, StallIsClearedAndTheStreamResumes) {
  const Run r = run({{StreamFault::kStall, 2, 0}}, true);
  ASSERT_EQ(r.frames.size(), kTaken);
  EXPECT_GE(r.counters.stalls, 1u);
  EXPECT_EQ(r.counters.halts_cleared, 1u);
  EXPECT_EQ(r.frames[2].verdict.header.sequence, 3u);  // frame 2 died with the halt
  for (const ClientFrame& f : r.frames) {
    EXPECT_FALSE(flagged(f)) << f.info.sequence;
    EXPECT_EQ(f.verdict.check, FrameCheck::kOk) << f.info.sequence;
  }
}

// The device drops off the bus at frame 3: the frames before it are served, then the waiting
// ALLOC completes with STATUS_DEVICE_NOT_CONNECTED.
TEST_F(SourceFaults, DeviceDisconnectEndsTheStream) {
  const Run r = run({{StreamFault::kDisconnect, 3, 0}}, true);
  EXPECT_EQ(r.frames.size(), 3u);
  EXPECT_EQ(r.last_status, STATUS_DEVICE_NOT_CONNECTED);
  EXPECT_TRUE(r.counters.disconnected);
}

// The device model's own faults, served through UVC: an error frame arrives empty and flagged,
// a corrupt one fails verification, a short one is flagged incomplete, frames dropped in a
// stall show as a gap in the device's numbering, and a disconnect ends the stream.
TEST_F(SourceFaults, DeviceModelFaults) {
  device::DeviceConfig config = model_config();
  using device::AtFrame;
  using device::FaultKind;
  config.faults = {
      {{FaultKind::kError}, AtFrame{1}},
      {{FaultKind::kCorrupt}, AtFrame{2}},
      {{FaultKind::kShort, 1000}, AtFrame{3}},
      {{FaultKind::kStall, 0, 50'000'000}, AtFrame{4}},  // frames 4 and 5 (due in 50 ms)
      {{FaultKind::kDisconnect}, AtFrame{8}},
  };
  const Run r = run({}, false, 16, config);
  // 0 1 2 3 6, and 7 unless the device left in the transfer that carried its end.
  ASSERT_GE(r.frames.size(), 5u);
  ASSERT_LE(r.frames.size(), 6u);
  EXPECT_EQ(r.last_status, STATUS_DEVICE_NOT_CONNECTED);
  EXPECT_FALSE(flagged(r.frames[0]));
  EXPECT_TRUE(flagged(r.frames[1]));
  EXPECT_EQ(r.frames[1].info.data_used, 0u);
  EXPECT_NE(r.frames[1].record->uvc_flags & uvc::kUvcFrameError, 0u);
  EXPECT_FALSE(flagged(r.frames[2]));
  EXPECT_EQ(r.frames[2].verdict.check, FrameCheck::kChecksumMismatch);
  EXPECT_TRUE(flagged(r.frames[3]));
  EXPECT_EQ(r.frames[3].info.data_used, 1000u);
  EXPECT_EQ(r.frames[4].verdict.check, FrameCheck::kOk);
  EXPECT_EQ(r.frames[4].verdict.header.sequence, 6u);
  // The host cannot see frames never sent: its fifth frame is PictureNumber 5.
  EXPECT_EQ(r.frames[4].info.sequence, 5);
}

}  // namespace
}  // namespace hilcap::testing
