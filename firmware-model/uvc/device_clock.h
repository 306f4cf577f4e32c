// The UVC device's clocks, as its payload headers report them: the System
// Time Clock (STC, dwClockFrequency, sampled into PTS and SCR) and the USB bus
// frame counter (SOF, 11 bits at 1 kHz, also in SCR). The STC runs off the
// device's own crystal, so it can be offset and drift against the bus; the SOF
// follows the host's bus. Ground truth for checking a host's conversion of
// PTS/SCR to host time.
#pragma once

#include <hilcap/device/timebase.h>
#include <hilcap/device_internal.h>

#include <cstdint>

namespace hilcap::device::uvc {

struct DeviceClockSettings {
  // STC value at time 0; a value just below 2^32 puts the 32-bit wrap early in a run.
  std::uint64_t stc_offset_ticks = 0;
  // Crystal error of the device: +100 means the STC runs 100 ppm fast.
  double drift_ppm = 0.0;
  // Bus frame number at time 0.
  std::uint32_t sof_offset = 0;

  friend bool operator==(const DeviceClockSettings&, const DeviceClockSettings&) = default;
};

// SCR field of a payload header: STC sampled at the payload's transmission and
// the bus frame number of that moment.
struct SourceClockReference {
  std::uint32_t stc = 0;
  std::uint16_t sof = 0;  // 11 bits
  friend bool operator==(const SourceClockReference&, const SourceClockReference&) = default;
};

class DeviceClock {
 public:
  DeviceClock(std::uint32_t frequency_hz, const DeviceClockSettings& settings);

  std::uint32_t frequency_hz() const { return frequency_hz_; }

  // STC ticks elapsed at time t, not wrapped (t < 0 counts as 0).
  std::uint64_t ticks(TimeNs t) const;
  // STC as PTS and SCR carry it: 32 bits, wrapping.
  std::uint32_t stc(TimeNs t) const { return static_cast<std::uint32_t>(ticks(t)); }
  // USB frame number (1 ms frames), 11 bits.
  std::uint16_t sof(TimeNs t) const;
  SourceClockReference scr(TimeNs t) const { return {stc(t), sof(t)}; }
  // Earliest time at which ticks() reaches `tick` (the inverse, for ground truth).
  TimeNs time_of_tick(std::uint64_t tick) const;

 private:
  std::uint32_t frequency_hz_;
  std::uint64_t offset_;
  std::int64_t drift_ppb_;
  std::uint32_t sof_offset_;
};

}  // namespace hilcap::device::uvc
