// StreamClock: PTS/SCR device ticks unwrapped, in device ns, and fitted to host time.
#include "stream_clock.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace hilcap::uvc {
namespace {

constexpr std::uint32_t kHz = 48'000'000;

// Guards PTS to device time: ticks / dwClockFrequency, counted from the first tick seen.
TEST(StreamClock, DeviceTimeFromTicks) {
  StreamClock clock(kHz);
  EXPECT_EQ(clock.device_ns(48'000), 48'000 * 1'000'000'000ll / kHz);
  EXPECT_EQ(clock.device_ns(96'000), 2'000'000);
  StreamClock unknown(0);
  EXPECT_FALSE(unknown.device_ns(5));
}

// Guards the 32-bit wrap of STC and PTS: a value just past 2^32 continues upward, and one
// just before the last seen (an earlier PTS) stays before it.
TEST(StreamClock, UnwrapsAcrossTheWrap) {
  StreamClock clock(1'000'000'000);  // 1 GHz: a tick is a ns
  ASSERT_EQ(clock.device_ns(0xFFFF'FF00u), 0xFFFF'FF00ll);
  EXPECT_EQ(clock.device_ns(0x0000'0100u), 0x1'0000'0100ll);
  EXPECT_EQ(clock.device_ns(0xFFFF'FFF0u), 0xFFFF'FFF0ll);  // earlier, before the wrap
  EXPECT_EQ(clock.device_ns(0x0000'0200u), 0x1'0000'0200ll);
}

// Guards the fit: with SCR samples of a device clock running 100 ppm fast and a constant
// transfer latency, PTS maps onto the host clock at the right rate, offset by that latency.
TEST(StreamClock, FitsHostTimeAcrossDriftAndWrap) {
  StreamClock clock(kHz);
  const double ticks_per_host_ns = kHz / 1e9 * (1 + 100e-6);
  const std::int64_t latency_ns = 250'000;
  const std::uint64_t start_ticks = 0xFFFF'0000u;  // wraps within the run
  std::optional<std::int64_t> mapped;
  for (int k = 0; k < 40; ++k) {
    const std::int64_t host_ns = 1'000'000'000 + k * 33'333'333ll;
    const auto stc = static_cast<std::uint32_t>(
        start_ticks + static_cast<std::uint64_t>((host_ns - 1e9) * ticks_per_host_ns));
    EXPECT_EQ(k >= 4, clock.host_ns(stc).has_value()) << k;  // needs a few samples first
    clock.add_sample(stc, host_ns + latency_ns);
  }
  // A PTS 10 ms of host time after the last sample's STC.
  const std::int64_t host_ns = 1'000'000'000 + 39 * 33'333'333ll + 10'000'000;
  const auto pts = static_cast<std::uint32_t>(
      start_ticks + static_cast<std::uint64_t>((host_ns - 1e9) * ticks_per_host_ns));
  mapped = clock.host_ns(pts);
  ASSERT_TRUE(mapped);
  EXPECT_NEAR(static_cast<double>(*mapped), static_cast<double>(host_ns + latency_ns), 2'000.0);
}

// Guards against a fit with nothing to fit: samples all at one device time give no host time.
TEST(StreamClock, DegenerateSamplesGiveNoHostTime) {
  StreamClock clock(kHz);
  for (int k = 0; k < 8; ++k)
    clock.add_sample(1000, 5'000 + k);
  EXPECT_FALSE(clock.host_ns(1000));
}

}  // namespace
}  // namespace hilcap::uvc
