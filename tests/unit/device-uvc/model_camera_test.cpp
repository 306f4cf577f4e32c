// A UVC camera built from the device model: configuration, personality,
// frame source and MJPEG encoder together.
#include "model_camera.h"

#include <gtest/gtest.h>
#include <hilcap/device/frame_header.h>

namespace hilcap::device::uvc {
namespace {

DeviceConfig camera_config(std::uint32_t width = 160, std::uint32_t height = 120) {
  DeviceConfig c;
  c.format = {PixelFormat::kYuy2, width, height};
  c.timing.cadence = FrameRate{30, 1};
  return c;
}

SetupPacket commit_setup(std::size_t size) {
  return {kRequestTypeClassInterfaceOut, kSetCur, kVsCommitControl << 8, kStreamingInterface,
          static_cast<std::uint16_t>(size)};
}

// Guards the camera a scenario builds: its descriptors present the device's
// format (MJPEG here), COMMIT starts a bulk stream whose frames are JPEGs
// carrying the in-band header, counted by the frame source.
TEST(ModelCamera, ServesMjpegFramesOverBulk) {
  UvcPresentation p;
  p.bulk = true;
  p.mjpeg = true;
  p.interrupt_endpoint = true;
  auto made = ModelCamera::create(camera_config(), p, ModelFrameBehaviour{});
  ASSERT_TRUE(made.ok()) << made.errors()[0].message();
  ModelCamera& camera = *made.value();
  EXPECT_TRUE(camera.personality().config().interrupt_endpoint);
  EXPECT_EQ(camera.personality().config().formats[0].format, VideoFormat::kMjpeg);
  const std::size_t block = camera.personality().negotiation().block_size();
  std::vector<std::uint8_t> commit(block);
  encode_probe_commit(camera.personality().negotiation().defaults(), commit);
  std::vector<std::uint8_t> none;
  ASSERT_FALSE(camera.personality().control(commit_setup(block), commit, none).stalled());
  UvcStream* stream = camera.personality().stream();
  ASSERT_NE(stream, nullptr);
  std::vector<std::uint8_t> buffer(64 * 1024);
  const TransferResult r = stream->fill_bulk(buffer);
  ASSERT_EQ(r.end, TransferEnd::kCompleted);
  const std::size_t header = buffer[0];
  const FrameVerdict verdict =
      verify_mjpeg_frame(std::as_bytes(std::span(buffer).subspan(header, r.bytes - header)));
  EXPECT_EQ(verdict.check, FrameCheck::kOk);
  EXPECT_EQ(verdict.header.sequence, 0u);
  EXPECT_EQ(camera.frames().stats().frames_sent, 1u);
  EXPECT_NE(camera.mjpeg(), nullptr);
}

// Guards the refusals: a presentation whose stream faults cannot happen on
// its transport (an isochronous endpoint cannot halt) is refused, naming it.
TEST(ModelCamera, RefusesImpossibleStreamFaults) {
  UvcPresentation p;
  p.stream_faults = {{StreamFault::kStall, 3, 0}};
  auto made = ModelCamera::create(camera_config(), p, ModelFrameBehaviour{});
  ASSERT_FALSE(made.ok());
  EXPECT_EQ(made.errors()[0].json_pointer, "/device/uvc/faults/0");
  DeviceConfig bad = camera_config();
  bad.format.width = 0;
  EXPECT_FALSE(ModelCamera::create(bad, UvcPresentation{}, ModelFrameBehaviour{}).ok());
}

// Guards replugging: the camera is back at its power-on state (no stream, no
// commit) and its next stream starts from frame 0.
TEST(ModelCamera, ReplugStartsOver) {
  UvcPresentation p;
  p.bulk = true;
  auto made = ModelCamera::create(camera_config(), p, ModelFrameBehaviour{});
  ASSERT_TRUE(made.ok());
  ModelCamera& camera = *made.value();
  const std::size_t block = camera.personality().negotiation().block_size();
  std::vector<std::uint8_t> commit(block), none;
  encode_probe_commit(camera.personality().negotiation().defaults(), commit);
  camera.personality().control(commit_setup(block), commit, none);
  std::vector<std::uint8_t> buffer(64 * 1024);
  camera.personality().stream()->fill_bulk(buffer);
  camera.replug();
  EXPECT_EQ(camera.personality().stream(), nullptr);
  EXPECT_FALSE(camera.personality().negotiation().committed());
  camera.personality().control(commit_setup(block), commit, none);
  camera.personality().stream()->fill_bulk(buffer);
  EXPECT_EQ(verify_frame(std::as_bytes(std::span(buffer).subspan(12, 38400))).header.sequence, 0u);
}

}  // namespace
}  // namespace hilcap::device::uvc
