#include "mjpeg_encoder.h"

#include <hilcap/device/frame_format.h>
#include <hilcap/device/frame_header.h>
#include <turbojpeg.h>

#include <algorithm>
#include <array>
#include <cstring>

namespace hilcap::device::uvc {

namespace {

constexpr int kLowestQuality = 5;

// The header as an MJPEG frame carries it: format MJPG, checksum over the
// header alone, frame_bytes the JPEG's length.
FrameHeader mjpeg_header(std::span<const std::uint8_t> yuy2, std::size_t jpeg_bytes) {
  FrameHeader header = read_frame_header(std::as_bytes(yuy2.first(kFrameHeaderBytes)));
  header.pixel_format = kMjpegPixelFormat;
  header.payload_mode = static_cast<std::uint8_t>(PayloadMode::kHeaderOnly);
  header.sample_count = 0;
  header.frame_bytes = static_cast<std::uint32_t>(jpeg_bytes);
  header.checksum = 0;
  std::array<std::byte, kFrameHeaderBytes> bytes;
  std::memcpy(bytes.data(), &header, sizeof header);
  header.checksum = frame_checksum(bytes, header);
  return header;
}

}  // namespace

MjpegEncoder::MjpegEncoder(std::uint16_t width, std::uint16_t height, int quality)
    : width_(width),
      height_(height),
      quality_(std::clamp(quality, 1, 100)),
      handle_(tjInitCompress()),
      y_(std::size_t{width} * height),
      u_(std::size_t{width} / 2 * height),
      v_(std::size_t{width} / 2 * height),
      compressed_(tjBufSize(width, height, TJSAMP_422)) {}

MjpegEncoder::~MjpegEncoder() {
  if (handle_ != nullptr) tjDestroy(handle_);
}

bool MjpegEncoder::compress(int quality) {
  const unsigned char* planes[3] = {y_.data(), u_.data(), v_.data()};
  unsigned char* out = compressed_.data();
  unsigned long size = compressed_.size();
  if (tjCompressFromYUVPlanes(handle_, planes, width_, nullptr, height_, TJSAMP_422, &out, &size,
                              quality, TJFLAG_NOREALLOC | TJFLAG_FASTDCT) != 0) {
    error_ = tjGetErrorStr2(handle_);
    return false;
  }
  compressed_size_ = size;
  return true;
}

void MjpegEncoder::assemble(std::span<const std::uint8_t> header) {
  // JFIF wants its APP0 right after SOI: the header segment goes after it.
  std::size_t insert_at = 2;
  if (compressed_size_ > 6 && compressed_[2] == 0xFF && compressed_[3] == 0xE0)
    insert_at = 4 + (std::size_t{compressed_[4]} << 8 | compressed_[5]);
  out_.clear();
  out_.insert(out_.end(), compressed_.begin(), compressed_.begin() + insert_at);
  const std::uint8_t marker[4] = {0xFF, kMjpegHeaderMarker, 0,
                                  static_cast<std::uint8_t>(2 + kFrameHeaderBytes)};
  out_.insert(out_.end(), marker, marker + 4);
  out_.insert(out_.end(), header.begin(), header.end());
  out_.insert(out_.end(), compressed_.begin() + insert_at, compressed_.begin() + compressed_size_);
}

MjpegFrame MjpegEncoder::encode(std::span<const std::uint8_t> yuy2, std::size_t max_bytes) {
  error_.clear();
  if (handle_ == nullptr) {
    error_ = "TurboJPEG could not be initialised";
    return {};
  }
  if (yuy2.size() < std::size_t{width_} * height_ * 2) {
    error_ = "the frame is shorter than width x height x 2 bytes";
    return {};
  }
  // Y0 U Y1 V -> planar 4:2:2.
  const std::uint8_t* in = yuy2.data();
  const std::size_t pairs = std::size_t{width_} / 2 * height_;
  for (std::size_t i = 0; i < pairs; ++i, in += 4) {
    y_[2 * i] = in[0];
    u_[i] = in[1];
    y_[2 * i + 1] = in[2];
    v_[i] = in[3];
  }
  for (int quality = quality_;; quality = std::max(kLowestQuality, quality * 3 / 4)) {
    if (!compress(quality)) return {};
    const std::size_t total = compressed_size_ + kMjpegHeaderSegmentBytes;
    if (total <= max_bytes) {
      const FrameHeader header = mjpeg_header(yuy2, total);
      assemble({reinterpret_cast<const std::uint8_t*>(&header), sizeof header});
      return {out_, quality};
    }
    if (quality == kLowestQuality) {
      error_ =
          "the JPEG does not fit the frame size even at quality " + std::to_string(kLowestQuality);
      return {};
    }
  }
}

}  // namespace hilcap::device::uvc
