#include "device_config.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "timing_recording.h"

namespace hilcap::device {
namespace {

// The error at `pointer`, or a failure naming what was reported instead.
::testing::AssertionResult has_error(const FieldErrors& errors, const std::string& pointer,
                                     const std::string& expected_part, const std::string& found) {
  for (const FieldError& error : errors) {
    if (error.json_pointer == pointer && error.expected.find(expected_part) != std::string::npos &&
        error.found == found) {
      return ::testing::AssertionSuccess();
    }
  }
  auto failure = ::testing::AssertionFailure()
                 << "no error " << pointer << " / " << expected_part << " / " << found << "; got:";
  for (const FieldError& error : errors)
    failure << "\n  " << error.message();
  return failure;
}

// Guards the default configuration: it is valid as it stands.
TEST(DeviceConfig, DefaultIsValid) {
  EXPECT_TRUE(DeviceConfig{}.validate().empty());
}

// Guards the message shape promised to users: the value's JSON Pointer in the
// scenario, what was expected, what was found.
TEST(DeviceConfig, MessageNamesFieldExpectationAndFinding) {
  DeviceConfig config;
  config.timing.cadence = FrameRate{0, 1};
  const FieldErrors errors = config.validate();
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].message(),
            "at /device/timing/fps: expected a positive frame rate (num/den, both > 0), found 0/1");
}

// Guards format validation: zero, oversized and odd sizes where the format needs even ones.
TEST(DeviceConfig, RejectsBadFrameSizes) {
  DeviceConfig config;
  config.format = {PixelFormat::kYuy2, 641, 0};
  FieldErrors errors = config.validate();
  EXPECT_TRUE(has_error(errors, "/device/width", "even width for YUY2", "641"));
  EXPECT_TRUE(has_error(errors, "/device/height", "1..16384", "0"));

  config.format = {PixelFormat::kNv12, 640, 481};
  EXPECT_TRUE(has_error(config.validate(), "/device/height", "even height for NV12", "481"));

  config.format = {PixelFormat::kGrey, 16385, 10};
  EXPECT_TRUE(has_error(config.validate(), "/device/width", "1..16384", "16385"));

  config.format = {PixelFormat::kGrey, 7, 9};  // odd is fine for GREY, but 63 bytes < header
  EXPECT_TRUE(
      has_error(config.validate(), "/device/width", "at least 64 bytes", "7x9 GREY = 63 bytes"));

  config.format = {PixelFormat::kGrey, 7, 10};
  EXPECT_TRUE(config.validate().empty());
}

// Guards the remaining device fields: ring depth, payload mode and fault parameters.
TEST(DeviceConfig, RejectsBadRingDepthAndFaults) {
  DeviceConfig config;
  config.format = {PixelFormat::kGrey, 100, 10};
  config.ring_depth = 0;
  config.faults.push_back({.action = {.kind = FaultKind::kShort, .bytes = 1000}});
  config.faults.push_back(
      {.action = {.kind = FaultKind::kStall}, .trigger = EachFrameWithProbability{1.5}});
  config.faults.push_back({.action = {.kind = FaultKind::kError}, .trigger = AtTime{-1}});
  const FieldErrors errors = config.validate();
  EXPECT_TRUE(has_error(errors, "/device/ring_depth", "1..4096", "0"));
  EXPECT_TRUE(has_error(errors, "/device/faults/0/bytes", "1..999", "1000"));
  EXPECT_TRUE(has_error(errors, "/device/faults/1/probability", "[0, 1]", "1.5"));
  EXPECT_TRUE(
      has_error(errors, "/device/faults/1/duration_ms", "a stall duration of 1..", "0 (= 0 ns)"));
  EXPECT_TRUE(has_error(errors, "/device/faults/2/at_ms", ">= 0", "-0.000001 (= -1 ns)"));
  EXPECT_EQ(errors.size(), 5u);
}

// Guards timing validation: interval, jitter, durations within bounds, probabilities, stalls.
TEST(DeviceConfig, RejectsBadTiming) {
  TimingConfig timing;
  timing.cadence = FrameInterval{0};
  timing.jitter = {.kind = JitterKind::kUniform, .amplitude_ns = -5};
  timing.dma_ns = -1;
  timing.interrupt_latency_ns = kMaxDurationNs + 1;
  timing.drop_probability = -0.5;
  timing.stalls.push_back({.start = AtFrame{3}, .duration_ns = 0});
  const FieldErrors errors = timing.validate();
  EXPECT_TRUE(
      has_error(errors, "/device/timing/interval_us", "a frame interval of 1..", "0 (= 0 ns)"));
  EXPECT_TRUE(has_error(errors, "/device/timing/jitter/amplitude_us", "an amplitude of 0..",
                        "-0.005 (= -5 ns)"));
  EXPECT_TRUE(has_error(errors, "/device/timing/dma_us", "a DMA time of 0..", "-0.001 (= -1 ns)"));
  EXPECT_TRUE(has_error(errors, "/device/timing/interrupt_latency_us",
                        "a latency of 0..1000000000000000 ns",
                        "1000000000000.001 (= 1000000000000001 ns)"));
  EXPECT_TRUE(has_error(errors, "/device/timing/drop_probability", "[0, 1]", "-0.5"));
  EXPECT_TRUE(has_error(errors, "/device/timing/stalls/0/duration_ms", "a stall duration of 1..",
                        "0 (= 0 ns)"));
}

// Guards burst validation: interval shorter than the frame interval, no overlaps, sane repeats.
TEST(DeviceConfig, RejectsBadBursts) {
  TimingConfig timing;
  timing.cadence = FrameInterval{1000};
  timing.bursts.push_back({.start = AtFrame{10}, .count = 5, .interval_ns = 1000});
  timing.bursts.push_back({.start = AtFrame{12}, .count = 2, .interval_ns = 10});
  timing.bursts.push_back({.start = AtFrame{0}, .count = 1, .interval_ns = 10});
  FieldErrors errors = timing.validate();
  EXPECT_TRUE(has_error(errors, "/device/timing/bursts/0/interval_us", "1..999", "1 (= 1000 ns)"));
  EXPECT_TRUE(has_error(errors, "/device/timing/bursts/2/count", "at least 2", "1"));

  timing.bursts = {{.start = AtFrame{10}, .count = 5, .interval_ns = 10},
                   {.start = AtTime{12'000}, .count = 2, .interval_ns = 10}};
  EXPECT_TRUE(has_error(timing.validate(), "/device/timing/bursts/1", "does not overlap bursts[0]",
                        "frames 12..13"));

  timing.bursts = {{.start = AtFrame{10}, .count = 5, .interval_ns = 10, .repeat_every_frames = 4}};
  EXPECT_TRUE(has_error(timing.validate(), "/device/timing/bursts/0/repeat_every_frames",
                        "at least count", "4"));
}

// Guards the one error shape: the device names each wrong value by the JSON
// Pointer the scenario wrote it at (its key in the scenario's own units,
// "_us" or "_ms", not the device's ns), and shows the value both ways; no
// table in the loader translates paths back.
TEST(DeviceConfig, ErrorsAreAtTheScenarioPointers) {
  TimingConfig timing;
  timing.cadence = FrameInterval{1'000'000};
  timing.jitter = {.kind = JitterKind::kNormal, .sigma_ns = -2'500};
  timing.bursts = {{.start = AtFrame{10}, .count = 2, .interval_ns = 10},
                   {.start = AtFrame{20}, .count = 2, .interval_ns = 10},
                   {.start = AtTime{-1'500'000}, .count = 2, .interval_ns = 10}};
  const FieldErrors errors = timing.validate("/device/timing");
  EXPECT_TRUE(
      has_error(errors, "/device/timing/jitter/sigma_us", "a sigma of 0..", "-2.5 (= -2500 ns)"));
  EXPECT_TRUE(has_error(errors, "/device/timing/bursts/2/at_ms", ">= 0", "-1.5 (= -1500000 ns)"));
  EXPECT_EQ(errors.size(), 2u);
}

// Guards replay restrictions: no jitter or bursts with a recording, bytes within a frame.
TEST(DeviceConfig, ReplayExcludesJitterAndBurstsAndChecksBytes) {
  DeviceConfig config;
  config.format = {PixelFormat::kGrey, 100, 10};
  config.timing.cadence = TimingRecording{{{0, 0, false}, {1000, 5000, false}}};
  config.timing.jitter = {.kind = JitterKind::kNormal, .sigma_ns = 5};
  config.timing.bursts.push_back({.start = AtFrame{1}, .count = 2, .interval_ns = 1});
  const FieldErrors errors = config.validate();
  EXPECT_TRUE(has_error(errors, "/device/timing/jitter/kind", "none with replay", "normal"));
  EXPECT_TRUE(has_error(errors, "/device/timing/bursts", "no bursts with replay", "1 burst(s)"));
  EXPECT_TRUE(has_error(errors, "/device/timing/replay", "at most the frame size (1000)",
                        "5000 bytes on recorded frame 1"));
}

// Guards the recording format: comments, units, fractions, bytes and the error word.
TEST(TimingRecordingFormat, ParsesTimesUnitsBytesAndErrors) {
  const auto parsed = parse_timing_recording(
      "# recorded with a test camera\n"
      "\n"
      "1.5ms\n"
      "35000us 4096   # a short frame\n"
      "0.0685s error\n"
      "101500000ns 12 error\r\n",
      "/device/timing/replay");
  ASSERT_TRUE(std::holds_alternative<TimingRecording>(parsed))
      << std::get<FieldError>(parsed).message();
  const auto& frames = std::get<TimingRecording>(parsed).frames;
  ASSERT_EQ(frames.size(), 4u);
  EXPECT_EQ(frames[0], (RecordedFrame{0, 0, false}));
  EXPECT_EQ(frames[1], (RecordedFrame{33'500'000, 4096, false}));
  EXPECT_EQ(frames[2], (RecordedFrame{67'000'000, 0, true}));
  EXPECT_EQ(frames[3], (RecordedFrame{100'000'000, 12, true}));
}

// Guards recording errors: each names the field, the line and the offending text.
TEST(TimingRecordingFormat, ReportsTheLineOfEachError) {
  auto error_of = [](std::string_view text) {
    const auto parsed = parse_timing_recording(text, "/device/timing/replay");
    return std::holds_alternative<FieldError>(parsed) ? std::get<FieldError>(parsed).message()
                                                      : std::string("parsed");
  };
  EXPECT_EQ(
      error_of("0us\n33ms\nabc\n"),
      "at /device/timing/replay: expected a time with a unit (ns, us, ms, s) on line 3, found "
      "\"abc\"");
  EXPECT_EQ(error_of("0us\n5us\n5us\n"),
            "at /device/timing/replay: expected a time later than the previous frame's on line 3, "
            "found \"5us\"");
  EXPECT_EQ(error_of("0us\n5us fast\n"),
            "at /device/timing/replay: expected a byte count or the word error after the time on "
            "line 2, found \"fast\"");
  EXPECT_EQ(
      error_of("# only a comment\n7ms\n"),
      "at /device/timing/replay: expected a recording of at least 2 frames, found 1 frame(s)");
  EXPECT_EQ(
      error_of("0us\n-5us\n"),
      "at /device/timing/replay: expected a time with a unit (ns, us, ms, s) on line 2, found "
      "\"-5us\"");
}

// Guards loading from a file, and a clear error when the file is missing.
TEST(TimingRecordingFormat, LoadsAFileAndReportsAMissingOne) {
  const auto path = std::filesystem::path(::testing::TempDir()) / "hilcap_timing_test.txt";
  {
    std::ofstream out(path);
    out << "0ms\n16.667ms\n33.333ms\n";
  }
  const auto loaded = load_timing_recording(path, "/device/timing/replay");
  ASSERT_TRUE(std::holds_alternative<TimingRecording>(loaded));
  EXPECT_EQ(std::get<TimingRecording>(loaded).frames.back().at_ns, 33'333'000);
  std::filesystem::remove(path);

  const auto missing = load_timing_recording(path, "/device/timing/replay");
  ASSERT_TRUE(std::holds_alternative<FieldError>(missing));
  EXPECT_EQ(std::get<FieldError>(missing).expected, "a readable timing recording file");
}

}  // namespace
}  // namespace hilcap::device
