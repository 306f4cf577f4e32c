// A frame producer for the fake UVC device: frames whose content says which
// frame they are, so a receiver can check what arrived.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <vector>

#include "uvc_stream.h"

namespace hilcap::testing {

// Frame k is captured at k frame intervals; byte i is (k + i) mod 256, except
// that the first 8 bytes hold k (little endian). Uncompressed frames fill
// dwMaxVideoFrameSize; MJPEG frames, being compressed, take half of it.
class CounterPatternFrames : public device::uvc::StreamFrameSource {
 public:
  explicit CounterPatternFrames(
      std::uint64_t frame_limit = std::numeric_limits<std::uint64_t>::max())
      : frame_limit_(frame_limit) {}

  std::optional<device::uvc::FrameView> next_frame(
      std::uint64_t index, const device::uvc::StreamFormat& format) override;

  // The bytes of frame `index` when it is `size` bytes long.
  static std::vector<std::uint8_t> expected(std::uint64_t index, std::size_t size);
  // Frame size for a negotiated format.
  static std::size_t frame_size(const device::uvc::StreamFormat& format);

 private:
  std::uint64_t frame_limit_;
  std::vector<std::uint8_t> frame_;
};

}  // namespace hilcap::testing
