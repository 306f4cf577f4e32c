// TimingEngine: when each frame of a stream is due and what happens to it.
//
// Pure: a function of the frame number k (and the seed), with no scheduler and
// no state that changes as frames go by, so any frame can be asked about in any
// order and the answer is the same on every run and machine. Times are ns since
// the stream started.
//
//   nominal(k)  base grid (exact rational, no drift) or the replayed recording,
//               with bursts pulled in;
//   due(k)      nominal(k) + jitter(k), jitter clamped to keep frames strictly
//               ordered (see JitterConfig);
//   verdict(k)  produce, or drop: stall (due inside a stall window) before
//               scheduled drop (k listed) before random drop (probability).
#pragma once

#include <hilcap/device_internal.h>

#include <cstdint>
#include <optional>
#include <vector>

#include "device_config.h"
#include "frame_grid.h"
#include "seeded_random.h"

namespace hilcap::device {

// Whether the timing lets frame k be produced, and if not, why it is dropped.
enum class TimingVerdict : std::uint8_t { kProduce, kStall, kScheduledDrop, kRandomDrop };

struct FramePlan {
  TimeNs due_ns = 0;  // since the stream started
  TimingVerdict verdict = TimingVerdict::kProduce;
  std::uint32_t recorded_bytes = 0;  // replay: bytes the recorded frame carried (0: whole)
  bool recorded_error = false;       // replay: the recorded frame was an error
};

class TimingEngine {
 public:
  // `config` must be valid (TimingConfig::validate() empty).
  TimingEngine(const TimingConfig& config, std::uint64_t seed);

  TimeNs nominal_ns(std::uint64_t k) const;
  TimeNs due_ns(std::uint64_t k) const;
  FramePlan plan(std::uint64_t k) const;

  // The first frame whose due time is at or after `t` (used to resume after a
  // pause on the original grid). O(log k) due() evaluations.
  std::uint64_t first_frame_due_at_or_after(TimeNs t) const;

  TimeNs dma_ns() const { return dma_ns_; }
  TimeNs interrupt_latency_ns() const { return interrupt_latency_ns_; }

 private:
  struct Burst {
    std::uint64_t start_frame;
    std::uint32_t count;
    TimeNs interval_ns;
    std::uint64_t repeat_every_frames;
  };
  struct Window {
    TimeNs begin;
    TimeNs end;  // exclusive
  };

  TimeNs replay_ns(std::uint64_t k) const;
  TimeNs raw_jitter_ns(std::uint64_t k) const;

  std::optional<FrameGrid> grid_;         // fps / interval_ns
  std::vector<RecordedFrame> recording_;  // replay
  TimeNs recording_span_ = 0;
  JitterConfig jitter_;
  SeededDraws jitter_draws_;
  std::vector<Burst> bursts_;
  std::vector<Window> stalls_;
  std::vector<std::uint64_t> drop_frames_;  // sorted, unique
  ProbabilityThreshold drop_threshold_;
  SeededDraws drop_draws_;
  TimeNs dma_ns_ = 0;
  TimeNs interrupt_latency_ns_ = 0;
};

}  // namespace hilcap::device
