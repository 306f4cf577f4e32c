#include "device_clock.h"

#include <cmath>

namespace hilcap::device::uvc {

namespace {

constexpr unsigned __int128 kNsPerSecond = 1'000'000'000;
constexpr std::int64_t kPpbUnity = 1'000'000'000;  // 1 + drift, in parts per billion
constexpr TimeNs kNsPerBusFrame = 1'000'000;

}  // namespace

// Drift is held in integer parts per billion so that ticks() is exact integer
// arithmetic: the same on every machine.
DeviceClock::DeviceClock(std::uint32_t frequency_hz, const DeviceClockSettings& settings)
    : frequency_hz_(frequency_hz),
      offset_(settings.stc_offset_ticks),
      drift_ppb_(std::llround(settings.drift_ppm * 1000.0)),
      sof_offset_(settings.sof_offset) {}

std::uint64_t DeviceClock::ticks(TimeNs t) const {
  if (t <= 0) return offset_;
  const unsigned __int128 rate = static_cast<unsigned __int128>(kPpbUnity + drift_ppb_);
  const unsigned __int128 elapsed = static_cast<unsigned __int128>(t) * frequency_hz_ * rate /
                                    (kNsPerSecond * static_cast<unsigned __int128>(kPpbUnity));
  return offset_ + static_cast<std::uint64_t>(elapsed);
}

std::uint16_t DeviceClock::sof(TimeNs t) const {
  const std::uint64_t frames = t <= 0 ? 0 : static_cast<std::uint64_t>(t / kNsPerBusFrame);
  return static_cast<std::uint16_t>((sof_offset_ + frames) & 0x7ff);
}

TimeNs DeviceClock::time_of_tick(std::uint64_t tick) const {
  if (tick <= offset_) return 0;
  const unsigned __int128 rate = static_cast<unsigned __int128>(kPpbUnity + drift_ppb_);
  const unsigned __int128 num =
      static_cast<unsigned __int128>(tick - offset_) * kNsPerSecond * kPpbUnity;
  const unsigned __int128 den = static_cast<unsigned __int128>(frequency_hz_) * rate;
  return static_cast<TimeNs>((num + den - 1) / den);
}

}  // namespace hilcap::device::uvc
