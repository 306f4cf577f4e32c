// The DMA frame source's parts alone: the mapping from a completion entry to
// what a KS client sees, and the source's handling of a buffer the device
// refuses (a host bug the pin's framing checks normally prevent).
#include "capture/completion_mapping.h"

#include <gtest/gtest.h>
#include <hilcap/stream_allocator.h>

#include <memory>
#include <vector>

#include "capture/dma_frame_source.h"
#include "capture_rig.h"
#include "device_model.h"
#include "ks_test_client.h"
#include "scheduler/virtual_scheduler.h"

namespace hilcap {
namespace {

using device::CompletionEntry;
using device::CompletionFlags;
using device::CompletionStatus;

constexpr MappingOptions kNoVerify{.verify_frames = false, .frame_interval_ns = 0};

CompletionEntry frame_entry(CompletionStatus status, std::uint32_t bytes) {
  return {.buffer_id = 1,
          .bytes_used = bytes,
          .sequence = 41,
          .timestamp_ns = 1'234'567,
          .drop_count = 3,
          .checksum = 0,
          .status = status,
          .flags = 0};
}

// A whole frame: PictureNumber = sequence + 1, DropCount, times, DataUsed;
// Duration only when the interval is known.
TEST(CompletionMapping, WholeFrame) {
  const FrameInfo m = map_completion(frame_entry(CompletionStatus::kOk, 4096), {}, kNoVerify, 99);
  EXPECT_EQ(m.fate, FrameFate::kOk);
  EXPECT_EQ(m.sequence, 42);
  EXPECT_EQ(m.drop_count, 3);
  EXPECT_EQ(m.presentation_time_ns, 1'234'567);
  EXPECT_EQ(m.device_timestamp_ns, 1'234'567);
  EXPECT_EQ(m.host_timestamp_ns, 99);
  EXPECT_EQ(m.data_used, 4096u);
  EXPECT_EQ(m.flags, static_cast<std::uint32_t>(kFrameTimeValid));
  const FrameInfo timed = map_completion(frame_entry(CompletionStatus::kOk, 4096), {},
                                         {.verify_frames = false, .frame_interval_ns = 5}, 0);
  EXPECT_EQ(timed.duration_ns, 5);
  EXPECT_EQ(timed.flags, static_cast<std::uint32_t>(kFrameTimeValid | kFrameDurationValid));
}

// The first frame after a drop carries the discontinuity.
TEST(CompletionMapping, Discontinuity) {
  CompletionEntry entry = frame_entry(CompletionStatus::kOk, 4096);
  entry.flags = CompletionFlags::kDiscontinuity;
  EXPECT_TRUE(map_completion(entry, {}, kNoVerify, 0).flags & kFrameDiscontinuity);
}

// Short and error frames keep their DataUsed, their fate marks them damaged.
TEST(CompletionMapping, DamagedFramesAreErrors) {
  const FrameInfo shorter =
      map_completion(frame_entry(CompletionStatus::kShort, 1000), {}, kNoVerify, 0);
  EXPECT_EQ(shorter.fate, FrameFate::kShort);
  EXPECT_EQ(shorter.data_used, 1000u);
  EXPECT_TRUE(marked_damaged(shorter.fate));
  const FrameInfo failed =
      map_completion(frame_entry(CompletionStatus::kError, 0), {}, kNoVerify, 0);
  EXPECT_EQ(failed.fate, FrameFate::kError);
  EXPECT_TRUE(marked_damaged(failed.fate));
  EXPECT_EQ(failed.sequence, 42);
}

// With verification, a kOk frame whose bytes do not match its header is
// corrupt (flagged), whatever the device's own flag says.
TEST(CompletionMapping, VerificationFindsCorruption) {
  std::vector<std::byte> garbage(4096, std::byte{0x5A});
  const FrameInfo m = map_completion(frame_entry(CompletionStatus::kOk, 4096), garbage,
                                     {.verify_frames = true, .frame_interval_ns = 0}, 0);
  EXPECT_EQ(m.fate, FrameFate::kCorrupt);
  EXPECT_TRUE(marked_damaged(m.fate));
  EXPECT_EQ(m.data_used, 4096u);
}

// Buffers handed back at STOP (or at a disconnect) are empty: DataUsed 0, no
// picture, no flags, not damaged; a refused buffer is damaged with DataUsed 0.
TEST(CompletionMapping, ReturnedBuffersCarryNoFrame) {
  for (CompletionStatus status :
       {CompletionStatus::kReturnedUnfilled, CompletionStatus::kDisconnected}) {
    const FrameInfo m =
        map_completion({.buffer_id = 2, .drop_count = 7, .status = status}, {}, kNoVerify, 5);
    EXPECT_EQ(m.fate, FrameFate::kReturnedUnfilled);
    EXPECT_EQ(m.data_used, 0u);
    EXPECT_EQ(m.flags, 0u);
    EXPECT_FALSE(marked_damaged(m.fate));
    EXPECT_EQ(m.sequence, 0);
    EXPECT_EQ(m.drop_count, 7);
  }
  const FrameInfo rejected = map_completion(
      {.buffer_id = 2, .status = CompletionStatus::kBufferRejected}, {}, kNoVerify, 0);
  EXPECT_EQ(rejected.fate, FrameFate::kRejected);
  EXPECT_TRUE(marked_damaged(rejected.fate));
  EXPECT_EQ(rejected.flags, 0u);
  EXPECT_EQ(rejected.data_used, 0u);
}

// A buffer the device refuses (smaller than a frame) is delivered to the
// client flagged as an error with DataUsed 0 and not posted again; the device
// drops the frame that was due.
TEST(DmaFrameSource, RefusedBufferIsDeliveredAsAnErrorNotReposted) {
  sim::VirtualScheduler scheduler;
  struct Line final : device::InterruptLine {
    std::function<void()> service;
    void raise() override { service(); }
  } line;
  auto created = device::DeviceModel::create(test::small_device(), scheduler, line);
  ASSERT_TRUE(created.errors.empty());
  device::DeviceModel& device = *created.device;
  auto allocator = StreamAllocator::create(test::framing(2, 100)).allocator;
  ASSERT_NE(allocator, nullptr);
  auto source = std::make_shared<DmaFrameSource>(device.submission_ring(), device.completion_ring(),
                                                 2, MappingOptions{});
  line.service = [&] {
    device.acknowledge_interrupt();
    source->drain(*allocator, scheduler.now());
  };
  ASSERT_EQ(allocator->attach(source), STATUS_SUCCESS);
  source->start_posting();
  ASSERT_EQ(device.set_state(device::PinState::kRun), device::ControlStatus::kOk);
  scheduler.run_until(test::grid_time(3));

  const auto occupancy = allocator->occupancy();
  EXPECT_EQ(occupancy.ready, 2u);
  EXPECT_EQ(source->frames_held(), 0u);
  EXPECT_EQ(source->stats().frames[FrameFate::kRejected], 2u);
  EXPECT_EQ(source->stats().buffers_posted, 2u);
  const AllocOutcome taken = allocator->try_alloc();
  ASSERT_EQ(taken.status, STATUS_SUCCESS);
  const auto info = allocator->frame_info(taken.frame);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->fate, FrameFate::kRejected);
  EXPECT_EQ(info->data_used, 0u);
  const device::DeviceStats stats = device.stats();
  EXPECT_EQ(stats.dropped[static_cast<std::size_t>(device::ModelDropReason::kBufferRejected)], 2u);
  EXPECT_EQ(stats.dropped[static_cast<std::size_t>(device::ModelDropReason::kStarvation)], 2u);
  device.set_state(device::PinState::kStop);
}

}  // namespace
}  // namespace hilcap
