#include "mjpeg_frame_source.h"

#include <algorithm>

namespace hilcap::device::uvc {

MjpegFrameSource::MjpegFrameSource(StreamFrameSource& raw, std::uint16_t width,
                                   std::uint16_t height, int quality)
    : raw_(raw), width_(width), height_(height), encoder_(width, height, quality) {}

std::optional<FrameView> MjpegFrameSource::next_frame(std::uint64_t index,
                                                      const StreamFormat& format) {
  StreamFormat raw_format = format;
  raw_format.format = VideoFormat::kYuy2;
  raw_format.max_frame_bytes = std::uint32_t{width_} * height_ * 2;
  std::optional<FrameView> view = raw_.next_frame(index, raw_format);
  if (!view || view->data.empty()) return view;

  std::span<const std::uint8_t> raw = view->data;
  const std::size_t raw_bytes = raw.size();
  const std::size_t whole_bytes = raw_format.max_frame_bytes;
  const bool cut = raw.size() < whole_bytes;
  if (cut) {
    whole_.assign(whole_bytes, 0);
    std::copy(raw.begin(), raw.end(), whole_.begin());
    raw = whole_;
  }
  const MjpegFrame jpeg = encoder_.encode(raw, format.max_frame_bytes);
  if (jpeg.jpeg.empty()) {
    ++too_large_;
    view->data = {};
    view->fault = FrameFault::kError;
    return view;
  }
  last_quality_ = jpeg.quality;
  view->data = jpeg.jpeg;
  if (cut) {
    const std::size_t kept = (jpeg.jpeg.size() * raw_bytes + whole_bytes - 1) / whole_bytes;
    view->data = jpeg.jpeg.first(std::min(jpeg.jpeg.size(), kept));
  }
  return view;
}

}  // namespace hilcap::device::uvc
