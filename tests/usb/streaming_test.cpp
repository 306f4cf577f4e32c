// Streaming from the fake UVC device through real libusb: bulk and
// isochronous, several transfers in flight, frames reassembled by FID/EOF and
// checked against the counter pattern, and the stream faults as libusb sees them.
#include "transfer_pump.h"
#include "usb_fixture.h"

namespace hilcap::testing {
namespace {

using namespace device::uvc;

class Streaming : public UsbTest {
 protected:
  // Opens, claims, negotiates 64x48 YUY2 at 30 fps and, for isochronous, selects the smallest
  // alternate setting that carries dwMaxPayloadTransferSize. Returns the committed block.
  ProbeCommit start_stream(bool isochronous) {
    libusb_device_handle* h = open();
    EXPECT_NE(h, nullptr);
    EXPECT_EQ(libusb_claim_interface(h, kVsInterface), 0);
    const ProbeCommit pc = negotiate(h, 1, 1, 333333, kProbeCommitSize11);
    if (isochronous) {
      alt_ = 0;
      packet_size_ = 0;
      libusb_config_descriptor* config = nullptr;
      EXPECT_EQ(libusb_get_active_config_descriptor(libusb_get_device(h), &config), 0);
      const libusb_interface& vs = config->interface[kVsInterface];
      for (int a = 1; a < vs.num_altsetting && alt_ == 0; ++a) {
        const std::uint16_t mps = vs.altsetting[a].endpoint[0].wMaxPacketSize;
        const int bytes = (mps & 0x7ff) * (1 + ((mps >> 11) & 3));
        if (static_cast<std::uint32_t>(bytes) >= pc.max_payload_transfer_size) {
          alt_ = a;
          packet_size_ = bytes;
        }
      }
      libusb_free_config_descriptor(config);
      EXPECT_EQ(libusb_set_interface_alt_setting(h, kVsInterface, alt_), 0);
    }
    return pc;
  }
  // Every frame arrived whole, in order, with EOF, no error, the counter pattern intact.
  static void expect_counter_frames(const FrameCollector& collector, std::size_t count,
                                    std::size_t size) {
    ASSERT_GE(collector.frames().size(), count);
    EXPECT_EQ(collector.malformed(), 0u);
    for (std::size_t k = 0; k < count; ++k) {
      const ReceivedFrame& f = collector.frames()[k];
      EXPECT_TRUE(f.eof) << k;
      EXPECT_FALSE(f.error) << k;
      EXPECT_EQ(f.data, CounterPatternFrames::expected(k, size)) << "frame " << k;
    }
  }

  int alt_ = 0;
  int packet_size_ = 0;
};

// Bulk, 4 transfers in flight, payloads of 2048 bytes spanning 1024-byte transfers: 6 frames
// arrive whole and in order.
TEST_F(Streaming, BulkSeveralTransfersInFlight) {
  CounterPatternFrames& frames = counter_frames();
  FakeUvcDevice& device = add_uvc_device(small_bulk_camera(2048), frames);
  const ProbeCommit pc = start_stream(false);
  ASSERT_EQ(pc.max_payload_transfer_size, 2048u);
  TransferPump pump(handle_, false, 0, 0, 1024, pc.max_payload_transfer_size);
  pump.stop_after(6);
  ASSERT_TRUE(pump.start(4));
  ASSERT_TRUE(pump_until([&] { return pump.in_flight() == 0; }));
  expect_counter_frames(pump.collector(), 6, 64 * 48 * 2);
  EXPECT_TRUE(pump.endings().empty());
  const FakeUsbDevice::Stats stats = device.usb().stats();
  EXPECT_GE(stats.submitted, 4u);
  EXPECT_EQ(stats.unknown_ioctls, 0u);  // libusb needed nothing the fake does not answer
}

// Bulk with transfers as large as the payload: one payload per transfer, MJPEG frames of
// varying content.
TEST_F(Streaming, BulkOnePayloadPerTransfer) {
  CounterPatternFrames& frames = counter_frames();
  add_uvc_device(small_bulk_camera(4096), frames);
  libusb_device_handle* h = open();
  ASSERT_NE(h, nullptr);
  ASSERT_EQ(libusb_claim_interface(h, kVsInterface), 0);
  const ProbeCommit pc = negotiate(h, 2, 1, 333333, kProbeCommitSize11);
  TransferPump pump(h, false, 0, 0, 4096, pc.max_payload_transfer_size);
  pump.stop_after(3);
  ASSERT_TRUE(pump.start(2));
  ASSERT_TRUE(pump_until([&] { return pump.in_flight() == 0; }));
  expect_counter_frames(pump.collector(), 3, 512);  // MJPEG: half of 1024
}

// Isochronous: the host picks the alternate setting for dwMaxPayloadTransferSize; packets carry
// one payload each with per-packet lengths; frames arrive whole.
TEST_F(Streaming, IsochronousPerPacketLengths) {
  CounterPatternFrames& frames = counter_frames();
  add_uvc_device(small_camera(), frames);
  const ProbeCommit pc = start_stream(true);
  ASSERT_EQ(pc.max_payload_transfer_size, 128u);  // 6144 B over 266 microframes + header
  ASSERT_EQ(alt_, 1);
  TransferPump pump(handle_, true, 16, packet_size_, 0, 0);
  pump.stop_after(3);
  ASSERT_TRUE(pump.start(3));
  ASSERT_TRUE(pump_until([&] { return pump.in_flight() == 0; }));
  expect_counter_frames(pump.collector(), 3, 64 * 48 * 2);
  // 6144 B per frame in payloads of 116 data bytes: 52 full packets, then 112 + 12 = 124.
  const std::vector<int>& lengths = pump.packet_lengths();
  ASSERT_GE(lengths.size(), 53u);
  for (std::size_t i = 0; i < 52; ++i)
    EXPECT_EQ(lengths[i], 128) << i;
  EXPECT_EQ(lengths[52], 124);
  EXPECT_EQ(pump.packet_errors(), 0);
}

// Faults as the host sees them: an error bit marks the frame; a missing EOF leaves the frame
// to be ended by the next FID toggle; a packet error shows in the packet status.
TEST_F(Streaming, PayloadFaultsReachTheHost) {
  CounterPatternFrames& frames = counter_frames();
  FakeUvcDevice& device = add_uvc_device(small_camera(), frames);
  const auto refused = device.with_personality([](UvcPersonality& p) {
    return p.set_stream_faults({{StreamFault::kErrorBit, 0, 5},
                                {StreamFault::kMissingEof, 1, 0},
                                {StreamFault::kPacketError, 2, 3}});
  });
  ASSERT_TRUE(refused.empty());
  start_stream(true);
  TransferPump pump(handle_, true, 16, packet_size_, 0, 0);
  pump.stop_after(3);
  ASSERT_TRUE(pump.start(2));
  ASSERT_TRUE(pump_until([&] { return pump.in_flight() == 0; }));
  const auto& got = pump.collector().frames();
  ASSERT_GE(got.size(), 3u);
  EXPECT_TRUE(got[0].error);
  EXPECT_FALSE(got[1].eof);  // ended by frame 2's FID
  EXPECT_EQ(got[1].data, CounterPatternFrames::expected(1, 64 * 48 * 2));
  EXPECT_EQ(pump.packet_errors(), 1);
  EXPECT_EQ(got[2].data.size(), 64u * 48 * 2 - 116);  // the lost packet's data is missing
}

// The framing faults arrive as bytes the host must cope with: an early FID toggle splits a
// frame, a short payload loses data, a bad bHeaderLength makes a payload malformed.
TEST_F(Streaming, FramingFaultsReachTheHost) {
  CounterPatternFrames& frames = counter_frames();
  FakeUvcDevice& device = add_uvc_device(small_bulk_camera(2048), frames);
  ASSERT_TRUE(device
                  .with_personality([](UvcPersonality& p) {
                    return p.set_stream_faults({{StreamFault::kFidToggleEarly, 1, 2},
                                                {StreamFault::kShortPayload, 2, 0},
                                                {StreamFault::kCorruptHeaderLength, 3, 1}});
                  })
                  .empty());
  const ProbeCommit pc = start_stream(false);
  TransferPump pump(handle_, false, 0, 0, 2048, pc.max_payload_transfer_size);
  pump.stop_after(6);
  ASSERT_TRUE(pump.start(2));
  ASSERT_TRUE(pump_until([&] { return pump.in_flight() == 0; }));
  const auto& got = pump.collector().frames();
  ASSERT_GE(got.size(), 6u);
  const std::size_t size = 64 * 48 * 2;
  const std::vector<std::uint8_t> frame1 = CounterPatternFrames::expected(1, size);
  // Frame 1 split after its second payload (2 x 2036 bytes), without EOF on the first part.
  EXPECT_FALSE(got[1].eof);
  EXPECT_EQ(got[1].data, std::vector<std::uint8_t>(frame1.begin(), frame1.begin() + 2 * 2036));
  EXPECT_EQ(got[2].data, std::vector<std::uint8_t>(frame1.begin() + 2 * 2036, frame1.end()));
  EXPECT_EQ(got[3].data.size(), size - 2036 / 2);  // frame 2 lost half a payload
  EXPECT_EQ(pump.collector().malformed(), 1u);     // frame 3's second payload
  EXPECT_EQ(got[4].data.size(), size - 2036);
}

// A bulk endpoint stall: the transfer ends with STALL; after libusb_clear_halt the stream
// resumes with the next frame.
TEST_F(Streaming, BulkStallAndClearHalt) {
  CounterPatternFrames& frames = counter_frames();
  FakeUvcDevice& device = add_uvc_device(small_bulk_camera(8192), frames);
  ASSERT_TRUE(device
                  .with_personality([](UvcPersonality& p) {
                    return p.set_stream_faults({{StreamFault::kStall, 1, 0}});
                  })
                  .empty());
  const ProbeCommit pc = start_stream(false);
  TransferPump pump(handle_, false, 0, 0, 8192, pc.max_payload_transfer_size);
  pump.stop_after(1);
  ASSERT_TRUE(pump.start(1));
  ASSERT_TRUE(pump_until([&] { return pump.in_flight() == 0; }));
  ASSERT_EQ(pump.collector().frames().size(), 1u);

  std::vector<std::uint8_t> buffer(8192);
  int actual = 0;
  EXPECT_EQ(libusb_bulk_transfer(handle_, kVideoEndpoint, buffer.data(), 8192, &actual, kTimeoutMs),
            LIBUSB_ERROR_PIPE);
  EXPECT_EQ(libusb_bulk_transfer(handle_, kVideoEndpoint, buffer.data(), 8192, &actual, kTimeoutMs),
            LIBUSB_ERROR_PIPE);  // halted until cleared
  ASSERT_EQ(libusb_clear_halt(handle_, kVideoEndpoint), 0);
  ASSERT_EQ(libusb_bulk_transfer(handle_, kVideoEndpoint, buffer.data(), 8192, &actual, kTimeoutMs),
            0);
  FrameCollector after;
  after.add_bulk_transfer({buffer.data(), static_cast<std::size_t>(actual)}, 8192,
                          pc.max_payload_transfer_size);
  ASSERT_EQ(after.frames().size(), 1u);
  EXPECT_EQ(after.frames()[0].data, CounterPatternFrames::expected(2, 64 * 48 * 2));
}

}  // namespace
}  // namespace hilcap::testing
