// The MJPEG format of a camera whose sensor is another frame source: each raw
// YUY2 frame compressed (MjpegEncoder) to fit the negotiated frame size
// (dwMaxVideoFrameSize). Timing, drops and faults are the raw source's: an
// error frame stays an error frame, a short one becomes a JPEG cut at the same
// share of its length, a disconnect stays a disconnect.
#pragma once

#include <hilcap/device_internal.h>

#include <cstdint>
#include <vector>

#include "mjpeg_encoder.h"
#include "uvc_stream.h"

namespace hilcap::device::uvc {

class MjpegFrameSource : public StreamFrameSource {
 public:
  // `raw` serves width x height YUY2 frames and outlives this source.
  MjpegFrameSource(StreamFrameSource& raw, std::uint16_t width, std::uint16_t height, int quality);

  std::optional<FrameView> next_frame(std::uint64_t index, const StreamFormat& format) override;

  // Frames that could not be made to fit (sent empty as error frames).
  std::uint64_t frames_too_large() const { return too_large_; }
  // The quality of the last frame encoded.
  int last_quality() const { return last_quality_; }

 private:
  StreamFrameSource& raw_;
  std::uint16_t width_;
  std::uint16_t height_;
  MjpegEncoder encoder_;
  std::vector<std::uint8_t> whole_;  // a cut raw frame, completed with zeros before encoding
  std::uint64_t too_large_ = 0;
  int last_quality_ = 0;
};

}  // namespace hilcap::device::uvc
