#include "stream_clock.h"

namespace hilcap::uvc {

namespace {
constexpr std::size_t kMinSamples = 4;
}

StreamClock::StreamClock(std::uint32_t frequency_hz, std::size_t window)
    : frequency_hz_(frequency_hz), window_(window < kMinSamples ? kMinSamples : window) {}

std::int64_t StreamClock::unwrap(std::uint32_t ticks) {
  if (!last_) {
    last_ = ticks;
    return *last_;
  }
  // Values seen along a stream are close in time: the signed 32-bit distance
  // to the last one places a value across a wrap in either direction.
  const auto delta = static_cast<std::int32_t>(ticks - static_cast<std::uint32_t>(*last_));
  const std::int64_t value = *last_ + delta;
  if (value > *last_) last_ = value;
  return value;
}

void StreamClock::add_sample(std::uint32_t stc, std::int64_t host_ns) {
  samples_.push_back({unwrap(stc), host_ns});
  if (samples_.size() > window_) samples_.pop_front();
}

std::optional<std::int64_t> StreamClock::device_ns(std::uint32_t pts) {
  const std::int64_t ticks = unwrap(pts);
  if (frequency_hz_ == 0) return std::nullopt;
  return static_cast<std::int64_t>(static_cast<long double>(ticks) * 1e9L / frequency_hz_);
}

std::optional<std::int64_t> StreamClock::host_ns(std::uint32_t pts) {
  const std::int64_t ticks = unwrap(pts);
  if (samples_.size() < kMinSamples) return std::nullopt;
  // Least squares host = mean_host + slope * (ticks - mean_ticks), about the
  // first sample to keep the sums small.
  const Sample& origin = samples_.front();
  long double sx = 0, sy = 0;
  for (const Sample& s : samples_) {
    sx += s.ticks - origin.ticks;
    sy += s.host_ns - origin.host_ns;
  }
  const auto n = static_cast<long double>(samples_.size());
  const long double mx = sx / n, my = sy / n;
  long double sxx = 0, sxy = 0;
  for (const Sample& s : samples_) {
    const long double dx = (s.ticks - origin.ticks) - mx;
    sxx += dx * dx;
    sxy += dx * ((s.host_ns - origin.host_ns) - my);
  }
  if (sxx <= 0) return std::nullopt;
  const long double slope = sxy / sxx;
  if (slope <= 0) return std::nullopt;  // host time cannot run backwards with the device's
  const long double x = static_cast<long double>(ticks - origin.ticks) - mx;
  return origin.host_ns + static_cast<std::int64_t>(my + slope * x);
}

}  // namespace hilcap::uvc
