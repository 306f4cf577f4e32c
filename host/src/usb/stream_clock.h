// The device clock of a UVC stream in host terms. PTS and SCR.STC count ticks
// of the device's clock (dwClockFrequency), 32 bits that wrap; the host knows
// when each frame's transfer completed. StreamClock unwraps the ticks, turns
// them into ns of the device clock, and fits host time against SCR.STC (least
// squares over the last frames) to place each PTS on the host's clock.
//
// What the fit is and is not: SCR also carries the USB SOF counter, and an
// exact conversion pairs the device clock with the host's bus frame number at
// the same SOF; libusb does not expose the host's frame counter, so the fit
// pairs SCR.STC with the completion time instead. The result runs at the
// right rate (the slope absorbs the device crystal's drift) but carries the
// mean completion latency as an offset, and jitter averages out only over the
// window.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>

namespace hilcap::uvc {

class StreamClock {
 public:
  // `frequency_hz` 0: unknown (no device-time conversion; the fit still works).
  explicit StreamClock(std::uint32_t frequency_hz, std::size_t window = 32);

  // A frame's last SCR.STC and the host time (ns) its transfer completed.
  void add_sample(std::uint32_t stc, std::int64_t host_ns);
  // The PTS in ns of the device clock since the first tick seen (unwrapped).
  std::optional<std::int64_t> device_ns(std::uint32_t pts);
  // The PTS on the host clock; nothing until the fit has enough samples.
  std::optional<std::int64_t> host_ns(std::uint32_t pts);

 private:
  std::int64_t unwrap(std::uint32_t ticks);

  struct Sample {
    std::int64_t ticks;
    std::int64_t host_ns;
  };
  std::uint32_t frequency_hz_;
  std::size_t window_;
  std::optional<std::int64_t> last_;  // unwrapped ticks of the last value seen
  std::deque<Sample> samples_;
};

}  // namespace hilcap::uvc
