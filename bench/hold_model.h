// The hold model both scheduler benchmarks use (event_loop_bench: ratio per
// repeat with the harness; scheduler_bench: Google Benchmark, with a
// timeout-cancelling variant): K events pending, each run schedules one more
// after a pseudo-random delay; and the bare std::priority_queue entry that is
// the baseline.
#pragma once

#include <cstdint>

#include "scheduler/scheduler.h"

namespace hilcap::bench {

// xorshift64: the same delays in every run, 1 ns to 1 ms.
struct DelaySource {
  std::uint64_t state = 0x9E3779B97F4A7C15ull;
  sim::TimeNs next() {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return static_cast<sim::TimeNs>(1 + state % 1'000'000);
  }
};

// One event of the bare baseline loop, ordered like the scheduler's.
struct BareEvent {
  sim::TimeNs at;
  std::uint64_t sequence;
  bool operator>(const BareEvent& o) const {
    return at != o.at ? at > o.at : sequence > o.sequence;
  }
};

}  // namespace hilcap::bench
