#include "timing_engine.h"

#include <algorithm>
#include <limits>

namespace hilcap::device {
namespace {

constexpr TimeNs kTimeMax = std::numeric_limits<TimeNs>::max();

TimeNs saturating_add(TimeNs a, TimeNs b) {
  return a > kTimeMax - b ? kTimeMax : a + b;
}

// Sum of twelve 16-bit uniforms taken from three draws, centred and doubled:
// approximately normal with standard deviation 131072 (Irwin-Hall, n = 12),
// bounded to +-786420. Integer-only, hence identical on every machine.
std::int64_t twelve_uniform_sum(std::uint64_t a, std::uint64_t b, std::uint64_t c) {
  std::int64_t sum = 0;
  for (std::uint64_t draw : {a, b, c}) {
    for (int part = 0; part < 4; ++part)
      sum += static_cast<std::int64_t>((draw >> (16 * part)) & 0xFFFF);
  }
  return 2 * sum - 12 * 0xFFFF;
}
constexpr std::int64_t kTwelveUniformSigma = 131072;

}  // namespace

TimingEngine::TimingEngine(const TimingConfig& config, std::uint64_t seed)
    : jitter_(config.jitter),
      jitter_draws_(seed, DrawStream::kJitter),
      drop_threshold_(probability_threshold(config.drop_probability)),
      drop_draws_(seed, DrawStream::kRandomDrop),
      dma_ns_(config.dma_ns),
      interrupt_latency_ns_(config.interrupt_latency_ns) {
  if (jitter_.kind == JitterKind::kNormal) {
    jitter_draws_ = SeededDraws(seed, DrawStream::kNormalJitter);
  }
  if (const auto interval = frame_interval(config.cadence)) {
    grid_.emplace(*interval);
  } else {
    recording_ = std::get<TimingRecording>(config.cadence).frames;
    recording_span_ = recording_.back().at_ns;
  }
  for (const BurstSpec& spec : config.bursts) {
    const auto* frame = std::get_if<AtFrame>(&spec.start);
    bursts_.push_back(
        {.start_frame =
             frame ? frame->frame : grid_->first_at_or_after(std::get<AtTime>(spec.start).time_ns),
         .count = spec.count,
         .interval_ns = spec.interval_ns,
         .repeat_every_frames = spec.repeat_every_frames});
  }
  // Stall windows last: a stall at a frame starts at that frame's due time.
  for (const StallSpec& spec : config.stalls) {
    const auto* frame = std::get_if<AtFrame>(&spec.start);
    const TimeNs begin = frame ? due_ns(frame->frame) : std::get<AtTime>(spec.start).time_ns;
    stalls_.push_back({.begin = begin, .end = saturating_add(begin, spec.duration_ns)});
  }
  drop_frames_ = config.drop_frames;
  std::sort(drop_frames_.begin(), drop_frames_.end());
  drop_frames_.erase(std::unique(drop_frames_.begin(), drop_frames_.end()), drop_frames_.end());
}

TimeNs TimingEngine::replay_ns(std::uint64_t k) const {
  const std::uint64_t n = recording_.size();
  const std::uint64_t cycle = k / n;
  // Cycle c starts at c * (span + span / (n - 1)), exactly, truncated to ns.
  const unsigned __int128 cycle_start = static_cast<unsigned __int128>(cycle) *
                                        static_cast<std::uint64_t>(recording_span_) * n / (n - 1);
  const unsigned __int128 t = cycle_start + static_cast<std::uint64_t>(recording_[k % n].at_ns);
  return t > static_cast<unsigned __int128>(kTimeMax) ? kTimeMax : static_cast<TimeNs>(t);
}

TimeNs TimingEngine::nominal_ns(std::uint64_t k) const {
  if (!grid_) return replay_ns(k);
  for (const Burst& burst : bursts_) {
    if (k <= burst.start_frame) continue;
    std::uint64_t offset = k - burst.start_frame;
    if (burst.repeat_every_frames != 0) offset %= burst.repeat_every_frames;
    if (offset != 0 && offset < burst.count) {
      return saturating_add(grid_->at(k - offset), static_cast<TimeNs>(offset) * burst.interval_ns);
    }
  }
  return grid_->at(k);
}

TimeNs TimingEngine::raw_jitter_ns(std::uint64_t k) const {
  switch (jitter_.kind) {
    case JitterKind::kNone:
      return 0;
    case JitterKind::kUniform: {
      const std::uint64_t a = static_cast<std::uint64_t>(jitter_.amplitude_ns);
      if (a == 0) return 0;
      return static_cast<TimeNs>(uniform_below(jitter_draws_.at(k), 2 * a + 1)) -
             jitter_.amplitude_ns;
    }
    case JitterKind::kNormal: {
      if (jitter_.sigma_ns == 0) return 0;
      const std::int64_t z = twelve_uniform_sum(
          jitter_draws_.at(3 * k), jitter_draws_.at(3 * k + 1), jitter_draws_.at(3 * k + 2));
      const auto jitter =
          static_cast<TimeNs>(static_cast<__int128>(z) * jitter_.sigma_ns / kTwelveUniformSigma);
      return std::clamp(jitter, -3 * jitter_.sigma_ns, 3 * jitter_.sigma_ns);
    }
  }
  return 0;
}

TimeNs TimingEngine::due_ns(std::uint64_t k) const {
  const TimeNs nominal = nominal_ns(k);
  if (jitter_.kind == JitterKind::kNone) return nominal;
  const TimeNs raw = raw_jitter_ns(k);
  if (raw == 0) return nominal;
  // Just under half the gap to each neighbour: due times stay strictly increasing.
  const TimeNs max_early = k == 0 ? 0 : (nominal - nominal_ns(k - 1) - 1) / 2;
  const TimeNs max_late = (nominal_ns(k + 1) - nominal - 1) / 2;
  return nominal + std::clamp(raw, -max_early, max_late);
}

FramePlan TimingEngine::plan(std::uint64_t k) const {
  FramePlan plan;
  plan.due_ns = due_ns(k);
  if (!recording_.empty()) {
    const RecordedFrame& recorded = recording_[k % recording_.size()];
    plan.recorded_bytes = recorded.bytes;
    plan.recorded_error = recorded.error;
  }
  for (const Window& stall : stalls_) {
    if (plan.due_ns >= stall.begin && plan.due_ns < stall.end) {
      plan.verdict = TimingVerdict::kStall;
      return plan;
    }
  }
  if (std::binary_search(drop_frames_.begin(), drop_frames_.end(), k)) {
    plan.verdict = TimingVerdict::kScheduledDrop;
  } else if (!drop_threshold_.never() && drop_threshold_.hit(drop_draws_.at(k))) {
    plan.verdict = TimingVerdict::kRandomDrop;
  }
  return plan;
}

std::uint64_t TimingEngine::first_frame_due_at_or_after(TimeNs t) const {
  if (due_ns(0) >= t) return 0;
  // due() is strictly increasing: bracket, then bisect. Invariant: due(low) < t <= due(high).
  std::uint64_t low = 0;
  std::uint64_t high = 1;
  while (due_ns(high) < t) {
    low = high;
    high *= 2;
  }
  while (high - low > 1) {
    const std::uint64_t mid = low + (high - low) / 2;
    (due_ns(mid) < t ? low : high) = mid;
  }
  return high;
}

}  // namespace hilcap::device
