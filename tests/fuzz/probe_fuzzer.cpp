// Fuzz target: a device's PROBE answer (any length, any content) read against
// a small streaming interface.
#include <hilcap/uvc/stream_config.h>

#include <cstddef>
#include <cstdint>
#include <span>

#include "fuzz_target.h"

namespace {

hilcap::uvc::StreamingInterface make_interface() {
  using namespace hilcap::uvc;
  StreamingInterface si;
  si.interface_number = 1;
  Format mjpeg;
  mjpeg.kind = FormatKind::kMjpeg;
  mjpeg.index = 1;
  Frame frame;
  frame.index = 1;
  frame.width = 640;
  frame.height = 480;
  frame.max_video_frame_buffer_size = 614400;
  frame.intervals.discrete = {333333, 666666};
  mjpeg.frames.push_back(frame);
  Format h264;
  h264.kind = FormatKind::kFrameBased;
  h264.index = 2;
  frame.max_video_frame_buffer_size = 0;  // frame-based: no size in the descriptor
  h264.frames.push_back(frame);
  si.formats = {mjpeg, h264};
  return si;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace hilcap::uvc;
  static const StreamingInterface kInterface = make_interface();
  const std::span<const std::uint8_t> answer(data, size);
  for (std::uint16_t bcd : {0x0100, 0x0110, 0x0150}) {
    StreamChoice choice;
    choice.format_index = 1;
    choice.frame_index = 1;
    choice.interval_100ns = 333333;
    const ProbeRequest sent = make_probe_request(choice, bcd);
    const Result<ProbeOutcome> outcome = interpret_probe_answer(kInterface, sent, answer);
    if (outcome)
      for (const Adjustment& a : outcome->adjusted)
        (void)a.to_string();
  }
  return 0;
}
