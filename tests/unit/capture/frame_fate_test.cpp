// The one vocabulary of what happened to a frame (<hilcap/frame_fate.h>) and
// its mappings: to the KS header a client reads, to the report's names, and
// from the device model's own drop reasons.
#include <gtest/gtest.h>
#include <hilcap/frame_fate.h>
#include <hilcap/ks_extensions.h>
#include <hilcap/uvc/frame_assembler.h>

#include <set>
#include <string>

#include "capture/completion_mapping.h"
#include "runner/device_drops.h"

namespace hilcap {
namespace {

constexpr FrameFate kDeliveredFates[] = {FrameFate::kOk,
                                         FrameFate::kShort,
                                         FrameFate::kError,
                                         FrameFate::kCorrupt,
                                         FrameFate::kReturnedUnfilled,
                                         FrameFate::kRejected};

// Guards the mapping fate -> KS header: exactly the damaged fates (short,
// error, corrupt, rejected) carry hilcap's error mark; a whole frame and a
// buffer handed back empty do not.
TEST(FrameFate, KsHeaderMarksExactlyTheDamagedFates) {
  const std::set<FrameFate> damaged = {FrameFate::kShort, FrameFate::kError, FrameFate::kCorrupt,
                                       FrameFate::kRejected};
  for (FrameFate fate : kDeliveredFates) {
    FrameInfo info;
    info.fate = fate;
    int frame = 0;
    const KSHILCAP_FRAME_HEADER h = ks_frame_header(info, &frame, 64);
    const bool marked = (h.Header.OptionsFlags & KSSTREAM_HEADER_OPTIONSF_HILCAP_ERROR) != 0;
    EXPECT_EQ(marked, damaged.contains(fate)) << to_string(fate);
    EXPECT_EQ(marked_damaged(fate), damaged.contains(fate)) << to_string(fate);
  }
}

// Guards the report's names (frames.<fate>, frames.dropped.by_reason.<reason>):
// every fate and reason has its own, spelled as the report keys are.
TEST(FrameFate, NamesAreTheReportKeys) {
  EXPECT_EQ(to_string(FrameFate::kOk), "ok");
  EXPECT_EQ(to_string(FrameFate::kShort), "short");
  EXPECT_EQ(to_string(FrameFate::kError), "error");
  EXPECT_EQ(to_string(FrameFate::kCorrupt), "corrupt");
  EXPECT_EQ(to_string(FrameFate::kReturnedUnfilled), "returned_unfilled");
  EXPECT_EQ(to_string(FrameFate::kRejected), "rejected");
  EXPECT_EQ(to_string(FrameFate::kDropped), "dropped");
  std::set<std::string> names;
  for (std::size_t i = 0; i < kDropReasonCount; ++i) {
    names.emplace(to_string(static_cast<DropReason>(i)));
  }
  EXPECT_EQ(names, (std::set<std::string>{"starvation", "buffer_rejected", "scheduled", "random",
                                          "stall", "completion_ring_full", "aborted",
                                          "error_payload", "overflow", "incomplete"}));
}

// Counts: handed over = every fate but dropped; captured = the fates with a
// capture; drops by reason add up to the dropped fate.
TEST(FrameFate, CountsByFateAndReason) {
  FrameFateCounts counts;
  for (FrameFate fate : kDeliveredFates)
    counts.add(fate);
  counts.add(FrameFate::kOk);
  counts.add_drop(DropReason::kStall);
  DropCounts more;
  more[DropReason::kStarvation] = 2;
  counts.add_drops(more);
  EXPECT_EQ(counts[FrameFate::kOk], 2u);
  EXPECT_EQ(counts.handed_over(), 7u);
  EXPECT_EQ(counts.captured(), 5u);
  EXPECT_EQ(counts[FrameFate::kDropped], 3u);
  EXPECT_EQ(counts.dropped.total(), 3u);
  EXPECT_EQ(counts.dropped[DropReason::kStarvation], 2u);
  FrameFateCounts twice = counts;
  twice += counts;
  EXPECT_EQ(twice[FrameFate::kDropped], 6u);
  EXPECT_EQ(twice.dropped[DropReason::kStall], 2u);
}

// A drop has a reason: counting one through add() would leave the dropped
// total and the reasons apart (FrameFateCounts keeps the total once, as the
// reasons' sum).
TEST(FrameFateDeathTest, ADropIsCountedWithItsReason) {
  FrameFateCounts counts;
  EXPECT_DEBUG_DEATH(counts.add(FrameFate::kDropped), "kDropped");
}

// Guards the device model's mapping: each of its reasons keeps its meaning
// (and so its report key) in the host's vocabulary, one to one.
TEST(FrameFate, DeviceModelReasonsMapOneToOne) {
  std::set<DropReason> mapped;
  for (std::size_t i = 0; i < device::kModelDropReasonCount; ++i) {
    mapped.insert(sim::drop_reason_of(static_cast<device::ModelDropReason>(i)));
  }
  EXPECT_EQ(mapped.size(), device::kModelDropReasonCount);
  EXPECT_EQ(sim::drop_reason_of(device::ModelDropReason::kStarvation), DropReason::kStarvation);
  EXPECT_EQ(sim::drop_reason_of(device::ModelDropReason::kCompletionRingFull),
            DropReason::kCompletionRingFull);
  EXPECT_EQ(sim::drop_reason_of(device::ModelDropReason::kAborted), DropReason::kAborted);
  for (DropReason reason : sim::kDeviceModelDropReasons)
    EXPECT_TRUE(mapped.contains(reason)) << to_string(reason);
  device::DeviceStats stats;
  stats.dropped[static_cast<std::size_t>(device::ModelDropReason::kScheduled)] = 4;
  EXPECT_EQ(sim::drops_of(stats)[DropReason::kScheduled], 4u);
  EXPECT_EQ(sim::drops_of(stats).total(), 4u);
}

// The mapping table at each boundary, pinned row by row, as uvc_queue.c's one
// function maps a buffer to its vb2_buffer_state. Guards: every device
// completion status has exactly one fate (a new CompletionStatus must be
// added here, or the size check fails), a UVC frame's flags map to one fate,
// and the fate alone decides the KS error mark a client reads.
TEST(FrameFate, MappingTableAtEachBoundary) {
  using device::CompletionStatus;
  struct Row {
    CompletionStatus status;
    FrameFate fate;
    bool ks_error;  // KSSTREAM_HEADER_OPTIONSF_HILCAP_ERROR
  };
  constexpr Row kCompletionRows[] = {
      {CompletionStatus::kOk, FrameFate::kOk, false},
      {CompletionStatus::kShort, FrameFate::kShort, true},
      {CompletionStatus::kError, FrameFate::kError, true},
      {CompletionStatus::kReturnedUnfilled, FrameFate::kReturnedUnfilled, false},
      {CompletionStatus::kBufferRejected, FrameFate::kRejected, true},
      {CompletionStatus::kDisconnected, FrameFate::kReturnedUnfilled, false},
  };
  // Every enumerator of CompletionStatus, in order (kDisconnected is the last).
  static_assert(std::size(kCompletionRows) ==
                static_cast<std::size_t>(CompletionStatus::kDisconnected) + 1);
  for (std::size_t i = 0; i < std::size(kCompletionRows); ++i) {
    const Row& row = kCompletionRows[i];
    ASSERT_EQ(static_cast<std::size_t>(row.status), i);
    device::CompletionEntry entry;
    entry.status = row.status;
    entry.bytes_used = 100;
    const FrameInfo info = map_completion(entry, {}, {.verify_frames = false}, 0);
    EXPECT_EQ(info.fate, row.fate) << "status " << i;
    int frame = 0;
    const KSHILCAP_FRAME_HEADER h = ks_frame_header(info, &frame, 64);
    EXPECT_EQ((h.Header.OptionsFlags & KSSTREAM_HEADER_OPTIONSF_HILCAP_ERROR) != 0, row.ks_error)
        << "status " << i;
    // A buffer that comes back without a frame holds no data.
    if (!carries_capture(row.fate)) {
      EXPECT_EQ(info.data_used, 0u) << "status " << i;
    }
  }

  // UVC: the assembler's flags to a fate (uvc::fate_of); flags that say
  // nothing of damage (still, no EOF, discontinuity) leave a frame kOk.
  struct UvcRow {
    std::uint32_t flags;
    FrameFate fate;
  };
  constexpr UvcRow kUvcRows[] = {
      {0, FrameFate::kOk},
      {uvc::kUvcFrameStill | uvc::kUvcFrameNoEof | uvc::kUvcFrameDiscontinuity, FrameFate::kOk},
      {uvc::kUvcFrameIncomplete, FrameFate::kShort},
      {uvc::kUvcFrameError, FrameFate::kError},
      {uvc::kUvcFrameOverflow, FrameFate::kError},
      {uvc::kUvcFrameOverflow | uvc::kUvcFrameIncomplete, FrameFate::kError},
  };
  for (const UvcRow& row : kUvcRows) {
    uvc::AssembledFrame frame;
    frame.flags = row.flags;
    EXPECT_EQ(uvc::fate_of(frame), row.fate) << "flags " << row.flags;
  }

  // Every fate has its own report name.
  std::set<std::string_view> names;
  for (std::size_t i = 0; i < kFrameFateCount; ++i)
    names.insert(to_string(static_cast<FrameFate>(i)));
  EXPECT_EQ(names.size(), kFrameFateCount);
  EXPECT_FALSE(names.contains("unknown"));
}

}  // namespace
}  // namespace hilcap
