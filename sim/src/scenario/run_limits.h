// The bounds a run stays within unless its scenario says otherwise (the
// "limits" section), and the checks against them that the loader makes
// before anything runs: a virtual-time run whose event count a typo made
// practically endless, a pool too large to commit by accident, a real-time
// run of more than an hour.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "scenario/scenario.h"
#include "scenario/scenario_error.h"

namespace hilcap::sim {

// limits.max_events by default: about 3 minutes of one core at the ~6
// million events per second a virtual-time run manages (bench/).
inline constexpr std::uint64_t kDefaultMaxEvents = 1'000'000'000;
// limits.max_pool_bytes by default: a pool is committed (every page touched)
// when the allocator is created.
inline constexpr std::uint64_t kDefaultMaxPoolBytes = std::uint64_t{1} << 30;
// The most limits.max_pool_bytes may allow: the KS allocator's own limit
// (kKsPolicy.max_pool_bytes in host/src/ks_policy.h, for every KS client).
inline constexpr std::uint64_t kKsMaxPoolBytes = std::uint64_t{1} << 32;
// A real-time run takes its duration in wall time: an hour bounds a typo.
inline constexpr TimeNs kMaxRealtimeDurationNs = 3600 * TimeNs{1'000'000'000};

struct RunLimits {
  std::uint64_t max_events = kDefaultMaxEvents;
  bool max_events_given = false;
  std::uint64_t max_pool_bytes = kDefaultMaxPoolBytes;
  bool max_pool_bytes_given = false;
};

// Reads `doc["limits"]` (schema-checked).
RunLimits read_limits(const nlohmann::json& doc);

// How many events a virtual-time run of `scenario` takes, roughly: frames
// (duration x rate) x (3 + 2 per client model), plus 2 per cancel_after_ms
// cycle of each ALLOC a client keeps in flight, plus 1 per script step.
struct EventEstimate {
  double frames = 0;
  double events_per_frame = 0;
  double events = 0;
};
EventEstimate estimate_events(const Scenario& scenario);

// Refuses at /duration_s a virtual-time run whose estimate exceeds
// limits.max_events (unless `allow_long_run`), naming the rate's pointer,
// the duration and the estimate.
void check_event_estimate(const Scenario& scenario, const nlohmann::json& doc,
                          const RunLimits& limits, bool allow_long_run, ScenarioChecks& checks);

// The bytes a pool of this framing maps (and commits): slots of FrameSize
// rounded up to the alignment, times Frames, in whole pages, as the KS
// allocator's frame pool counts them.
std::uint64_t pool_bytes(const KSALLOCATOR_FRAMING& framing);

}  // namespace hilcap::sim
