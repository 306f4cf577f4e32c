// The part of `hilcap capture` that needs no USB: the timing recording it
// writes. (Its clients run on the RealtimeScheduler, tested in
// tests/concurrency/realtime_scheduler_test.cpp.)
#include <gmock/gmock.h>

#include "timing_recording.h"
#include "usb/timing_recorder.h"

namespace hilcap::sim {
namespace {

uvc::UvcFrameRecord frame(std::int64_t host_ns, std::optional<std::int64_t> device_ns,
                          std::uint32_t flags = 0, std::uint32_t bytes = 100) {
  uvc::UvcFrameRecord r;
  r.fate = FrameFate::kOk;  // delivered
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
      {frame(900, 5'000), frame(950, 38'338), frame(990, 71'671, uvc::kUvcFrameIncomplete, 42),
       frame(1000, 105'004, uvc::kUvcFrameError)},
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

}  // namespace
}  // namespace hilcap::sim
