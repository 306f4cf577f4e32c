// The MJPEG camera's encoder and frame source: real JPEG (libjpeg-turbo) with
// the in-band header in its APP4 segment.
#include "mjpeg_encoder.h"

#include <gtest/gtest.h>
#include <hilcap/device/frame_header.h>
#include <turbojpeg.h>

#include "mjpeg_frame_source.h"
#include "model_frame_source.h"

namespace hilcap::device::uvc {
namespace {

DeviceConfig sensor(std::uint32_t width, std::uint32_t height) {
  DeviceConfig c;
  c.format = {PixelFormat::kYuy2, width, height};
  return c;
}

// Decodes `jpeg`; its size, or {0, 0} when it does not decode.
std::pair<int, int> decode(std::span<const std::uint8_t> jpeg) {
  tjhandle tj = tjInitDecompress();
  int w = 0, h = 0, sub = 0, cs = 0;
  std::vector<unsigned char> rgb;
  bool ok = tjDecompressHeader3(tj, jpeg.data(), jpeg.size(), &w, &h, &sub, &cs) == 0;
  if (ok) {
    rgb.resize(static_cast<std::size_t>(w) * h * 3);
    ok = tjDecompress2(tj, jpeg.data(), jpeg.size(), rgb.data(), w, 0, h, TJPF_RGB, 0) == 0;
  }
  tjDestroy(tj);
  return ok ? std::pair{w, h} : std::pair{0, 0};
}

// Guards the MJPEG frame: a JPEG of the frame's size that decodes, whose APP4
// header verifies and carries the raw frame's sequence and the JPEG's length.
TEST(MjpegEncoder, EncodesADecodableJpegWithTheHeader) {
  const DeviceConfig c = sensor(320, 240);
  ModelFrameSource raw(c, Pacing::kOnDemand);
  StreamFormat f{1, 1, VideoFormat::kYuy2, 320, 240, 333333, 320 * 240 * 2};
  raw.next_frame(0, f);
  const auto view = raw.next_frame(1, f);  // sequence 1
  MjpegEncoder encoder(320, 240, 85);
  const MjpegFrame jpeg = encoder.encode(view->data, 320 * 240 * 2);
  ASSERT_FALSE(jpeg.jpeg.empty()) << encoder.error();
  EXPECT_EQ(decode(jpeg.jpeg), (std::pair{320, 240}));
  const FrameVerdict verdict = verify_mjpeg_frame(std::as_bytes(jpeg.jpeg));
  EXPECT_EQ(verdict.check, FrameCheck::kOk);
  EXPECT_EQ(verdict.header.sequence, 1u);
  EXPECT_EQ(verdict.header.frame_bytes, jpeg.jpeg.size());
  EXPECT_EQ(verdict.header.pixel_format, kMjpegPixelFormat);
  EXPECT_EQ(jpeg.jpeg[2], 0xFF);
  EXPECT_EQ(jpeg.jpeg[3], 0xE0);  // JFIF's APP0 stays first
}

// Guards the rate control: a frame larger than the stream carries is encoded
// at a lower quality until it fits; one that cannot fit is refused, named.
TEST(MjpegEncoder, LowersTheQualityToFit) {
  const DeviceConfig c = sensor(320, 240);
  ModelFrameSource raw(c, Pacing::kOnDemand);
  const auto view = raw.next_frame(0, {1, 1, VideoFormat::kYuy2, 320, 240, 333333, 153600});
  MjpegEncoder encoder(320, 240, 100);
  const std::size_t best = encoder.encode(view->data, 1 << 20).jpeg.size();
  const MjpegFrame squeezed = encoder.encode(view->data, best / 2);
  ASSERT_FALSE(squeezed.jpeg.empty()) << encoder.error();
  EXPECT_LE(squeezed.jpeg.size(), best / 2);
  EXPECT_LT(squeezed.quality, 100);
  EXPECT_TRUE(encoder.encode(view->data, 300).jpeg.empty());
  EXPECT_NE(encoder.error().find("does not fit"), std::string::npos);
}

// Guards the MJPEG source's faults: a short raw frame becomes a JPEG cut
// short (the header's length says so), an error frame stays flagged.
TEST(MjpegFrameSource, FaultsOfTheRawFrames) {
  DeviceConfig c = sensor(160, 120);
  c.faults = {{{FaultKind::kShort, 19200}, AtFrame{1}}, {{FaultKind::kError}, AtFrame{2}}};
  ModelFrameSource raw(c, ModelFrameBehaviour{Pacing::kOnDemand, true, false});
  MjpegFrameSource mjpeg(raw, 160, 120, 85);
  const StreamFormat f{1, 1, VideoFormat::kMjpeg, 160, 120, 333333, 160 * 120 * 2 + 4096};
  const auto whole = mjpeg.next_frame(0, f);
  EXPECT_EQ(verify_mjpeg_frame(std::as_bytes(whole->data)).check, FrameCheck::kOk);
  const auto cut = mjpeg.next_frame(1, f);
  EXPECT_EQ(verify_mjpeg_frame(std::as_bytes(cut->data)).check, FrameCheck::kShort);
  const auto error = mjpeg.next_frame(2, f);
  EXPECT_EQ(error->fault, FrameFault::kError);
  EXPECT_EQ(verify_mjpeg_frame(std::as_bytes(error->data)).check, FrameCheck::kOk);
}

// Guards verify_mjpeg_frame on what is not an MJPEG frame of ours.
TEST(MjpegEncoder, VerifyRefusesOtherData) {
  const std::vector<std::uint8_t> not_jpeg(100, 0x42);
  EXPECT_EQ(verify_mjpeg_frame(std::as_bytes(std::span(not_jpeg))).check, FrameCheck::kBadMagic);
  const std::vector<std::uint8_t> bare = {0xFF, 0xD8, 0xFF, 0xDA, 0x00, 0x02};
  EXPECT_EQ(verify_mjpeg_frame(std::as_bytes(std::span(bare))).check, FrameCheck::kBadMagic);
}

}  // namespace
}  // namespace hilcap::device::uvc
