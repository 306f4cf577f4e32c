// The parts of `hilcap capture` that need no USB: the timing recording it
// writes, and the wall-clock scheduler its clients run on.
#include <gmock/gmock.h>

#include <thread>

#include "timing_recording.h"
#include "usb/timing_recorder.h"
#include "usb/wall_clock_scheduler.h"

namespace hilcap::sim {
namespace {

uvc::UvcFrameRecord frame(std::int64_t host_ns, std::optional<std::int64_t> device_ns,
                          std::uint32_t flags = 0, std::uint32_t bytes = 100) {
  uvc::UvcFrameRecord r;
  r.delivered = true;
  r.host_time_ns = host_ns;
  r.device_time_ns = device_ns;
  r.uvc_flags = flags;
  r.bytes = bytes;
  return r;
}

// The device's clock is used when every frame has a PTS; incomplete frames keep their bytes,
// damaged ones are marked error; the device model's reader reads it back as written.
TEST(TimingRecorder, DeviceClockRoundTripsThroughTheReplayReader) {
  const auto text = format_timing_recording(
      {frame(900, 5'000), frame(950, 38'338), frame(990, 71'671, uvc::kFrameIncomplete, 42),
       frame(1000, 105'004, uvc::kFrameError)},
      "from a test");
  ASSERT_TRUE(text.ok()) << text.error();
  EXPECT_THAT(text.value(), ::testing::StartsWith("# from a test\n"));
  const auto parsed = device::parse_timing_recording(text.value(), "replay");
  ASSERT_TRUE(std::holds_alternative<device::TimingRecording>(parsed));
  const std::vector<device::RecordedFrame> expected{
      {0, 0, false}, {33'338, 0, false}, {66'671, 42, false}, {100'004, 0, true}};
  EXPECT_EQ(std::get<device::TimingRecording>(parsed).frames, expected);
}

// Without a PTS on every frame the host times are used; frames ended by one transfer (same
// host time) stay strictly increasing, as the replay format requires.
TEST(TimingRecorder, HostTimesStayStrictlyIncreasing) {
  const auto text =
      format_timing_recording({frame(1000, 7), frame(1000, std::nullopt), frame(5000, 9)}, "x");
  ASSERT_TRUE(text.ok());
  const auto parsed = device::parse_timing_recording(text.value(), "replay");
  ASSERT_TRUE(std::holds_alternative<device::TimingRecording>(parsed));
  const auto& frames = std::get<device::TimingRecording>(parsed).frames;
  ASSERT_EQ(frames.size(), 3u);
  EXPECT_EQ(frames[0].at_ns, 0);
  EXPECT_EQ(frames[1].at_ns, 1);
  EXPECT_EQ(frames[2].at_ns, 4000);
}

// A replay needs two frames: fewer is refused with the reason.
TEST(TimingRecorder, OneFrameIsNotARecording) {
  const auto text = format_timing_recording({frame(1, 1)}, "x");
  ASSERT_FALSE(text.ok());
  EXPECT_THAT(text.error(), ::testing::HasSubstr("at least two frames, the capture saw 1"));
}

// Events run in (time, scheduling order), cancelled ones never, and run() returns once stop()
// is called from another thread while the loop waits for a far event.
TEST(WallClockScheduler, OrdersCancelsAndStopsFromAnotherThread) {
  WallClockScheduler scheduler;
  std::vector<int> ran;
  scheduler.schedule_at(2'000'000, [&] { ran.push_back(3); });
  scheduler.schedule_at(1'000'000, [&] { ran.push_back(1); });
  scheduler.schedule_at(1'000'000, [&] { ran.push_back(2); });
  const EventId cancelled = scheduler.schedule_at(1'500'000, [&] { ran.push_back(99); });
  EXPECT_TRUE(scheduler.cancel(cancelled));
  EXPECT_FALSE(scheduler.cancel(cancelled));
  scheduler.schedule_at(3'000'000, [&] {
    ran.push_back(4);
    // From another thread: an event before the stop, which comes while the loop waits for
    // an event an hour away.
    std::thread([&] { scheduler.schedule_at(3'500'000, [&] { ran.push_back(5); }); }).join();
  });
  scheduler.schedule_at(3'600'000'000'000, [&] { ran.push_back(100); });
  std::thread stopper;
  scheduler.schedule_at(4'000'000, [&] { stopper = std::thread([&] { scheduler.stop(); }); });
  scheduler.run();
  stopper.join();
  EXPECT_EQ(ran, (std::vector<int>{1, 2, 3, 4, 5}));
  EXPECT_EQ(scheduler.events_run(), 6u);
  EXPECT_TRUE(scheduler.stopped());
  EXPECT_FALSE(scheduler.run_one());
}

// run_until() returns at its deadline with later events still pending.
TEST(WallClockScheduler, RunUntilLeavesLaterEvents) {
  WallClockScheduler scheduler;
  int ran = 0;
  scheduler.schedule_at(0, [&] { ++ran; });
  scheduler.schedule_at(3'600'000'000'000, [&] { ++ran; });
  scheduler.run_until(1'000'000);
  EXPECT_EQ(ran, 1);
  EXPECT_GE(scheduler.now(), 1'000'000);
  EXPECT_FALSE(scheduler.stopped());
}

}  // namespace
}  // namespace hilcap::sim
