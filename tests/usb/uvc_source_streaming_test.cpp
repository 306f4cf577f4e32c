// The UVC source end to end: real libusb and the real source and allocator
// against the device model served as a fake UVC camera through umockdev.
// Every frame a client takes is verified against the model's in-band header.
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
    EXPECT_EQ(f.info.flags & kFrameError, 0u);
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
  EXPECT_EQ(c.assembly.dropped.error_payload + c.assembly.dropped.overflow, 0u);
  EXPECT_LE(c.assembly.dropped.incomplete, 1u);
  EXPECT_EQ(c.assembly.invalid_headers, 0u);
  EXPECT_GE(c.frames_delivered, 20u);
  EXPECT_EQ(c.max_in_flight, SourceOptions{}.transfers);
  EXPECT_EQ(c.orphaned_transfers, 0u);
  EXPECT_EQ(device.usb().transfers_in_flight(), 0u);
}

INSTANTIATE_TEST_SUITE_P(Transports, SourceStreaming, ::testing::Values(true, false),
                         [](const auto& p) { return p.param ? "Bulk" : "Isochronous"; });

}  // namespace
}  // namespace hilcap::testing
