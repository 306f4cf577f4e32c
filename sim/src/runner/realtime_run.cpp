#include "runner/realtime_run.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "clients/client_model.h"
#include "clients/completion_router.h"
#include "runner/capture_stack.h"
#include "runner/interrupt_signal.h"
#include "runner/invariants.h"
#include "runner/realtime_monitor.h"
#include "runner/run_monitor.h"
#include "runner/run_report.h"
#include "runner/run_steps.h"
#include "scenario/json_units.h"
#include "scheduler/realtime_scheduler.h"
#include "script/script_player.h"

namespace hilcap::sim {
namespace {

// How often the coordinating thread looks at the run (stop conditions,
// progress line): a SIGINT or a violation stops the run within this.
constexpr TimeNs kPollNs = 20'000'000;

std::int64_t clock_ns(clockid_t clock) {
  timespec ts{};
  ::clock_gettime(clock, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * kNsPerS + ts.tv_nsec;
}

void sleep_until_monotonic(std::int64_t at_ns) {
  const timespec at{static_cast<time_t>(at_ns / kNsPerS), static_cast<long>(at_ns % kNsPerS)};
  // An early return (a signal) only makes the caller look sooner.
  ::clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &at, nullptr);
}

// A thread running one RealtimeScheduler's events until stopped, and the CPU
// time it used (CLOCK_THREAD_CPUTIME_ID, read by the thread as it ends).
class LoopThread {
 public:
  LoopThread(std::string name, RealtimeScheduler& scheduler)
      : name_(std::move(name)), scheduler_(scheduler) {}
  ~LoopThread() { stop_and_join(); }
  LoopThread(const LoopThread&) = delete;
  LoopThread& operator=(const LoopThread&) = delete;

  void start() {
    thread_ = std::thread([this] {
      scheduler_.run_until(kTimeMax - 1);  // until stop()
      cpu_ns_ = clock_ns(CLOCK_THREAD_CPUTIME_ID);
    });
  }
  // Lets the event running now finish; nothing runs after it.
  void stop_and_join() {
    scheduler_.stop();
    if (thread_.joinable()) thread_.join();
  }
  const std::string& name() const { return name_; }
  // After stop_and_join().
  std::int64_t cpu_ns() const { return cpu_ns_; }

 private:
  std::string name_;
  RealtimeScheduler& scheduler_;
  std::thread thread_;
  std::int64_t cpu_ns_ = 0;
};

// A client's own scheduler and environment (its thread's).
struct ClientHome {
  ClientHome(std::int64_t epoch_ns, HANDLE allocator, ClientEvents& events, std::uint64_t index)
      : scheduler(epoch_ns),
        environment{scheduler, allocator, events, (index + 1) << kSerialBits} {}
  // Request serial numbers are unique in the run: each home has its own range.
  static constexpr unsigned kSerialBits = 40;
  RealtimeScheduler scheduler;
  ClientEnvironment environment;
};

}  // namespace

ScenarioOutcome run_scenario_realtime(Scenario scenario, const RunOptions& options) {
  if (options.seed) scenario.reseed(*options.seed);

  RunOutputs outputs = open_run_outputs(options, scenario.duration_ns);
  if (!outputs.errors.empty()) return invalid_outcome(std::move(outputs.errors));
  TraceWriter* const trace = outputs.trace.get();
  ProgressLine* const progress = outputs.progress.get();

  // One epoch: every thread's now() and due times compare.
  const std::int64_t epoch_ns = clock_ns(CLOCK_MONOTONIC);
  RealtimeScheduler device_scheduler(epoch_ns);
  RealtimeScheduler host_scheduler(epoch_ns);

  RunReport report(scenario);
  RunMonitor monitor(device_scheduler, report.pending_latency(), trace, nullptr);
  monitor.frames_seen_out_of_order();
  RealtimeMonitor events(monitor, device_scheduler);
  CaptureStack::Created created = CaptureStack::create(scenario, device_scheduler, &host_scheduler);
  if (!created.stack) return invalid_outcome(std::move(created.errors));
  CaptureStack& stack = *created.stack;
  monitor.attach(stack);
  stack.device().set_observer(&events);
  if (trace) stack.on_service([&events](TimeNs now, std::size_t n) { events.service_ran(now, n); });

  ClientEnvironment host_environment{host_scheduler, stack.allocator_handle(), events};
  CompletionRouter router(host_environment);
  Distribution wake_latency;
  router.measure_wake_latency(wake_latency);

  std::vector<std::unique_ptr<ClientHome>> homes;
  std::vector<std::unique_ptr<ClientModel>> models;
  std::vector<std::string> model_names;
  for (const ClientSpec& spec : scenario.clients) {
    if (spec.scripted) continue;
    homes.push_back(
        std::make_unique<ClientHome>(epoch_ns, stack.allocator_handle(), events, homes.size()));
    models.push_back(std::make_unique<ClientModel>(spec, homes.back()->environment));
    model_names.push_back(spec.name);
  }
  ClientHome script_home(epoch_ns, stack.allocator_handle(), events, homes.size());
  ScriptPlayer script(scenario.script, scenario.clients, script_home.environment, stack);

  // Threads stop in this order: device, host completion path, clients, script.
  std::vector<std::unique_ptr<LoopThread>> threads;
  threads.push_back(std::make_unique<LoopThread>("device", device_scheduler));
  threads.push_back(std::make_unique<LoopThread>("host", host_scheduler));
  for (std::size_t i = 0; i < models.size(); ++i)
    threads.push_back(
        std::make_unique<LoopThread>("clients." + model_names[i], homes[i]->scheduler));
  const bool scripted = !scenario.script.empty();
  if (scripted) threads.push_back(std::make_unique<LoopThread>("script", script_home.scheduler));

  const InterruptSignal sigint;
  set_initial_state(stack, scenario, events);
  for (auto& model : models)
    model->start();
  script.start();
  for (auto& thread : threads)
    thread->start();

  std::string interrupted;
  for (;;) {
    const TimeNs now = device_scheduler.now();
    if (now >= scenario.duration_ns) break;
    if (sigint.raised()) {
      interrupted =
          fmt::format("interrupted by SIGINT at t={:.3f} s", static_cast<double>(now) / kNsPerS);
      break;
    }
    events.catch_up();
    if (events.first_violation()) break;
    if (progress) {
      const device::DeviceStats stats = stack.device().stats();
      progress->update_now(now, stats.frames_due, stats.dropped_total());
    }
    sleep_until_monotonic(epoch_ns + std::min(scenario.duration_ns, now + kPollNs));
  }
  for (auto& thread : threads)
    thread->stop_and_join();
  events.catch_up();
  if (progress) progress->finish();
  const TimeNs stopped_at = device_scheduler.now();

  const std::vector<const KsClient*> clients = all_clients(models, script);
  check_end_of_run(stack, monitor, router, clients);
  script.finish();

  RunTotals totals = gather_totals(stack, clients, script);
  totals.virtual_time_ns = stopped_at;
  totals.events = device_scheduler.events_run() + host_scheduler.events_run() +
                  script_home.scheduler.events_run();
  for (const auto& home : homes)
    totals.events += home->scheduler.events_run();
  report.fill(totals);

  // Teardown: every request still pending ends now (cancelled by the close),
  // while its OVERLAPPED is alive; nobody runs the clients' callbacks any more.
  const std::uint64_t cancelled_before = stack.allocator().counters().cancelled;
  stack.close_allocator();
  stack.device().set_observer(nullptr);

  Report result = report.take();
  result.distribution("realtime.frame_lateness_us", SampleScale::kNsToUs) = events.frame_lateness();
  result.distribution("realtime.pending_completion_latency_us", SampleScale::kNsToUs) =
      wake_latency;
  for (const auto& thread : threads) {
    result.set(fmt::format("realtime.cpu_s.{}", thread->name()),
               static_cast<double>(thread->cpu_ns()) / kNsPerS, 6);
  }
  result.set("realtime.cancelled_at_stop",
             stack.allocator().counters().cancelled - cancelled_before);
  result.set("realtime.pending_after_stop", stack.allocator().occupancy().pending);
  result.set("realtime.stopped_by", !interrupted.empty()        ? "SIGINT"
                                    : monitor.first_violation() ? "violation"
                                                                : "end");

  ScenarioOutcome outcome;
  outcome.report = std::move(result);
  outcome.expect = scenario.expect;
  outcome.failures = script.failures();
  if (!interrupted.empty()) {
    outcome.status = ScenarioOutcome::Status::kStopped;
    outcome.errors.push_back(interrupted);
  }
  if (monitor.first_violation()) {
    outcome.status = ScenarioOutcome::Status::kStopped;
    outcome.errors.push_back(*monitor.first_violation());
  }
  close_trace(outputs, options, outcome);
  return outcome;
}

}  // namespace hilcap::sim
