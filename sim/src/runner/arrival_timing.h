// When a camera's frames arrive at the host, against the interval it
// committed to: what a camera run can say about the device's timing that a
// simulation knows by construction. Frame k's arrival is the host's time of
// the transfer that ended it; its device timestamp is the frame's PTS on the
// host's clock (through the SCR fit), when the camera sends one.
//   interval   arrival - previous arrival
//   jitter     |interval - the nominal interval|
//   latency    arrival - device timestamp
//   gap        an interval longer than 1.5 nominal intervals: frames the
//              camera did not send (missing = round(interval / nominal) - 1)
//   stall      no frame for more than N nominal intervals: between frames
//              (a gap too), after the last frame until the camera stopped
//              or the run ended, or a whole stream without a frame; the wait
//              for a stream's first frame is the camera starting, not a stall
// Only while the camera streams: a pause is no gap.
#pragma once

#include <cstdint>
#include <optional>

#include "report/distribution.h"
#include "scheduler/scheduler.h"

namespace hilcap::sim {

struct ArrivalFigures {
  Distribution interval_ns;
  Distribution jitter_ns;
  Distribution latency_ns;
  std::uint64_t frames = 0;
  // Frames whose arrival reads earlier than their device timestamp (the SCR
  // fit's error): their latency counts as 0.
  std::uint64_t before_device_time = 0;
  std::uint64_t gaps = 0;
  std::uint64_t missing_frames = 0;
  std::uint64_t stalls = 0;
  TimeNs longest_gap_ns = 0;  // the longest time without a frame after one, while streaming
};

class ArrivalTiming {
 public:
  // `nominal_interval_ns` > 0; `stall_intervals` >= 2.
  ArrivalTiming(TimeNs nominal_interval_ns, std::uint32_t stall_intervals);

  // The camera streams from `at` (the pin entered RUN): the first frame's wait counts from here.
  void streaming(TimeNs at);
  // It stopped at `at` (the pin left RUN, the run ended): a wait still going counts as a gap.
  void stopped(TimeNs at);
  // A frame arrived at `at`, with its device timestamp on the host's clock when known.
  void frame(TimeNs at, std::optional<TimeNs> device_time);

  const ArrivalFigures& figures() const { return figures_; }

 private:
  // No frame from `from` to `to`: a gap, a stall, how long.
  enum class Wait { kBetweenFrames, kAfterLastFrame, kWholeStream };
  void waited(TimeNs from, TimeNs to, Wait wait);

  const TimeNs nominal_ns_;
  const std::uint32_t stall_intervals_;
  ArrivalFigures figures_;
  std::optional<TimeNs> since_;  // streaming, waiting for a frame since then
  bool previous_frame_ = false;  // since_ is a frame's arrival (an interval), not a start
};

}  // namespace hilcap::sim
