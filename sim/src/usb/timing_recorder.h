// The frames a capture saw, written as a device timing recording
// (firmware-model/src/timing_recording.h): a scenario's
// device.timing.replay plays the real device's frame times back in the
// simulator.
#pragma once

#include <hilcap/uvc/result.h>
#include <hilcap/uvc/uvc_source.h>

#include <string>
#include <string_view>
#include <vector>

namespace hilcap::sim {

// One line per frame the device sent (delivered or dropped), times from the
// first frame. The device's own clock (PTS) when every frame carried one, else
// the host time its last transfer completed (frames ended by the same
// transfer then get 1 ns apart: a recording's times must strictly increase).
// A frame delivered incomplete records its bytes (the replay makes it short);
// one with the error bit, a failed packet or an overflow is marked `error`.
// `comment` opens the file (# lines). Fails with fewer than two frames.
uvc::Result<std::string> format_timing_recording(const std::vector<uvc::UvcFrameRecord>& frames,
                                                 std::string_view comment);

}  // namespace hilcap::sim
