#include "uvc_personality.h"

#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "test_configs.h"

namespace hilcap::device::uvc {
namespace {

using Bytes = std::vector<std::uint8_t>;

class BlankFrames : public StreamFrameSource {
 public:
  std::optional<FrameView> next_frame(std::uint64_t, const StreamFormat& format) override {
    data_.assign(format.max_frame_bytes, 0x5A);
    last_format_ = format;
    return FrameView{data_, 0};
  }
  StreamFormat last_format_;

 private:
  Bytes data_;
};

UvcPersonality make(const UvcDeviceConfig& config, StreamFrameSource& source) {
  auto created = UvcPersonality::create(config, source);
  EXPECT_TRUE(created.ok());
  return std::move(created.value());
}

ControlOutcome commit(UvcPersonality& device, std::uint8_t format, std::uint8_t frame,
                      std::uint32_t interval) {
  ProbeCommit pc;
  pc.format_index = format;
  pc.frame_index = frame;
  pc.frame_interval_100ns = interval;
  std::array<std::uint8_t, 34> block{};
  encode_probe_commit(pc, block);
  return device.control(
      {kRequestTypeClassInterfaceOut, kSetCur, kVsCommitControl << 8, kStreamingInterface, 34},
      block, {});
}

// An invalid configuration creates no personality and reports its errors.
TEST(UvcPersonality, RefusesInvalidConfig) {
  BlankFrames frames;
  UvcDeviceConfig c = test::camera_config();
  c.formats.clear();
  const auto created = UvcPersonality::create(c, frames);
  ASSERT_FALSE(created.ok());
  ASSERT_EQ(created.errors().size(), 1u);
  EXPECT_EQ(created.errors()[0].json_pointer, "/formats");
}

// Standard requests are answered from the descriptors; unknown ones and VC class requests stall.
TEST(UvcPersonality, ControlRouting) {
  BlankFrames frames;
  UvcPersonality device = make(test::camera_config(), frames);
  Bytes in(512);
  const ControlOutcome dev = device.control({0x80, kRequestGetDescriptor, 0x0100, 0, 64}, {}, in);
  EXPECT_EQ(dev, ControlOutcome::ack(18));
  EXPECT_EQ(Bytes(in.begin(), in.begin() + 18), device.descriptors().device);
  EXPECT_EQ(device.control({0x80, kRequestGetDescriptor, 0x0200, 0, 9}, {}, in),
            ControlOutcome::ack(9));  // configuration header only, as hosts first ask
  EXPECT_EQ(device.control({0x80, kRequestGetDescriptor, 0x0302, 0x0409, 255}, {}, in).length,
            device.descriptors().strings[2].size());
  EXPECT_TRUE(device.control({0x80, kRequestGetDescriptor, 0x0307, 0x0409, 255}, {}, in).stalled());
  EXPECT_TRUE(device.control({0x80, kRequestGetDescriptor, 0x0F00, 0, 5}, {}, in)
                  .stalled());  // BOS below SS
  EXPECT_TRUE(device.control({0xA1, kGetCur, 0x0200, 0x0100, 1}, {}, in).stalled());  // VC
  EXPECT_TRUE(device.control({0x40, 0x01, 0, 0, 0}, {}, {}).stalled());  // vendor request
}

// Isochronous: a non-zero alternate setting starts the stream, limited to that setting's
// bandwidth; alt 0 stops it; a missing alt is refused.
TEST(UvcPersonality, IsoStreamFollowsAltSetting) {
  BlankFrames frames;
  UvcPersonality device = make(test::camera_config(), frames);
  ASSERT_FALSE(commit(device, 1, 2, 2000000).stalled());
  EXPECT_EQ(device.stream(), nullptr);
  ASSERT_TRUE(device.set_interface(kStreamingInterface, 2));  // 512 B per microframe
  ASSERT_NE(device.stream(), nullptr);
  EXPECT_EQ(device.stream()->format().width, 320);
  std::vector<IsoPacket> p(1, IsoPacket{1024, 0, PacketStatus::kOk});
  Bytes buffer(1024);
  device.stream()->fill_iso(p, buffer);
  EXPECT_EQ(p[0].actual_length, 128u);  // dwMaxPayloadTransferSize negotiated at 5 fps
  EXPECT_TRUE(device.set_interface(kStreamingInterface, 0));
  EXPECT_EQ(device.stream(), nullptr);
  EXPECT_FALSE(device.set_interface(kStreamingInterface, 6));
  EXPECT_FALSE(device.set_interface(2, 0));
  EXPECT_TRUE(device.set_interface(kControlInterface, 0));
}

// Bulk: COMMIT starts the stream with the committed format; alt 0 stops it.
TEST(UvcPersonality, BulkStreamStartsOnCommit) {
  BlankFrames frames;
  UvcPersonality device = make(test::bulk_config(), frames);
  EXPECT_EQ(device.stream(), nullptr);
  ASSERT_FALSE(commit(device, 2, 1, 333333).stalled());
  ASSERT_NE(device.stream(), nullptr);
  Bytes buffer(65536);
  const TransferResult r = device.stream()->fill_bulk(buffer);
  EXPECT_EQ(r.bytes, 16384u);
  EXPECT_EQ(frames.last_format_.format, VideoFormat::kMjpeg);
  EXPECT_TRUE(device.set_interface(kStreamingInterface, 0));
  EXPECT_EQ(device.stream(), nullptr);
}

// CLEAR_FEATURE(ENDPOINT_HALT) on the streaming endpoint resumes a stalled stream; GET_STATUS
// reports the halt.
TEST(UvcPersonality, ClearHaltOverControl) {
  BlankFrames frames;
  UvcPersonality device = make(test::bulk_config(), frames);
  ASSERT_TRUE(device.set_stream_faults({{StreamFault::kStall, 0, 0}}).empty());
  commit(device, 1, 1, 333333);
  Bytes buffer(65536);
  EXPECT_EQ(device.stream()->fill_bulk(buffer).end, TransferEnd::kStalled);
  Bytes status(2);
  ASSERT_EQ(device.control({0x82, kRequestGetStatus, 0, kStreamingEndpoint, 2}, {}, status),
            ControlOutcome::ack(2));
  EXPECT_EQ(status[0], 1);
  EXPECT_EQ(device.control({0x02, kRequestClearFeature, 0, kStreamingEndpoint, 0}, {}, {}),
            ControlOutcome::ack(0));
  EXPECT_EQ(device.stream()->fill_bulk(buffer).end, TransferEnd::kCompleted);
}

// An isochronous endpoint cannot halt: a stall fault is refused, naming the fault.
TEST(UvcPersonality, IsoRefusesStallFault) {
  BlankFrames frames;
  UvcPersonality device = make(test::camera_config(), frames);
  const auto errors =
      device.set_stream_faults({{StreamFault::kErrorBit, 0, 0}, {StreamFault::kStall, 2, 0}});
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].json_pointer, "/1");
  EXPECT_EQ(errors[0].found, "stall");
}

// Bus reset stops the stream and forgets the negotiation.
TEST(UvcPersonality, ResetStopsStream) {
  BlankFrames frames;
  UvcPersonality device = make(test::bulk_config(), frames);
  commit(device, 2, 1, 333333);
  device.reset();
  EXPECT_EQ(device.stream(), nullptr);
  EXPECT_FALSE(device.negotiation().committed().has_value());
}

}  // namespace
}  // namespace hilcap::device::uvc
