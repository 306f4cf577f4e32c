// The device model as a UVC camera: the personality configuration derived
// from a DeviceConfig, and the model's frames, timing and faults as a stream's
// frame source.
#include "model_frame_source.h"

#include <gtest/gtest.h>
#include <hilcap/device/frame_header.h>

#include <chrono>
#include <thread>

namespace hilcap::device::uvc {
namespace {

DeviceConfig model(std::uint32_t width = 160, std::uint32_t height = 120) {
  DeviceConfig c;
  c.format = {PixelFormat::kYuy2, width, height};
  c.timing.cadence = FrameRate{30, 1};
  return c;
}

StreamFormat stream_format(const DeviceConfig& c) {
  return {1,
          1,
          VideoFormat::kYuy2,
          static_cast<std::uint16_t>(c.format.width),
          static_cast<std::uint16_t>(c.format.height),
          333333,
          static_cast<std::uint32_t>(c.format.frame_bytes())};
}

FrameVerdict verify(const FrameView& view) {
  return verify_frame(std::as_bytes(view.data));
}

// Guards the derivation: the device's format, size and rate become one format with one frame
// at one interval; bulk gets the speed's packet size, isochronous the standard alternate
// settings up to the first that carries a frame per interval.
TEST(UvcConfigFor, DerivesFormatAndTransport) {
  UvcPresentation bulk;
  bulk.bulk = true;
  bulk.bulk_max_payload = 8192;
  auto b = uvc_config_for(model(), bulk);
  ASSERT_TRUE(b.ok()) << b.errors()[0].message();
  ASSERT_EQ(b.value().formats.size(), 1u);
  EXPECT_EQ(b.value().formats[0].format, VideoFormat::kYuy2);
  EXPECT_EQ(b.value().formats[0].frames[0].width, 160);
  EXPECT_EQ(std::get<DiscreteIntervals>(b.value().formats[0].frames[0].intervals).intervals_100ns,
            std::vector<std::uint32_t>{333333});
  EXPECT_EQ(std::get<BulkTransport>(b.value().transport).max_packet_size, 512);
  EXPECT_EQ(std::get<BulkTransport>(b.value().transport).max_payload_transfer_size, 8192u);

  UvcPresentation iso;
  iso.version = UvcVersion::k1_5;
  auto i = uvc_config_for(model(640, 480), iso);
  ASSERT_TRUE(i.ok()) << i.errors()[0].message();
  EXPECT_EQ(i.value().uvc_version, UvcVersion::k1_5);
  const auto& alts = std::get<IsochronousTransport>(i.value().transport).alt_settings;
  // 614400 bytes in 266 microframes: 2310 + header bytes per microframe, so up to 3 x 1024.
  ASSERT_EQ(alts.size(), 5u);
  EXPECT_EQ(bytes_per_interval(alts.back()), 3072u);
}

// Guards the refusals: a stream isochronous transfers cannot carry names the field and says
// what would; a replayed recording streams at its mean interval.
TEST(UvcConfigFor, RefusalsAndReplay) {
  DeviceConfig big = model(1920, 1080);
  big.timing.cadence = FrameRate{60, 1};
  auto refused = uvc_config_for(big, UvcPresentation{});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.errors()[0].json_pointer, "/device/format");
  EXPECT_NE(refused.errors()[0].expected.find("use bulk"), std::string::npos);

  DeviceConfig replay = model();
  replay.timing.cadence =
      TimingRecording{{{0, 0, false}, {40'000'000, 0, false}, {80'000'000, 0, false}}};
  auto r = uvc_config_for(replay, UvcPresentation{});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value().formats[0].frames[0].default_interval_100ns, 400000u);
}

// Guards the frames: each verifies against its in-band header, carries its sequence number,
// and is captured when the timing engine says it is due.
TEST(ModelFrameSource, FramesVerifyAndFollowTheTiming) {
  const DeviceConfig c = model();
  ModelFrameSource source(c, Pacing::kOnDemand);
  for (std::uint64_t k = 0; k < 4; ++k) {
    const auto view = source.next_frame(k, stream_format(c));
    ASSERT_TRUE(view);
    EXPECT_EQ(view->fault, FrameFault::kNone);
    EXPECT_EQ(view->data.size(), c.format.frame_bytes());
    const FrameVerdict verdict = verify(*view);
    EXPECT_EQ(verdict.check, FrameCheck::kOk);
    EXPECT_EQ(verdict.header.sequence, k);
    EXPECT_EQ(view->capture_time, static_cast<TimeNs>(k * 1'000'000'000 / 30));
  }
  EXPECT_EQ(source.stats().frames_sent, 4u);
}

// Guards drops and faults in UVC terms: a dropped frame is never sent (the next one's header
// shows the gap), an error frame goes out empty with the error fault, a short one is cut, a
// corrupt one fails its checksum, and a disconnect ends the stream for good.
TEST(ModelFrameSource, DropsAndFaults) {
  DeviceConfig c = model();
  c.timing.drop_frames = {1};
  c.faults = {{{FaultKind::kError}, AtFrame{2}},
              {{FaultKind::kShort, 500}, AtFrame{3}},
              {{FaultKind::kCorrupt}, AtFrame{4}},
              {{FaultKind::kDisconnect}, AtFrame{5}}};
  ModelFrameSource source(c, Pacing::kOnDemand);
  const StreamFormat f = stream_format(c);
  EXPECT_EQ(verify(*source.next_frame(0, f)).header.sequence, 0u);
  const auto error = source.next_frame(1, f);  // frame 1 dropped: this is frame 2
  EXPECT_EQ(error->fault, FrameFault::kError);
  EXPECT_TRUE(error->data.empty());
  const auto cut = source.next_frame(2, f);
  EXPECT_EQ(cut->data.size(), 500u);
  EXPECT_EQ(verify(*cut).header.sequence, 3u);
  EXPECT_EQ(verify(*source.next_frame(3, f)).check, FrameCheck::kChecksumMismatch);
  EXPECT_EQ(source.next_frame(4, f)->fault, FrameFault::kDisconnect);
  EXPECT_EQ(source.next_frame(4, f)->fault, FrameFault::kDisconnect);
  const ModelFrameStats stats = source.stats();
  EXPECT_EQ(stats.dropped, 1u);
  EXPECT_EQ(stats.error_frames, 1u);
  EXPECT_EQ(stats.short_frames, 1u);
  EXPECT_EQ(stats.corrupt_frames, 1u);
  EXPECT_TRUE(stats.disconnected);
}

// Guards a new stream: frame index 0 again starts the device's stream over (sequence 0,
// one-shot faults armed again).
TEST(ModelFrameSource, NewStreamStartsOver) {
  DeviceConfig c = model();
  c.faults = {{{FaultKind::kError}, AtFrame{1}}};
  ModelFrameSource source(c, Pacing::kOnDemand);
  const StreamFormat f = stream_format(c);
  source.next_frame(0, f);
  EXPECT_EQ(source.next_frame(1, f)->fault, FrameFault::kError);
  EXPECT_EQ(verify(*source.next_frame(0, f)).header.sequence, 0u);
  EXPECT_EQ(source.next_frame(1, f)->fault, FrameFault::kError);
}

// Guards real-time pacing: a frame is not sent before it is due (here in an hour).
TEST(ModelFrameSource, RealTimePacingHoldsFramesUntilDue) {
  DeviceConfig c = model();
  c.timing.cadence = FrameRate{1, 3600};
  ModelFrameSource source(c, Pacing::kRealTime);
  const StreamFormat f = stream_format(c);
  EXPECT_TRUE(source.next_frame(0, f));   // due at once
  EXPECT_FALSE(source.next_frame(1, f));  // due in an hour
  EXPECT_FALSE(source.next_frame(1, f));
}

}  // namespace
}  // namespace hilcap::device::uvc

namespace hilcap::device::uvc {
namespace {

// Guards the stream faults' frame numbers: each frame handed over carries the
// device's own number (dropped frames counted), and every hand-over is told
// with its sequence and due time.
TEST(ModelFrameSource, FramesCarryTheDeviceFrameNumber) {
  DeviceConfig c = model();
  c.timing.drop_frames = {1};
  ModelFrameSource source(c, Pacing::kOnDemand);
  std::vector<FrameHandOver> handed;
  source.set_hand_over_observer([&](const FrameHandOver& f) { handed.push_back(f); });
  EXPECT_EQ(source.next_frame(0, stream_format(c))->frame_number, 0u);
  EXPECT_EQ(source.next_frame(1, stream_format(c))->frame_number, 2u);
  ASSERT_EQ(handed.size(), 2u);
  EXPECT_EQ(handed[1].frame, 2u);
  EXPECT_EQ(handed[1].sequence, 2u);
  EXPECT_EQ(handed[1].due_ns, 2 * 1'000'000'000 / 30);
  EXPECT_EQ(source.stats().drops.scheduled, 1u);
}

// Guards the camera form of an error frame: with error_frames_carry_data the
// frame goes out whole (its header verifies) with the error fault, so a host
// sees the damaged frame flagged rather than an empty one.
TEST(ModelFrameSource, ErrorFramesCanCarryTheirData) {
  DeviceConfig c = model();
  c.faults = {{{FaultKind::kError}, AtFrame{0}}};
  ModelFrameSource source(c, ModelFrameBehaviour{Pacing::kOnDemand, true, false});
  const auto view = source.next_frame(0, stream_format(c));
  EXPECT_EQ(view->fault, FrameFault::kError);
  EXPECT_EQ(view->data.size(), c.format.frame_bytes());
  EXPECT_EQ(verify(*view).check, FrameCheck::kOk);
}

// Guards a camera whose host reads too slowly: with drop_late_frames, a frame
// still unsent when the next is due is overwritten by it (reason late), and
// the one sent is the newest due; next_frame_time says when the next may leave.
TEST(ModelFrameSource, LateFramesAreOverwritten) {
  DeviceConfig c = model();
  c.timing.cadence = FrameInterval{1'000'000};  // 1 ms
  ModelFrameSource source(c, ModelFrameBehaviour{Pacing::kRealTime, false, true});
  const StreamFormat f = stream_format(c);
  EXPECT_FALSE(source.next_frame_time());  // no stream yet
  ASSERT_TRUE(source.next_frame(0, f));
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const auto late = source.next_frame(1, f);
  ASSERT_TRUE(late);
  const std::uint64_t sent = verify(*late).header.sequence;
  EXPECT_GE(sent, 15u);  // at least ~20 frames were due; all but the newest overwritten
  const ModelFrameStats stats = source.stats();
  EXPECT_EQ(stats.drops.late, sent - 1);
  EXPECT_EQ(stats.dropped, stats.drops.total());
  const auto next = source.next_frame_time();
  ASSERT_TRUE(next);
  EXPECT_GT(*next, std::chrono::steady_clock::now() - std::chrono::milliseconds(1));
}

// Guards the drop causes: stall, scheduled and random drops counted apart.
TEST(ModelFrameSource, DropCauses) {
  DeviceConfig c = model();
  c.timing.drop_frames = {2};
  c.timing.stalls = {{AtFrame{4}, 50'000'000}};  // frames 4 and 5
  ModelFrameSource source(c, Pacing::kOnDemand);
  for (std::uint64_t i = 0; i < 4; ++i)
    source.next_frame(i, stream_format(c));
  const ModelFrameStats stats = source.stats();
  EXPECT_EQ(stats.drops.scheduled, 1u);
  EXPECT_EQ(stats.drops.stall, 2u);
  EXPECT_EQ(stats.drops.late, 0u);
  EXPECT_EQ(stats.streams, 1u);
}

// Guards MJPEG's configuration: the format and a frame size bound, isochronous
// with every standard setting and frames that fit the largest per interval.
TEST(UvcConfigFor, Mjpeg) {
  UvcPresentation p;
  p.mjpeg = true;
  auto iso = uvc_config_for(model(1280, 720), p);
  ASSERT_TRUE(iso.ok()) << iso.errors()[0].message();
  const FormatConfig& format = iso.value().formats[0];
  EXPECT_EQ(format.format, VideoFormat::kMjpeg);
  EXPECT_EQ(std::get<IsochronousTransport>(iso.value().transport).alt_settings.size(), 5u);
  // 266 microframes per frame at 30 fps, 3072 - 12 bytes each.
  EXPECT_EQ(format.frames[0].max_compressed_bytes, 266u * 3060u);
  p.bulk = true;
  auto bulk = uvc_config_for(model(1280, 720), p);
  ASSERT_TRUE(bulk.ok());
  EXPECT_EQ(bulk.value().formats[0].frames[0].max_compressed_bytes, 1280u * 720u * 2u + 4096u);
  DeviceConfig grey = model();
  grey.format.pixel_format = PixelFormat::kGrey;
  auto refused = uvc_config_for(grey, p);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.errors()[0].json_pointer, "/device/format");
}

}  // namespace
}  // namespace hilcap::device::uvc
