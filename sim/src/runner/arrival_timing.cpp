#include "runner/arrival_timing.h"

#include <algorithm>
#include <cmath>

namespace hilcap::sim {

ArrivalTiming::ArrivalTiming(TimeNs nominal_interval_ns, std::uint32_t stall_intervals)
    : nominal_ns_(std::max<TimeNs>(1, nominal_interval_ns)),
      stall_intervals_(std::max<std::uint32_t>(2, stall_intervals)) {}

void ArrivalTiming::streaming(TimeNs at) {
  if (since_) return;
  since_ = at;
  previous_frame_ = false;
}

void ArrivalTiming::stopped(TimeNs at) {
  if (!since_) return;
  waited(*since_, std::max(at, *since_),
         previous_frame_ ? Wait::kAfterLastFrame : Wait::kWholeStream);
  since_.reset();
  previous_frame_ = false;
}

void ArrivalTiming::frame(TimeNs at, std::optional<TimeNs> device_time) {
  ++figures_.frames;
  if (device_time) {
    // The device timestamp on the host's clock comes from a fit of SCR
    // against host time: its error can put it after the arrival.
    if (at < *device_time) ++figures_.before_device_time;
    figures_.latency_ns.record(std::max<TimeNs>(0, at - *device_time));
  }
  if (!since_) {
    // A frame while not known to stream (it was on its way at the pause).
    return;
  }
  if (previous_frame_) {
    const TimeNs interval = at - *since_;
    figures_.interval_ns.record(interval);
    figures_.jitter_ns.record(interval > nominal_ns_ ? interval - nominal_ns_
                                                     : nominal_ns_ - interval);
    waited(*since_, at, Wait::kBetweenFrames);
  }
  since_ = at;
  previous_frame_ = true;
}

void ArrivalTiming::waited(TimeNs from, TimeNs to, Wait wait) {
  const TimeNs waited_ns = to - from;
  if (waited_ns > static_cast<TimeNs>(stall_intervals_) * nominal_ns_) ++figures_.stalls;
  if (wait == Wait::kWholeStream) return;
  figures_.longest_gap_ns = std::max(figures_.longest_gap_ns, waited_ns);
  if (wait != Wait::kBetweenFrames || 2 * waited_ns <= 3 * nominal_ns_) return;
  ++figures_.gaps;
  const auto intervals = static_cast<std::uint64_t>(
      std::llround(static_cast<double>(waited_ns) / static_cast<double>(nominal_ns_)));
  figures_.missing_frames += intervals > 1 ? intervals - 1 : 0;
}

}  // namespace hilcap::sim
