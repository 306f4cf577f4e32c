#include "counter_frames.h"

namespace hilcap::testing {

std::vector<std::uint8_t> CounterPatternFrames::expected(std::uint64_t index, std::size_t size) {
  std::vector<std::uint8_t> bytes(size);
  for (std::size_t i = 0; i < size; ++i)
    bytes[i] =
        i < 8 ? static_cast<std::uint8_t>(index >> (8 * i)) : static_cast<std::uint8_t>(index + i);
  return bytes;
}

std::size_t CounterPatternFrames::frame_size(const device::uvc::StreamFormat& format) {
  return format.format == device::uvc::VideoFormat::kMjpeg ? format.max_frame_bytes / 2
                                                           : format.max_frame_bytes;
}

std::optional<device::uvc::FrameView> CounterPatternFrames::next_frame(
    std::uint64_t index, const device::uvc::StreamFormat& format) {
  if (index >= frame_limit_) return std::nullopt;
  frame_ = expected(index, frame_size(format));
  const auto capture = static_cast<device::TimeNs>(index * format.interval_100ns * 100);
  return device::uvc::FrameView{frame_, capture};
}

}  // namespace hilcap::testing
