// Recorded per-frame timing, replayed by the timing engine in place of a
// frame rate.
//
// File format ("hilcap frame timing"), UTF-8 text, one frame per line:
//
//   # comment lines and blank lines are ignored
//   <time> [<bytes>] [error]
//
// <time> is the frame's arrival since the start of the recording: a
// non-negative decimal number with a unit, one of ns, us, ms, s (e.g. 0us,
// 33366.667us, 0.0333s; fractions below 1 ns are truncated). Times must
// strictly increase. <bytes>, optional, is how many bytes the frame carried:
// fewer than the device's frame size makes the replayed frame a short frame
// (0 or absent: a whole frame). The word `error` makes it an error frame.
//
// Replay: the first recorded frame is due when the stream starts, frame i at
// start + (t_i - t_0). When the recording runs out it LOOPS: cycle c starts at
// c * (span + mean interval), where span = t_last - t_0 and the mean interval
// = span / (frames - 1), so the gap across the seam is the recording's mean.
// A recording needs at least two frames.
#pragma once

#include <hilcap/device/timebase.h>
#include <hilcap/device_internal.h>
#include <hilcap/field_error.h>

#include <cstdint>
#include <filesystem>
#include <string_view>
#include <variant>
#include <vector>

namespace hilcap::device {

struct RecordedFrame {
  TimeNs at_ns = 0;         // since the recording's first frame (t_i - t_0)
  std::uint32_t bytes = 0;  // 0: a whole frame
  bool error = false;

  bool operator==(const RecordedFrame&) const = default;
};

struct TimingRecording {
  std::vector<RecordedFrame> frames;

  bool operator==(const TimingRecording&) const = default;
};

// Parses the text of a recording. Errors are at `pointer` (the JSON Pointer
// of the replay setting) and name the line: "at /device/timing/replay:
// expected a time with a unit (ns, us, ms, s) on line 3, found \"abc\"".
std::variant<TimingRecording, FieldError> parse_timing_recording(std::string_view text,
                                                                 std::string_view pointer);

// Reads and parses a recording file.
std::variant<TimingRecording, FieldError> load_timing_recording(const std::filesystem::path& path,
                                                                std::string_view pointer);

}  // namespace hilcap::device
