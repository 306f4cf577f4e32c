// An MJPEG camera's encoder: compresses the device model's YUY2 frames into
// baseline JPEG (4:2:2, libjpeg-turbo's TurboJPEG API) and carries each
// frame's in-band header in an APP4 segment (frame_header.h,
// verify_mjpeg_frame), so that a host can check every MJPEG frame's sequence
// as it checks an uncompressed one.
//
// A frame must fit the bytes the stream can carry per frame: when the JPEG is
// larger, the encoder lowers the quality for that frame until it fits, as a
// camera's rate control would.
#pragma once

#include <hilcap/device_internal.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace hilcap::device::uvc {

struct MjpegFrame {
  std::span<const std::uint8_t> jpeg;  // empty when the frame could not be made to fit
  int quality = 0;                     // the quality it was encoded at
};

class MjpegEncoder {
 public:
  // `quality` 1..100; `width` even (YUY2 pairs pixels).
  MjpegEncoder(std::uint16_t width, std::uint16_t height, int quality);
  ~MjpegEncoder();
  MjpegEncoder(const MjpegEncoder&) = delete;
  MjpegEncoder& operator=(const MjpegEncoder&) = delete;

  // Encodes one YUY2 frame of width x height (its first 64 bytes hold the
  // in-band header, which the JPEG carries in its APP4 segment) into at most
  // `max_bytes`. The result stays valid until the next call.
  MjpegFrame encode(std::span<const std::uint8_t> yuy2, std::size_t max_bytes);

  // What went wrong in the last encode that returned an empty frame.
  const std::string& error() const { return error_; }

 private:
  // Compresses the planes at `quality`; false on a TurboJPEG error.
  bool compress(int quality);
  // Copies the compressed JPEG into out_ with the header segment after SOI/APP0.
  void assemble(std::span<const std::uint8_t> header);

  std::uint16_t width_;
  std::uint16_t height_;
  int quality_;
  void* handle_;  // tjhandle
  std::vector<std::uint8_t> y_, u_, v_;
  std::vector<std::uint8_t> compressed_;  // TurboJPEG's output, worst-case sized
  std::size_t compressed_size_ = 0;
  std::vector<std::uint8_t> out_;
  std::string error_;
};

}  // namespace hilcap::device::uvc
