// What a camera run measures of the camera's timing at the host
// (runner/arrival_timing.h): intervals and jitter against the committed
// interval, latency from the device timestamp, gaps with the frames they
// stand for, and stalls (no frame for more than N intervals) counted as
// such; a pause is neither.
#include "runner/arrival_timing.h"

#include <gtest/gtest.h>

namespace hilcap::sim {
namespace {

constexpr TimeNs kMilli = 1'000'000;
constexpr TimeNs kInterval = 10 * kMilli;

// A steady camera: every interval is the nominal one, no gap, no stall; the
// wait for the first frame is the camera starting, not a stall.
TEST(ArrivalTiming, SteadyStream) {
  ArrivalTiming timing(kInterval, 3);
  timing.streaming(0);
  for (int k = 0; k < 10; ++k)
    timing.frame(500 * kMilli + k * kInterval, 500 * kMilli + k * kInterval - 2 * kMilli);
  timing.stopped(500 * kMilli + 10 * kInterval);
  const ArrivalFigures& f = timing.figures();
  EXPECT_EQ(f.frames, 10u);
  EXPECT_EQ(f.interval_ns.count(), 9u);
  EXPECT_EQ(f.interval_ns.percentile(500000), kInterval);
  EXPECT_EQ(f.jitter_ns.max(), 0);
  EXPECT_EQ(f.latency_ns.percentile(500000), 2 * kMilli);
  EXPECT_EQ(f.gaps, 0u);
  EXPECT_EQ(f.stalls, 0u);
  EXPECT_EQ(f.longest_gap_ns, kInterval);
}

// Two frames missing make one gap of three intervals (2 missing frames, not
// a stall at N = 3); nothing for 80 ms is a stall (and a gap of 7 missing).
TEST(ArrivalTiming, GapsAndStalls) {
  ArrivalTiming timing(kInterval, 3);
  timing.streaming(0);
  timing.frame(0, std::nullopt);
  timing.frame(10 * kMilli, std::nullopt);
  timing.frame(40 * kMilli, std::nullopt);   // 20 and 30 missing
  timing.frame(42 * kMilli, std::nullopt);   // early: jitter 8 ms, no gap
  timing.frame(122 * kMilli, std::nullopt);  // 80 ms: a stall
  const ArrivalFigures& f = timing.figures();
  EXPECT_EQ(f.gaps, 2u);
  EXPECT_EQ(f.missing_frames, 2u + 7u);
  EXPECT_EQ(f.stalls, 1u);
  EXPECT_EQ(f.longest_gap_ns, 80 * kMilli);
  EXPECT_EQ(f.jitter_ns.max(), 70 * kMilli);
}

// A camera that stops sending: the wait after its last frame is a stall at
// the end; a whole stream without a frame is one too; a pause is not.
TEST(ArrivalTiming, StallAtTheEndAndPauses) {
  ArrivalTiming timing(kInterval, 3);
  timing.streaming(0);
  timing.frame(5 * kMilli, std::nullopt);
  timing.stopped(25 * kMilli);  // paused 20 ms after the last frame: not a stall
  timing.streaming(500 * kMilli);
  timing.frame(505 * kMilli, std::nullopt);  // the pause is no interval
  EXPECT_EQ(timing.figures().interval_ns.count(), 0u);
  EXPECT_EQ(timing.figures().stalls, 0u);
  timing.stopped(600 * kMilli);  // 95 ms without a frame at the end
  EXPECT_EQ(timing.figures().stalls, 1u);
  timing.streaming(700 * kMilli);
  timing.stopped(800 * kMilli);  // a stream without any frame
  EXPECT_EQ(timing.figures().stalls, 2u);
  EXPECT_EQ(timing.figures().gaps, 0u);
}

// The device timestamp on the host clock comes from a fit: when it reads
// after the arrival, the latency counts 0 and the frame is counted.
TEST(ArrivalTiming, DeviceTimeAfterArrivalCountsZero) {
  ArrivalTiming timing(kInterval, 3);
  timing.streaming(0);
  timing.frame(10 * kMilli, 11 * kMilli);
  EXPECT_EQ(timing.figures().before_device_time, 1u);
  EXPECT_EQ(timing.figures().latency_ns.max(), 0);
}

}  // namespace
}  // namespace hilcap::sim
