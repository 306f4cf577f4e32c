#include "usb/timing_recorder.h"

#include <fmt/format.h>

#include <algorithm>

namespace hilcap::sim {

uvc::Result<std::string> format_timing_recording(const std::vector<uvc::UvcFrameRecord>& frames,
                                                 std::string_view comment) {
  if (frames.size() < 2)
    return uvc::Error{fmt::format(
        "a timing recording needs at least two frames, the capture saw {}", frames.size())};
  const bool device_clock = std::all_of(frames.begin(), frames.end(),
                                        [](const auto& f) { return f.device_time_ns.has_value(); });
  const auto time_of = [&](const uvc::UvcFrameRecord& f) {
    return device_clock ? *f.device_time_ns : f.host_time_ns;
  };
  std::string text;
  std::size_t start = 0;
  while (start <= comment.size()) {
    const std::size_t end = std::min(comment.find('\n', start), comment.size());
    text += fmt::format("# {}\n", comment.substr(start, end - start));
    start = end + 1;
  }
  text +=
      fmt::format("# times: {}\n", device_clock ? "the device's clock (PTS), from the first frame"
                                                : "host arrival (transfer completion), from the "
                                                  "first frame");
  const std::int64_t origin = time_of(frames.front());
  std::int64_t previous = -1;
  for (const uvc::UvcFrameRecord& f : frames) {
    const std::int64_t at = std::max(time_of(f) - origin, previous + 1);
    previous = at;
    text += fmt::format("{}ns", at);
    if (f.delivered() && (f.uvc_flags & uvc::kUvcFrameIncomplete) != 0 && f.bytes > 0)
      text += fmt::format(" {}", f.bytes);
    if ((f.uvc_flags & (uvc::kUvcFrameError | uvc::kUvcFrameOverflow)) != 0) text += " error";
    text += '\n';
  }
  return text;
}

}  // namespace hilcap::sim
