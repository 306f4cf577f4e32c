// Virtual-time scheduler against a bare std::priority_queue hold loop.
//
// Hold model (perf-limits.md section 5): K events pending; each step takes the
// earliest event and schedules one new event at now + a pseudo-random delay
// in [1, 1e6] ns, so K stays constant. The baseline is a std::priority_queue
// of {time, sequence} with a FIFO tie-break and no callback; our scheduler
// additionally stores and invokes a std::function per event. Both run in the
// same process, interleaved (--benchmark_enable_random_interleaving), and the
// program ends with the ratio of the median rates per K (target >= 0.5).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <map>
#include <queue>
#include <string>
#include <vector>

#include "hold_model.h"
#include "scheduler/virtual_scheduler.h"

namespace {

using hilcap::sim::EventId;
using hilcap::sim::TimeNs;
using hilcap::sim::VirtualScheduler;

using hilcap::bench::BareEvent;
using hilcap::bench::DelaySource;

void BM_PriorityQueueHold(benchmark::State& state) {
  const auto k = static_cast<int>(state.range(0));
  std::priority_queue<BareEvent, std::vector<BareEvent>, std::greater<>> queue;
  DelaySource delays;
  std::uint64_t sequence = 0;
  for (int i = 0; i < k; ++i)
    queue.push({delays.next(), sequence++});
  for (auto _ : state) {
    const BareEvent top = queue.top();
    queue.pop();
    queue.push({top.at + delays.next(), sequence++});
  }
  benchmark::DoNotOptimize(queue.top());
  state.SetItemsProcessed(state.iterations());
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

void BM_VirtualSchedulerHold(benchmark::State& state) {
  const auto k = static_cast<int>(state.range(0));
  VirtualScheduler scheduler;
  HoldEvent::Context context{&scheduler, {}};
  for (int i = 0; i < k; ++i)
    scheduler.schedule_at(context.delays.next(), HoldEvent{&context});
  for (auto _ : state)
    scheduler.run_one();
  benchmark::DoNotOptimize(scheduler.now());
  state.SetItemsProcessed(state.iterations());
}

// A client-timeout pattern: every event also re-arms a far timeout, cancelling
// the previous one, so half of all scheduled events end up cancelled.
struct TimeoutEvent {
  struct Context {
    VirtualScheduler* scheduler;
    DelaySource delays;
    std::vector<EventId> timeouts;
  } * context;
  std::uint32_t index;
  void operator()() const {
    Context& c = *context;
    c.scheduler->cancel(c.timeouts[index]);
    c.timeouts[index] = c.scheduler->schedule_after(1'000'000'000, [] {});
    c.scheduler->schedule_after(c.delays.next(), TimeoutEvent{context, index});
  }
};

void BM_VirtualSchedulerHoldWithTimeouts(benchmark::State& state) {
  const auto k = static_cast<int>(state.range(0));
  VirtualScheduler scheduler;
  TimeoutEvent::Context context{&scheduler, {}, std::vector<EventId>(k, 0)};
  for (int i = 0; i < k; ++i) {
    scheduler.schedule_at(context.delays.next(),
                          TimeoutEvent{&context, static_cast<std::uint32_t>(i)});
  }
  for (auto _ : state)
    scheduler.run_one();
  benchmark::DoNotOptimize(scheduler.now());
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK(BM_PriorityQueueHold)->Arg(16)->Arg(64);
BENCHMARK(BM_VirtualSchedulerHold)->Arg(16)->Arg(64);
BENCHMARK(BM_VirtualSchedulerHoldWithTimeouts)->Arg(16)->Arg(64);

// Prints the console report, then the ratio of our median rate to the
// baseline's for each K measured in this process.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& run : runs) {
      const bool median = run.run_type == Run::RT_Aggregate && run.aggregate_name == "median";
      const bool single = run.run_type == Run::RT_Iteration && run.repetitions <= 1;
      const auto rate = run.counters.find("items_per_second");
      if ((!median && !single) || rate == run.counters.end()) continue;
      rates_[run.run_name.args][run.run_name.function_name] = rate->second.value;
    }
  }

  void Finalize() override {
    ConsoleReporter::Finalize();
    for (const auto& [k, by_name] : rates_) {
      const auto base = by_name.find("BM_PriorityQueueHold");
      if (base == by_name.end()) continue;
      for (const auto& [name, rate] : by_name) {
        if (name == base->first) continue;
        std::printf("ratio %s / BM_PriorityQueueHold, K=%s: %.2f (%.1f vs %.1f M events/s)\n",
                    name.c_str(), k.c_str(), rate / base->second, rate / 1e6, base->second / 1e6);
      }
    }
  }

 private:
  std::map<std::string, std::map<std::string, double>> rates_;  // K -> benchmark -> events/s
};

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  return 0;
}
