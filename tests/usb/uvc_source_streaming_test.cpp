// The UVC source end to end: real libusb and the real source and allocator
// against the device model served as a fake UVC camera through umockdev.
// Every frame a client takes is verified against the model's in-band header.
#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <vector>

#include "heap_in_use.h"
#include "source_fixture.h"

namespace hilcap::testing {
namespace {

using namespace device::uvc;
using uvc::SourceOptions;

class SourceStreaming : public SourceTest, public ::testing::WithParamInterface<bool> {};

// Bulk and isochronous: every frame a client ALLOCs is the device model's frame, intact (its
// checksum verifies), whole, unflagged, in order, and sequence gaps match the drop count.
TEST_P(SourceStreaming, FramesArriveVerifiedEndToEnd) {
  const bool bulk = GetParam();
  ModelUvcDevice& device = add_model_device(model_config(), presentation(bulk));
  auto source = open_source();
  ASSERT_TRUE(source.ok()) << source.error();
  const uvc::NegotiatedStream& s = (*source)->stream();
  EXPECT_EQ(s.endpoint.transfer, bulk ? uvc::TransferType::kBulk : uvc::TransferType::kIsochronous);
  EXPECT_EQ(s.choice.format_name, "YUY2");
  EXPECT_EQ((*source)->frame_size(), 160u * 120 * 2);
  auto allocator = allocator_for(**source);
  ASSERT_FALSE((*source)->start(allocator));

  const std::vector<ClientFrame> frames = take_frames(*allocator, **source, 20);
  ASSERT_EQ(frames.size(), 20u) << "last ALLOC status 0x" << std::hex << last_status;
  std::int64_t last_device_sequence = -1;
  for (const ClientFrame& f : frames) {
    EXPECT_EQ(f.verdict.check, device::FrameCheck::kOk) << "frame " << f.info.sequence;
    EXPECT_EQ(f.info.data_used, 160u * 120 * 2);
    EXPECT_FALSE(marked_damaged(f.info.fate));
    EXPECT_NE(f.info.flags & kFrameDurationValid, 0u);
    EXPECT_EQ(f.info.duration_ns, 33'333'300);
    // The host counts the frames it saw, from PictureNumber 1 as KS does; the device its own
    // from 0: no device drops, so one apart.
    EXPECT_EQ(static_cast<std::int64_t>(f.verdict.header.sequence) + 1, f.info.sequence);
    EXPECT_GT(static_cast<std::int64_t>(f.verdict.header.sequence), last_device_sequence);
    last_device_sequence = static_cast<std::int64_t>(f.verdict.header.sequence);
  }
  expect_sequence_invariant(frames);
  (*source)->stop();
  const uvc::SourceCounters c = (*source)->counters();
  EXPECT_EQ(c.assembly.delivered_damaged.total(), 0u);
  // Drops only for want of a free frame, and the frame stop() cut off.
  EXPECT_EQ(
      c.assembly.dropped[DropReason::kErrorPayload] + c.assembly.dropped[DropReason::kOverflow],
      0u);
  EXPECT_LE(c.assembly.dropped[DropReason::kIncomplete], 1u);
  EXPECT_EQ(c.assembly.invalid_headers, 0u);
  EXPECT_GE(c.frames.handed_over(), 20u);
  EXPECT_EQ(c.max_in_flight, SourceOptions{}.transfers);
  EXPECT_EQ(c.orphaned_transfers, 0u);
  EXPECT_EQ(device.usb().transfers_in_flight(), 0u);
}

// Issue 12: the fake isochronous camera grew ~34.5 KB per transfer (the URB
// and buffer umockdev resolves for each submission were never released;
// 440-598 MB for a 300-frame capture), which kept long isochronous soaks
// from running; bulk leaked the same way, once per (larger, rarer)
// transfer. Counted in-process: after a warm-up, over three windows of 60
// frames, the heap in use may grow by less than 256 bytes per transfer the
// device completed in at least one of them. A leak grows it in every window;
// a transfer more in flight at one window's end than at its start (a 38 KB
// bulk buffer: 275 bytes per transfer over 150 frames on a loaded CI machine,
// where this test once failed with one window) shows in one window only.
TEST_P(SourceStreaming, TransfersDoNotGrowTheHeap) {
  const bool bulk = GetParam();
  ModelUvcDevice& device = add_model_device(model_config(), presentation(bulk));
  auto source = open_source();
  ASSERT_TRUE(source.ok()) << source.error();
  auto allocator = allocator_for(**source);
  ASSERT_FALSE((*source)->start(allocator));
  ASSERT_EQ(take_frames(*allocator, **source, 30).size(), 30u);  // every pool and buffer in place

  constexpr int kWindows = 3;
  constexpr std::size_t kFramesPerWindow = 60;
  std::vector<double> growth_per_transfer;
  std::string windows;
  for (int w = 0; w < kWindows; ++w) {
    const unsigned long reaped_before = device.usb().stats().reaped;
    const std::size_t heap_before = heap_in_use();
    std::size_t taken = 0;
    {
      const std::vector<ClientFrame> frames = take_frames(*allocator, **source, kFramesPerWindow);
      taken = frames.size();
    }
    const std::size_t heap_after = heap_in_use();
    const unsigned long transfers = device.usb().stats().reaped - reaped_before;
    ASSERT_EQ(taken, kFramesPerWindow) << "last ALLOC status 0x" << std::hex << last_status;
    // Frames already assembled before a window's first snapshot are handed
    // out inside it without a transfer of their own (CI saw 149 bulk
    // transfers for 150 frames), so a window holds at least 60 minus those few.
    ASSERT_GE(transfers, 45u);
    const double growth =
        heap_after > heap_before ? static_cast<double>(heap_after - heap_before) : 0.0;
    growth_per_transfer.push_back(growth / static_cast<double>(transfers));
    windows += fmt::format(" {} bytes over {} transfers;", growth, transfers);
  }
  (*source)->stop();
  EXPECT_LT(*std::min_element(growth_per_transfer.begin(), growth_per_transfer.end()), 256.0)
      << "the heap grew in every window:" << windows;
}

// Issue 15: every transfer completion woke the halt-clearing thread
// (notify_all on each callback), ~10 % of the host-side CPU at 160x120 iso.
// It waits for a halt or a stop, so over a stream of many transfers with
// neither it wakes a bounded number of times (its first look, the stop, a
// spurious wake-up or two), not once per transfer.
TEST_P(SourceStreaming, HaltClearerWakesOnlyForAHaltOrAStop) {
  const bool bulk = GetParam();
  add_model_device(model_config(), presentation(bulk));
  auto source = open_source();
  ASSERT_TRUE(source.ok()) << source.error();
  auto allocator = allocator_for(**source);
  ASSERT_FALSE((*source)->start(allocator));
  ASSERT_EQ(take_frames(*allocator, **source, 30).size(), 30u);
  (*source)->stop();
  const uvc::SourceCounters c = (*source)->counters();
  ASSERT_GE(c.transfers_completed, 30u);
  EXPECT_EQ(c.stalls, 0u);
  EXPECT_LE(c.halt_clearer_wakeups, 4u) << "over " << c.transfers_completed << " transfers";
}

INSTANTIATE_TEST_SUITE_P(Transports, SourceStreaming, ::testing::Values(true, false),
                         [](const auto& p) { return p.param ? "Bulk" : "Isochronous"; });

}  // namespace
}  // namespace hilcap::testing
