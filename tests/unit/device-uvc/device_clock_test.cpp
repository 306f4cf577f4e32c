#include "device_clock.h"

#include <gtest/gtest.h>

namespace hilcap::device::uvc {
namespace {

constexpr TimeNs kSecond = 1'000'000'000;

// Without drift the STC counts dwClockFrequency ticks per second from its offset.
TEST(DeviceClock, CountsAtFrequencyFromOffset) {
  const DeviceClock clock(48'000'000, {1000, 0.0, 0});
  EXPECT_EQ(clock.ticks(0), 1000u);
  EXPECT_EQ(clock.ticks(kSecond), 48'001'000u);
  EXPECT_EQ(clock.ticks(1), 1000u);   // 0.048 ticks: not yet one
  EXPECT_EQ(clock.ticks(21), 1001u);  // 1.008 ticks
  EXPECT_EQ(clock.ticks(-5), 1000u);
}

// A fast crystal gains ticks in proportion: +100 ppm over 10 s at 1 MHz is 1000 ticks.
TEST(DeviceClock, DriftInPpm) {
  const DeviceClock fast(1'000'000, {0, 100.0, 0});
  const DeviceClock slow(1'000'000, {0, -250.0, 0});
  EXPECT_EQ(fast.ticks(10 * kSecond), 10'001'000u);
  EXPECT_EQ(slow.ticks(10 * kSecond), 9'997'500u);
}

// PTS/SCR carry 32 bits: the STC wraps, and the offset places the wrap.
TEST(DeviceClock, StcWrapsAt32Bits) {
  const DeviceClock clock(1'000'000, {0xFFFF'FF00ull, 0.0, 0});
  EXPECT_EQ(clock.stc(0), 0xFFFF'FF00u);
  EXPECT_EQ(clock.stc(256'000), 0u);  // 256 ticks later
  EXPECT_EQ(clock.ticks(256'000), 0x1'0000'0000ull);
}

// SOF is the bus's 1 kHz frame number, 11 bits, unaffected by the device's drift.
TEST(DeviceClock, SofCounts11BitsAtOneKilohertz) {
  const DeviceClock clock(1'000'000, {0, 500.0, 2040});
  EXPECT_EQ(clock.sof(0), 2040);
  EXPECT_EQ(clock.sof(999'999), 2040);
  EXPECT_EQ(clock.sof(1'000'000), 2041);
  EXPECT_EQ(clock.sof(8'000'000), 0);  // 2048 wraps
  EXPECT_EQ(clock.scr(8'000'000), (SourceClockReference{clock.stc(8'000'000), 0}));
}

// time_of_tick() is the exact inverse: the first nanosecond at which the tick is reached.
TEST(DeviceClock, TimeOfTickIsExactInverse) {
  const DeviceClock clock(30'000'000, {12345, 37.5, 0});
  for (const std::uint64_t tick : {12346ull, 30'000'000ull, 987'654'321ull, 1ull << 40}) {
    const TimeNs t = clock.time_of_tick(tick);
    EXPECT_GE(clock.ticks(t), tick);
    EXPECT_LT(clock.ticks(t - 1), tick);
  }
  EXPECT_EQ(clock.time_of_tick(100), 0);  // before the offset
}

// Long runs stay exact: a day at 48 MHz with drift is integer arithmetic, no rounding drift.
TEST(DeviceClock, ExactOverLongRuns) {
  const DeviceClock clock(48'000'000, {0, 1.0, 0});
  const TimeNs day = 86'400 * kSecond;
  EXPECT_EQ(clock.ticks(day), 86'400ull * 48'000'048);
}

}  // namespace
}  // namespace hilcap::device::uvc
