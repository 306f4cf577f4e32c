// The frames the device produces: pixel format, size and payload mode. The host
// sizes its buffers from FrameFormat::frame_bytes().
#pragma once

#include <cstdint>

namespace hilcap::device {

constexpr std::uint32_t fourcc(char a, char b, char c, char d) {
  return static_cast<std::uint32_t>(static_cast<unsigned char>(a)) |
         static_cast<std::uint32_t>(static_cast<unsigned char>(b)) << 8 |
         static_cast<std::uint32_t>(static_cast<unsigned char>(c)) << 16 |
         static_cast<std::uint32_t>(static_cast<unsigned char>(d)) << 24;
}

// Values are the formats' FourCC codes (as in the frame header).
enum class PixelFormat : std::uint32_t {
  kYuy2 = fourcc('Y', 'U', 'Y', '2'),  // packed 4:2:2, Y0 U Y1 V, 2 bytes per pixel
  kNv12 = fourcc('N', 'V', '1', '2'),  // Y plane, then interleaved U V plane at half height
  kGrey = fourcc('G', 'R', 'E', 'Y'),  // 8-bit luma only
};

// What the device writes into a buffer. Every mode starts the buffer with the
// in-band FrameHeader (frame_header.h).
enum class PayloadMode : std::uint8_t {
  kPattern,     // moving colour bars and a visible frame counter
  kZeros,       // all pixel bytes zero
  kHeaderOnly,  // the header only, no pixels: the fast path for long runs
};

struct FrameFormat {
  PixelFormat pixel_format = PixelFormat::kYuy2;
  std::uint32_t width = 640;
  std::uint32_t height = 480;

  // Bytes of one frame (widths and heights are validated: even where the
  // format needs it, at most 16384, so this never overflows).
  std::uint64_t frame_bytes() const {
    const std::uint64_t pixels = std::uint64_t{width} * height;
    switch (pixel_format) {
      case PixelFormat::kYuy2:
        return pixels * 2;
      case PixelFormat::kNv12:
        return pixels * 3 / 2;
      case PixelFormat::kGrey:
        return pixels;
    }
    return 0;
  }
};

}  // namespace hilcap::device
