// Benchmark 4 (issue 4), events/s: the virtual-time scheduler against a bare
// std::priority_queue event loop with the same number K of pending events,
// in the harness (interleaved in one process, ratio per repeat).
//
// Hold model (perf-limits.md section 5): each step takes the earliest event
// and schedules one new event at now + a pseudo-random delay in [1, 1e6] ns,
// so K stays constant. The baseline's events are {time, sequence} with a FIFO
// tie-break and no callback; ours store and invoke a callback (the successor
// is scheduled from inside it). Target: >= 0.2 of the bare loop's events/s.
// (scheduler_bench.cpp measures the same with Google Benchmark, and the
// timeout-cancelling variant.) Frames/s of whole runs: scenario_bench.cpp.
//
// Usage: event_loop_bench [repeats, default 9]
#include <cstdint>
#include <cstdlib>
#include <queue>
#include <string>
#include <vector>

#include "harness.h"
#include "hold_model.h"
#include "scheduler/virtual_scheduler.h"

namespace {

using hilcap::bench::monotonic_ns;
using hilcap::sim::TimeNs;
using hilcap::sim::VirtualScheduler;

constexpr std::int64_t kSteps = 4'000'000;

using hilcap::bench::BareEvent;
using hilcap::bench::DelaySource;

// M events/s of the bare loop.
double bare_loop(int k) {
  std::priority_queue<BareEvent, std::vector<BareEvent>, std::greater<>> queue;
  DelaySource delays;
  std::uint64_t sequence = 0;
  for (int i = 0; i < k; ++i)
    queue.push({delays.next(), sequence++});
  const std::int64_t start = monotonic_ns();
  for (std::int64_t i = 0; i < kSteps; ++i) {
    const BareEvent top = queue.top();
    queue.pop();
    queue.push({top.at + delays.next(), sequence++});
  }
  const std::int64_t elapsed = monotonic_ns() - start;
  volatile TimeNs sink = queue.top().at;
  (void)sink;
  return static_cast<double>(kSteps) * 1e3 / static_cast<double>(elapsed);
}

// The callback schedules its own successor: small, trivially copyable, stored inline.
struct HoldEvent {
  struct Context {
    VirtualScheduler* scheduler;
    DelaySource delays;
  } * context;
  void operator()() const {
    context->scheduler->schedule_after(context->delays.next(), HoldEvent{context});
  }
};

// M events/s of the VirtualScheduler.
double scheduler_loop(int k) {
  VirtualScheduler scheduler;
  HoldEvent::Context context{&scheduler, {}};
  for (int i = 0; i < k; ++i)
    scheduler.schedule_at(context.delays.next(), HoldEvent{&context});
  const std::int64_t start = monotonic_ns();
  for (std::int64_t i = 0; i < kSteps; ++i)
    scheduler.run_one();
  const std::int64_t elapsed = monotonic_ns() - start;
  volatile TimeNs sink = scheduler.now();
  (void)sink;
  return static_cast<double>(kSteps) * 1e3 / static_cast<double>(elapsed);
}

}  // namespace

int main(int argc, char** argv) {
  const int repeats = argc > 1 ? std::atoi(argv[1]) : 9;
  hilcap::bench::pin_to_cpu(0);
  for (const int k : {16, 64}) {
    const std::string pending = " (K=" + std::to_string(k) + ")";
    hilcap::bench::Suite suite("virtual-time event loop, hold model, K=" + std::to_string(k) +
                                   " pending events (one thread)",
                               "M events/s", repeats);
    suite.add("VirtualScheduler" + pending, [k] { return scheduler_loop(k); });
    suite.add("std::priority_queue loop" + pending, [k] { return bare_loop(k); });
    suite.compare({"VirtualScheduler" + pending, "std::priority_queue loop" + pending, 0.2, false});
    suite.run();
    suite.print();
  }
  return 0;  // a benchmark reports its targets; it does not fail the build
}
