// The base frame grid: frame k is due floor(k * num_ns / den) ns after the
// stream start, computed exactly (128-bit intermediate), so there is no drift
// however long the run: at 30000/1001 fps, frame 10^6 is due at exactly
// floor(10^6 * 1001e9 / 30000) ns.
#pragma once

#include <hilcap/device/timebase.h>
#include <hilcap/device_internal.h>

#include <cstdint>
#include <limits>

#include "device_config.h"

namespace hilcap::device {

class FrameGrid {
 public:
  explicit FrameGrid(RationalInterval interval) : interval_(interval) {}

  TimeNs at(std::uint64_t k) const {
    // The 64-bit path avoids a 128-bit division in the common case.
    if (interval_.num_ns <= kFastLimit && k <= kFastLimit) {
      return static_cast<TimeNs>(k * interval_.num_ns / interval_.den);
    }
    const unsigned __int128 t =
        static_cast<unsigned __int128>(k) * interval_.num_ns / interval_.den;
    constexpr auto kMax = static_cast<unsigned __int128>(std::numeric_limits<TimeNs>::max());
    return static_cast<TimeNs>(t > kMax ? kMax : t);
  }

  // The first frame due at or after `t`.
  std::uint64_t first_at_or_after(TimeNs t) const {
    if (t <= 0) return 0;
    const unsigned __int128 scaled = static_cast<unsigned __int128>(t) * interval_.den;
    return static_cast<std::uint64_t>((scaled + interval_.num_ns - 1) / interval_.num_ns);
  }

  // The shortest gap between two grid frames.
  TimeNs min_gap() const { return static_cast<TimeNs>(interval_.num_ns / interval_.den); }

  const RationalInterval& interval() const { return interval_; }

 private:
  static constexpr std::uint64_t kFastLimit = std::uint64_t{1} << 32;
  RationalInterval interval_;
};

}  // namespace hilcap::device
