#include "timing_engine.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

namespace hilcap::device {
namespace {

constexpr TimeNs kMs = 1'000'000;

TimingConfig at_fps(std::uint32_t num, std::uint32_t den = 1) {
  TimingConfig config;
  config.cadence = FrameRate{num, den};
  return config;
}

TimeNs exact_grid(std::uint64_t k, std::uint64_t num_ns, std::uint64_t den) {
  return static_cast<TimeNs>(static_cast<unsigned __int128>(k) * num_ns / den);
}

// Guards the no-drift rule: frame k at floor(k * 1001e9 / 30000) ns exactly, for a million frames.
TEST(TimingEngine, NoDriftOverAMillionFramesAt30000Over1001) {
  const TimingEngine engine(at_fps(30000, 1001), 7);
  for (std::uint64_t k = 0; k <= 1'000'000; ++k) {
    ASSERT_EQ(engine.due_ns(k), exact_grid(k, 1001ull * 1'000'000'000, 30000)) << "frame " << k;
  }
  EXPECT_EQ(engine.due_ns(1'000'000), 33'366'666'666'666);
  EXPECT_EQ(engine.due_ns(1), 33'366'666);
  EXPECT_EQ(engine.due_ns(3), 100'100'000);
}

// Guards interval_ns cadence: frame k at exactly k * interval.
TEST(TimingEngine, IntervalInNanoseconds) {
  TimingConfig config;
  config.cadence = FrameInterval{12'345};
  const TimingEngine engine(config, 1);
  EXPECT_EQ(engine.due_ns(0), 0);
  EXPECT_EQ(engine.due_ns(1), 12'345);
  EXPECT_EQ(engine.due_ns(1'000'000'000), 12'345'000'000'000);
}

// Guards uniform jitter: within +-amplitude, reaching near both ends, centred on the grid.
TEST(TimingEngine, UniformJitterStaysWithinAmplitude) {
  TimingConfig config = at_fps(30);
  config.jitter = {.kind = JitterKind::kUniform, .amplitude_ns = 2 * kMs};
  const TimingEngine engine(config, 42);
  TimeNs lowest = 0;
  TimeNs highest = 0;
  double sum = 0;
  constexpr int kFrames = 100'000;
  for (std::uint64_t k = 1; k <= kFrames; ++k) {
    const TimeNs jitter = engine.due_ns(k) - engine.nominal_ns(k);
    ASSERT_LE(std::abs(jitter), 2 * kMs) << "frame " << k;
    lowest = std::min(lowest, jitter);
    highest = std::max(highest, jitter);
    sum += static_cast<double>(jitter);
  }
  EXPECT_LT(lowest, -19 * kMs / 10);
  EXPECT_GT(highest, 19 * kMs / 10);
  EXPECT_LT(std::abs(sum / kFrames), 0.02 * 2 * kMs);
}

// Guards determinism: the same seed gives the same times, another seed different ones.
TEST(TimingEngine, JitterIsDeterministicPerSeed) {
  TimingConfig config = at_fps(60);
  config.jitter = {.kind = JitterKind::kNormal, .sigma_ns = kMs};
  const TimingEngine a(config, 5);
  const TimingEngine b(config, 5);
  const TimingEngine c(config, 6);
  int differing = 0;
  for (std::uint64_t k = 0; k < 10'000; ++k) {
    ASSERT_EQ(a.due_ns(k), b.due_ns(k));
    if (a.due_ns(k) != c.due_ns(k)) ++differing;
  }
  EXPECT_GT(differing, 9'900);
}

// Guards normal jitter: clamped to +-3 sigma, with about the configured spread.
TEST(TimingEngine, NormalJitterIsClampedToThreeSigma) {
  TimingConfig config = at_fps(30);
  config.jitter = {.kind = JitterKind::kNormal, .sigma_ns = kMs};
  const TimingEngine engine(config, 99);
  double sum_sq = 0;
  int beyond_two_sigma = 0;
  constexpr int kFrames = 200'000;
  for (std::uint64_t k = 1; k <= kFrames; ++k) {
    const TimeNs jitter = engine.due_ns(k) - engine.nominal_ns(k);
    ASSERT_LE(std::abs(jitter), 3 * kMs);
    sum_sq += static_cast<double>(jitter) * static_cast<double>(jitter);
    if (std::abs(jitter) > 2 * kMs) ++beyond_two_sigma;
  }
  const double sigma = std::sqrt(sum_sq / kFrames);
  EXPECT_NEAR(sigma, 1e6, 0.03e6);
  // A normal distribution puts 4.55% beyond 2 sigma.
  EXPECT_NEAR(beyond_two_sigma / double{kFrames}, 0.0455, 0.006);
}

// Guards ordering: jitter larger than the interval never reorders frames, and frame 0 is never
// early.
TEST(TimingEngine, JitterNeverReordersFrames) {
  TimingConfig config = at_fps(1000);
  config.jitter = {.kind = JitterKind::kUniform, .amplitude_ns = 5 * kMs};
  const TimingEngine engine(config, 3);
  EXPECT_GE(engine.due_ns(0), 0);
  for (std::uint64_t k = 1; k < 50'000; ++k) {
    ASSERT_LT(engine.due_ns(k - 1), engine.due_ns(k)) << "frame " << k;
  }
}

// Guards bursts: the run's frames come early at the burst interval, then the grid resumes.
TEST(TimingEngine, BurstPullsFramesEarlyAndTheGridResumes) {
  TimingConfig config = at_fps(30);
  config.bursts.push_back({.start = AtFrame{10}, .count = 4, .interval_ns = kMs});
  const TimingEngine engine(config, 1);
  const FrameGrid grid(*frame_interval(config.cadence));
  EXPECT_EQ(engine.due_ns(9), grid.at(9));
  EXPECT_EQ(engine.due_ns(10), grid.at(10));
  EXPECT_EQ(engine.due_ns(11), grid.at(10) + kMs);
  EXPECT_EQ(engine.due_ns(13), grid.at(10) + 3 * kMs);
  EXPECT_EQ(engine.due_ns(14), grid.at(14));
  EXPECT_EQ(engine.due_ns(40), grid.at(40));  // once only
}

// Guards repeating bursts: the run recurs every repeat_every_frames frames.
TEST(TimingEngine, RepeatingBurstRecurs) {
  TimingConfig config = at_fps(30);
  config.bursts.push_back(
      {.start = AtFrame{5}, .count = 3, .interval_ns = 2 * kMs, .repeat_every_frames = 30});
  const TimingEngine engine(config, 1);
  const FrameGrid grid(*frame_interval(config.cadence));
  for (std::uint64_t start : {5u, 35u, 65u, 30'005u}) {
    EXPECT_EQ(engine.due_ns(start + 1), grid.at(start) + 2 * kMs) << start;
    EXPECT_EQ(engine.due_ns(start + 2), grid.at(start) + 4 * kMs) << start;
    EXPECT_EQ(engine.due_ns(start + 3), grid.at(start + 3)) << start;
  }
}

// Guards a burst given by time: it starts at the first grid frame at or after that time.
TEST(TimingEngine, BurstAtTimeStartsAtFirstFrameAtOrAfterIt) {
  TimingConfig config = at_fps(30);
  config.bursts.push_back({.start = AtTime{90 * kMs}, .count = 2, .interval_ns = kMs});
  const TimingEngine engine(config, 1);
  EXPECT_EQ(engine.due_ns(3), 100 * kMs);  // frame 3 is the first at or after 90 ms
  EXPECT_EQ(engine.due_ns(4), 101 * kMs);
}

// Guards stalls: frames due in the window are dropped as stalled and the grid is kept.
TEST(TimingEngine, StallDropsFramesInsideTheWindowAndKeepsTheGrid) {
  TimingConfig config = at_fps(30);
  config.stalls.push_back({.start = AtFrame{5}, .duration_ns = 100 * kMs});
  config.stalls.push_back({.start = AtTime{1000 * kMs}, .duration_ns = 1});
  const TimingEngine engine(config, 1);
  const TimingEngine plain(at_fps(30), 1);
  for (std::uint64_t k = 0; k < 40; ++k) {
    const FramePlan plan = engine.plan(k);
    EXPECT_EQ(plan.due_ns, plain.due_ns(k));
    const bool stalled = (k >= 5 && k <= 7) || k == 30;
    EXPECT_EQ(plan.verdict, stalled ? TimingVerdict::kStall : TimingVerdict::kProduce)
        << "frame " << k;
  }
}

// Guards scheduled drops: exactly the listed frames are dropped.
TEST(TimingEngine, ScheduledDropsHitListedFrames) {
  TimingConfig config = at_fps(30);
  config.drop_frames = {7, 3, 7};
  const TimingEngine engine(config, 1);
  for (std::uint64_t k = 0; k < 10; ++k) {
    EXPECT_EQ(engine.plan(k).verdict,
              (k == 3 || k == 7) ? TimingVerdict::kScheduledDrop : TimingVerdict::kProduce);
  }
}

// Guards random drops: about the configured rate, and the same frames for the same seed.
TEST(TimingEngine, RandomDropsFollowProbabilityAndSeed) {
  TimingConfig config = at_fps(30);
  config.drop_probability = 0.1;
  const TimingEngine a(config, 11);
  const TimingEngine b(config, 11);
  int drops = 0;
  for (std::uint64_t k = 0; k < 100'000; ++k) {
    const TimingVerdict verdict = a.plan(k).verdict;
    ASSERT_EQ(verdict, b.plan(k).verdict);
    if (verdict == TimingVerdict::kRandomDrop) ++drops;
  }
  EXPECT_NEAR(drops, 10'000, 400);
}

// Guards replay: recorded times, bytes and errors, and the documented loop when it runs out.
TEST(TimingEngine, ReplayFollowsTheRecordingAndLoops) {
  TimingConfig config;
  config.cadence = TimingRecording{
      {{0, 0, false}, {10 * kMs, 1000, false}, {25 * kMs, 0, true}, {40 * kMs, 0, false}}};
  const TimingEngine engine(config, 1);
  EXPECT_EQ(engine.due_ns(0), 0);
  EXPECT_EQ(engine.due_ns(1), 10 * kMs);
  EXPECT_EQ(engine.due_ns(3), 40 * kMs);
  // Span 40 ms over 3 gaps: the next cycle starts 40 + 13.333 ms later.
  EXPECT_EQ(engine.due_ns(4), 53'333'333);
  EXPECT_EQ(engine.due_ns(5), 63'333'333);
  EXPECT_EQ(engine.due_ns(8), 106'666'666);
  EXPECT_EQ(engine.plan(5).recorded_bytes, 1000u);
  EXPECT_TRUE(engine.plan(6).recorded_error);
  EXPECT_FALSE(engine.plan(7).recorded_error);
}

// Guards resume-after-pause lookup: the first frame due at or after a time, with jitter and bursts.
TEST(TimingEngine, FirstFrameDueAtOrAfterMatchesALinearScan) {
  TimingConfig config = at_fps(30000, 1001);
  config.jitter = {.kind = JitterKind::kUniform, .amplitude_ns = 10 * kMs};
  config.bursts.push_back(
      {.start = AtFrame{3}, .count = 5, .interval_ns = kMs, .repeat_every_frames = 20});
  const TimingEngine engine(config, 8);
  for (TimeNs t : {TimeNs{0}, TimeNs{1}, 5 * kMs, 100 * kMs, 101 * kMs, 1234 * kMs, 99'999 * kMs}) {
    std::uint64_t expected = 0;
    while (engine.due_ns(expected) < t)
      ++expected;
    EXPECT_EQ(engine.first_frame_due_at_or_after(t), expected) << "t = " << t;
  }
}

}  // namespace
}  // namespace hilcap::device
