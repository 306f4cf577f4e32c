#include "probe_commit_responder.h"

#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "test_configs.h"

namespace hilcap::device::uvc {
namespace {

constexpr std::uint16_t kProbe = kVsProbeControl << 8;
constexpr std::uint16_t kCommit = kVsCommitControl << 8;

class Host {
 public:
  explicit Host(const UvcDeviceConfig& config) : device_(config) {}

  ControlOutcome set(std::uint16_t selector, const ProbeCommit& pc, std::size_t length) {
    std::array<std::uint8_t, 64> block{};
    encode_probe_commit(pc, std::span(block).first(length));
    const SetupPacket setup{kRequestTypeClassInterfaceOut, kSetCur, selector, 1,
                            static_cast<std::uint16_t>(length)};
    return device_.handle(setup, std::span(block).first(length), {});
  }
  ControlOutcome get(std::uint8_t request, std::uint16_t selector, std::size_t length) {
    reply_.assign(64, 0xEE);
    const SetupPacket setup{kRequestTypeClassInterfaceIn, request, selector, 1,
                            static_cast<std::uint16_t>(length)};
    const ControlOutcome outcome = device_.handle(setup, {}, reply_);
    reply_.resize(outcome.length);
    return outcome;
  }
  ProbeCommit answer() const { return decode_probe_commit(reply_); }
  const std::vector<std::uint8_t>& reply() const { return reply_; }
  ProbeCommitResponder& device() { return device_; }

 private:
  ProbeCommitResponder device_;
  std::vector<std::uint8_t> reply_;
};

ProbeCommit request(std::uint8_t format, std::uint8_t frame, std::uint32_t interval) {
  ProbeCommit pc;
  pc.bm_hint = kHintFrameInterval;
  pc.format_index = format;
  pc.frame_index = frame;
  pc.frame_interval_100ns = interval;
  return pc;
}

// Before any SET_CUR, GET_CUR(PROBE) answers the defaults: format 1, its default frame and
// interval, sizes filled in.
TEST(ProbeCommitResponder, PowerOnProbeIsDefault) {
  Host host(test::camera_config());
  ASSERT_EQ(host.get(kGetCur, kProbe, 34), ControlOutcome::ack(34));
  const ProbeCommit pc = host.answer();
  EXPECT_EQ(pc.format_index, 1);
  EXPECT_EQ(pc.frame_index, 1);
  EXPECT_EQ(pc.frame_interval_100ns, 333333u);
  EXPECT_EQ(pc.max_video_frame_size, 640u * 480 * 2);
  EXPECT_EQ(pc.clock_frequency_hz, 48'000'000u);
  EXPECT_EQ(host.get(kGetDef, kProbe, 34), ControlOutcome::ack(34));
  EXPECT_EQ(host.answer(), pc);
}

// The block length is the version's: 26, 34 or 48 bytes; other SET_CUR lengths stall.
TEST(ProbeCommitResponder, BlockLengthFollowsVersion) {
  const std::pair<UvcVersion, std::size_t> cases[] = {
      {UvcVersion::k1_0, 26}, {UvcVersion::k1_1, 34}, {UvcVersion::k1_5, 48}};
  for (const auto& [version, size] : cases) {
    Host host(test::camera_config(version));
    EXPECT_EQ(host.set(kProbe, request(1, 2, 666666), size), ControlOutcome::ack(size));
    EXPECT_TRUE(host.set(kProbe, request(1, 2, 666666), size == 26 ? 34 : 26).stalled());
    EXPECT_EQ(host.get(kGetCur, kProbe, 64), ControlOutcome::ack(size));  // longer wLength: short
    EXPECT_EQ(host.get(kGetLen, kProbe, 2), ControlOutcome::ack(2));
    EXPECT_EQ(host.reply(), (std::vector<std::uint8_t>{static_cast<std::uint8_t>(size), 0}));
    EXPECT_EQ(host.get(kGetCur, kProbe, 10), ControlOutcome::ack(10));  // shorter: truncated
  }
}

// The device rounds the interval to the nearest offered one; a tie goes to the shorter.
TEST(ProbeCommitResponder, IntervalRoundedToNearestOffered) {
  Host host(test::camera_config());
  host.set(kProbe, request(1, 1, 700000), 34);
  host.get(kGetCur, kProbe, 34);
  EXPECT_EQ(host.answer().frame_interval_100ns, 666666u);
  host.set(kProbe, request(1, 1, 499999 + 1), 34);  // 500000: 166667 from 333333 and 666666
  host.get(kGetCur, kProbe, 34);
  EXPECT_EQ(host.answer().frame_interval_100ns, 666666u);
  host.set(kProbe, request(1, 1, 499999), 34);
  host.get(kGetCur, kProbe, 34);
  EXPECT_EQ(host.answer().frame_interval_100ns, 333333u);
  host.set(kProbe, request(1, 1, 0), 34);  // 0: the default interval
  host.get(kGetCur, kProbe, 34);
  EXPECT_EQ(host.answer().frame_interval_100ns, 333333u);
}

// A continuous range is clamped and rounded to min + k * step.
TEST(ProbeCommitResponder, ContinuousIntervalClampedToGrid) {
  Host host(test::camera_config());
  const std::pair<std::uint32_t, std::uint32_t> cases[] = {
      {100, 333333}, {5'000'000, 1333332}, {500000, 666666}, {499999, 333333}, {999999, 999999}};
  for (const auto& [wanted, got] : cases) {
    host.set(kProbe, request(2, 1, wanted), 34);
    host.get(kGetCur, kProbe, 34);
    EXPECT_EQ(host.answer().frame_interval_100ns, got) << wanted;
  }
}

// Format and frame indexes out of range are fixed (format 1; the format's default frame).
TEST(ProbeCommitResponder, IndexesOutOfRangeFixed) {
  Host host(test::camera_config());
  host.set(kProbe, request(9, 1, 333333), 34);
  host.get(kGetCur, kProbe, 34);
  EXPECT_EQ(host.answer().format_index, 1);
  host.set(kProbe, request(1, 7, 333333), 34);
  host.get(kGetCur, kProbe, 34);
  EXPECT_EQ(host.answer().frame_index, 1);
  host.set(kProbe, request(2, 0, 333333), 34);
  host.get(kGetCur, kProbe, 34);
  EXPECT_EQ(host.answer().format_index, 2);
  EXPECT_EQ(host.answer().frame_index, 1);
  EXPECT_EQ(host.answer().max_video_frame_size, 400000u);  // MJPEG maximum
}

// Isochronous: dwMaxPayloadTransferSize is the smallest alternate setting that moves a frame
// per interval, else the largest.
TEST(ProbeCommitResponder, IsoPayloadSizeFromAltSettings) {
  Host host(test::camera_config());
  // 320x240 YUY2 at 5 fps: 153600 B over 1600 microframes -> 96 + 12 header -> 128.
  host.set(kProbe, request(1, 2, 2000000), 34);
  host.get(kGetCur, kProbe, 34);
  EXPECT_EQ(host.answer().max_payload_transfer_size, 128u);
  // 640x480 at 30 fps: 614400 B over 266 microframes -> 2310 + 12 -> 3 x 1024.
  host.set(kProbe, request(1, 1, 333333), 34);
  host.get(kGetCur, kProbe, 34);
  EXPECT_EQ(host.answer().max_payload_transfer_size, 3072u);
  // 320x240 at 15 fps: 153600 / 533 -> 289 + 12 -> 512.
  host.set(kProbe, request(1, 2, 666666), 34);
  host.get(kGetCur, kProbe, 34);
  EXPECT_EQ(host.answer().max_payload_transfer_size, 512u);
  // With too little bandwidth on offer, the largest alternate setting.
  UvcDeviceConfig c = test::camera_config();
  c.transport = IsochronousTransport{{{128, 1, 1}, {256, 1, 1}}};
  Host small(c);
  small.set(kProbe, request(1, 1, 333333), 34);
  small.get(kGetCur, kProbe, 34);
  EXPECT_EQ(small.answer().max_payload_transfer_size, 256u);  // not enough: the largest
}

// Bulk: the configured dwMaxPayloadTransferSize, or a whole frame plus header when unset.
TEST(ProbeCommitResponder, BulkPayloadSize) {
  Host host(test::bulk_config());
  host.get(kGetCur, kProbe, 34);
  EXPECT_EQ(host.answer().max_payload_transfer_size, 16384u);
  UvcDeviceConfig c = test::bulk_config();
  std::get<BulkTransport>(c.transport).max_payload_transfer_size = 0;
  c.payload.header = {false, false};
  Host whole(c);
  whole.get(kGetCur, kProbe, 34);
  EXPECT_EQ(whole.answer().max_payload_transfer_size, 640u * 480 * 2 + 2);
}

// An adjusting device answers another interval than the nearest one.
TEST(ProbeCommitResponder, AdjustingDeviceChangesInterval) {
  UvcDeviceConfig c = test::camera_config();
  c.negotiation.interval_policy = IntervalPolicy::kAlwaysDifferent;
  Host host(c);
  host.set(kProbe, request(1, 1, 333333), 34);
  host.get(kGetCur, kProbe, 34);
  EXPECT_EQ(host.answer().frame_interval_100ns, 666666u);
  host.set(kProbe, request(1, 1, 2000000), 34);  // the slowest: next faster
  host.get(kGetCur, kProbe, 34);
  EXPECT_EQ(host.answer().frame_interval_100ns, 666666u);
  host.set(kProbe, request(2, 1, 1333332), 34);  // continuous, at max: one step down
  host.get(kGetCur, kProbe, 34);
  EXPECT_EQ(host.answer().frame_interval_100ns, 999999u);

  c.negotiation.interval_policy = IntervalPolicy::kSlowest;
  Host slow(c);
  slow.set(kProbe, request(1, 1, 333333), 34);
  slow.get(kGetCur, kProbe, 34);
  EXPECT_EQ(slow.answer().frame_interval_100ns, 2000000u);
}

// An adjusting device commits to what it proposed: COMMIT with the probed interval keeps it.
TEST(ProbeCommitResponder, AdjustingDeviceCommitsItsProposal) {
  UvcDeviceConfig c = test::camera_config();
  c.negotiation.interval_policy = IntervalPolicy::kAlwaysDifferent;
  Host host(c);
  host.set(kProbe, request(1, 1, 333333), 34);
  host.get(kGetCur, kProbe, 34);
  const ProbeCommit proposal = host.answer();
  ASSERT_EQ(proposal.frame_interval_100ns, 666666u);
  host.set(kCommit, proposal, 34);
  ASSERT_TRUE(host.device().committed().has_value());
  EXPECT_EQ(*host.device().committed(), proposal);
}

// GET_MIN/GET_MAX give the current frame's interval bounds; GET_RES the continuous step;
// GET_INFO says GET and SET are supported.
TEST(ProbeCommitResponder, MinMaxResInfo) {
  Host host(test::camera_config());
  host.set(kProbe, request(2, 1, 333333), 34);
  ASSERT_FALSE(host.get(kGetMin, kProbe, 34).stalled());
  EXPECT_EQ(host.answer().frame_interval_100ns, 333333u);
  EXPECT_EQ(host.answer().format_index, 2);
  ASSERT_FALSE(host.get(kGetMax, kProbe, 34).stalled());
  EXPECT_EQ(host.answer().frame_interval_100ns, 1333332u);
  ASSERT_FALSE(host.get(kGetRes, kProbe, 34).stalled());
  EXPECT_EQ(host.answer().frame_interval_100ns, 333333u);
  ASSERT_EQ(host.get(kGetInfo, kProbe, 1), ControlOutcome::ack(1));
  EXPECT_EQ(host.reply()[0], 0x03);
}

// COMMIT takes the negotiated values; it has no MIN/MAX/DEF/RES (UVC 4.3.1.1).
TEST(ProbeCommitResponder, CommitStoresNegotiatedValues) {
  Host host(test::camera_config());
  EXPECT_FALSE(host.device().committed().has_value());
  ASSERT_EQ(host.set(kCommit, request(1, 2, 700000), 34), ControlOutcome::ack(34));
  ASSERT_TRUE(host.device().committed().has_value());
  EXPECT_EQ(host.device().committed()->frame_index, 2);
  EXPECT_EQ(host.device().committed()->frame_interval_100ns, 666666u);
  host.get(kGetCur, kCommit, 34);
  EXPECT_EQ(host.answer(), *host.device().committed());
  for (const std::uint8_t r : {kGetMin, kGetMax, kGetDef, kGetRes})
    EXPECT_TRUE(host.get(r, kCommit, 34).stalled());
  EXPECT_EQ(host.get(kGetLen, kCommit, 2), ControlOutcome::ack(2));
}

// A refusing device stalls SET_CUR(PROBE) or SET_CUR(COMMIT) as configured.
TEST(ProbeCommitResponder, RefusalsStall) {
  UvcDeviceConfig c = test::camera_config();
  c.negotiation.stall_probe = true;
  Host probe_refused(c);
  EXPECT_TRUE(probe_refused.set(kProbe, request(1, 1, 333333), 34).stalled());
  c.negotiation = {};
  c.negotiation.stall_commit = true;
  Host commit_refused(c);
  EXPECT_FALSE(commit_refused.set(kProbe, request(1, 1, 333333), 34).stalled());
  EXPECT_TRUE(commit_refused.set(kCommit, request(1, 1, 333333), 34).stalled());
  EXPECT_FALSE(commit_refused.device().committed().has_value());
}

// A short-answering device returns fewer bytes than the block on GET requests.
TEST(ProbeCommitResponder, ShortReply) {
  UvcDeviceConfig c = test::camera_config(UvcVersion::k1_5);
  c.negotiation.short_reply_bytes = 26;
  Host host(c);
  EXPECT_EQ(host.get(kGetCur, kProbe, 48), ControlOutcome::ack(26));
  EXPECT_EQ(host.get(kGetMax, kProbe, 48), ControlOutcome::ack(26));
}

// Unknown selectors, requests and mismatched directions stall.
TEST(ProbeCommitResponder, UnknownRequestsStall) {
  Host host(test::camera_config());
  EXPECT_TRUE(host.get(kGetCur, kVsStillProbeControl << 8, 11).stalled());
  EXPECT_TRUE(host.get(0x99, kProbe, 34).stalled());
  EXPECT_TRUE(host.get(kGetCur, kProbe | 1, 34).stalled());  // low byte of wValue must be 0
  std::array<std::uint8_t, 34> block{};
  EXPECT_TRUE(host.device()
                  .handle({kRequestTypeClassInterfaceIn, kSetCur, kProbe, 1, 34}, block, block)
                  .stalled());
  EXPECT_TRUE(host.device()
                  .handle({kRequestTypeClassInterfaceOut, kGetCur, kProbe, 1, 34}, block, {})
                  .stalled());
}

// reset() forgets the probe and the commit.
TEST(ProbeCommitResponder, ResetRestoresPowerOnState) {
  Host host(test::camera_config());
  host.set(kCommit, request(1, 2, 2000000), 34);
  host.device().reset();
  EXPECT_FALSE(host.device().committed().has_value());
  EXPECT_EQ(host.device().probe(), host.device().defaults());
}

}  // namespace
}  // namespace hilcap::device::uvc
