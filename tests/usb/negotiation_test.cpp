// PROBE/COMMIT between real libusb and the fake UVC device, for each UVC
// version's block size, with devices that adjust, refuse or answer short.
#include "usb_fixture.h"

namespace hilcap::testing {
namespace {

using namespace device::uvc;

struct VersionCase {
  UvcVersion version;
  std::size_t block_size;
};

class Negotiation : public UsbTest, public ::testing::WithParamInterface<VersionCase> {};

// SET_CUR/GET_CUR round trip with a device that always answers another interval: the host
// sees the adjusted value with the version's block length, and COMMIT keeps it.
TEST_P(Negotiation, AdjustingDeviceRoundTrip) {
  UvcDeviceConfig c = small_camera(GetParam().version);
  c.negotiation.interval_policy = IntervalPolicy::kAlwaysDifferent;
  CounterPatternFrames& frames = counter_frames();
  FakeUvcDevice& device = add_uvc_device(c, frames);
  libusb_device_handle* h = open();
  ASSERT_NE(h, nullptr);
  ASSERT_EQ(libusb_claim_interface(h, kVsInterface), 0);
  const std::size_t size = GetParam().block_size;

  std::uint8_t len[2] = {};
  ASSERT_EQ(libusb_control_transfer(h, kRequestTypeClassInterfaceIn, kGetLen, kVsProbeControl << 8,
                                    kVsInterface, len, 2, kTimeoutMs),
            2);
  EXPECT_EQ(len[0], size);

  const ProbeCommit got = negotiate(h, 1, 1, 333333, size);
  EXPECT_EQ(got.format_index, 1);
  EXPECT_EQ(got.frame_interval_100ns, 666666u);  // asked for 30 fps, device gives 15
  EXPECT_EQ(got.max_video_frame_size, 64u * 48 * 2);
  EXPECT_EQ(got.max_payload_transfer_size, 128u);
  if (size > kProbeCommitSize10) {
    EXPECT_EQ(got.clock_frequency_hz, 48'000'000u);
  }

  ProbeCommit committed;
  ASSERT_EQ(get_control(h, kGetCur, kVsCommitControl, size, committed), static_cast<int>(size));
  EXPECT_EQ(committed, got);
  const auto on_device =
      device.with_personality([](UvcPersonality& p) { return p.negotiation().committed(); });
  ASSERT_TRUE(on_device.has_value());
  EXPECT_EQ(*on_device, got);

  ProbeCommit bound;
  ASSERT_EQ(get_control(h, kGetMax, kVsProbeControl, size, bound), static_cast<int>(size));
  EXPECT_EQ(bound.frame_interval_100ns, 666666u);
  ASSERT_EQ(get_control(h, kGetMin, kVsProbeControl, size, bound), static_cast<int>(size));
  EXPECT_EQ(bound.frame_interval_100ns, 333333u);
  // A block of another version's length is refused.
  EXPECT_EQ(set_control(h, kVsProbeControl, got, size == 26 ? 34 : 26), LIBUSB_ERROR_PIPE);
}

INSTANTIATE_TEST_SUITE_P(UvcVersions, Negotiation,
                         ::testing::Values(VersionCase{UvcVersion::k1_0, 26},
                                           VersionCase{UvcVersion::k1_1, 34},
                                           VersionCase{UvcVersion::k1_5, 48}),
                         [](const auto& param_info) {
                           return "Block" + std::to_string(param_info.param.block_size);
                         });

class NegotiationQuirks : public UsbTest {};

// A device answering GET_CUR short: libusb returns fewer bytes than asked for.
TEST_F(NegotiationQuirks, ShortAnswer) {
  UvcDeviceConfig c = small_camera(UvcVersion::k1_5);
  c.negotiation.short_reply_bytes = 26;
  CounterPatternFrames& frames = counter_frames();
  add_uvc_device(c, frames);
  libusb_device_handle* h = open();
  ASSERT_NE(h, nullptr);
  ProbeCommit block;
  EXPECT_EQ(get_control(h, kGetCur, kVsProbeControl, 48, block), 26);
}

// A device stalling COMMIT: the control transfer fails with a pipe error; PROBE still works.
TEST_F(NegotiationQuirks, CommitStalls) {
  UvcDeviceConfig c = small_camera();
  c.negotiation.stall_commit = true;
  CounterPatternFrames& frames = counter_frames();
  add_uvc_device(c, frames);
  libusb_device_handle* h = open();
  ASSERT_NE(h, nullptr);
  ProbeCommit block;
  block.format_index = 1;
  block.frame_index = 1;
  EXPECT_EQ(set_control(h, kVsProbeControl, block, 34), 34);
  EXPECT_EQ(set_control(h, kVsCommitControl, block, 34), LIBUSB_ERROR_PIPE);
}

// An unsupported request stalls, and the device keeps answering afterwards.
TEST_F(NegotiationQuirks, UnsupportedRequestStalls) {
  CounterPatternFrames& frames = counter_frames();
  FakeUvcDevice& device = add_uvc_device(small_camera(), frames);
  libusb_device_handle* h = open();
  ASSERT_NE(h, nullptr);
  std::uint8_t buf[8] = {};
  EXPECT_EQ(libusb_control_transfer(h, kRequestTypeClassInterfaceIn, 0x99, 0x0100, kVsInterface,
                                    buf, 8, kTimeoutMs),
            LIBUSB_ERROR_PIPE);
  EXPECT_EQ(libusb_control_transfer(h, 0xC0, 0x01, 0, 0, buf, 8, kTimeoutMs), LIBUSB_ERROR_PIPE);
  ProbeCommit block;
  EXPECT_EQ(get_control(h, kGetCur, kVsProbeControl, 34, block), 34);
  EXPECT_EQ(device.usb().stats().control_stalls, 2u);
}

// A bus reset (libusb_reset_device) returns the device to its power-on negotiation state and
// keeps the interfaces claimed.
TEST_F(NegotiationQuirks, ResetForgetsNegotiation) {
  CounterPatternFrames& frames = counter_frames();
  FakeUvcDevice& device = add_uvc_device(small_bulk_camera(2048), frames);
  libusb_device_handle* h = open();
  ASSERT_NE(h, nullptr);
  ASSERT_EQ(libusb_claim_interface(h, kVsInterface), 0);
  negotiate(h, 1, 1, 666666, kProbeCommitSize11);
  ASSERT_TRUE(device.with_personality([](UvcPersonality& p) { return p.stream() != nullptr; }));
  ASSERT_EQ(libusb_reset_device(h), 0);
  EXPECT_FALSE(device.with_personality([](UvcPersonality& p) { return p.stream() != nullptr; }));
  ProbeCommit block;
  ASSERT_EQ(get_control(h, kGetCur, kVsCommitControl, 34, block), 34);
  EXPECT_EQ(block.frame_interval_100ns, 333333u);  // the default again
}

}  // namespace
}  // namespace hilcap::testing
