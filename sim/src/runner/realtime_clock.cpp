// The real-time clock policy (clock_policy.h): the wall clock, each part of
// the run on its own thread behind a RealtimeScheduler sharing one epoch:
//   device     the device model's events, slept to their absolute due times
//              (frame k at start + k * interval: lateness does not accumulate)
//   host       the pin's completion path, woken by the device's interrupt line
//   clients.N  each client model: its ALLOCs, holds, thinks and cancels; a
//              pended ALLOC's completion wakes it through the KS completion
//              observer
//   script     the script's steps and scripted clients (when there is a script)
// (A camera has no device or host thread here: libusb's event thread is its.)
// The calling thread coordinates: every 20 ms it checks for the end, SIGINT
// or SIGTERM (the runner's InterruptSignal) and what the runner asks, and draws the progress line.
// Stopping stops the device first, then the host's completion path, then the clients and the
// script, and joins every thread.
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <ctime>
#include <deque>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "runner/clock_policy.h"
#include "scenario/json_units.h"

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
  bool started() const { return thread_.joinable() || cpu_ns_ != 0; }
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
  ClientHome(std::string thread_name, std::int64_t epoch_ns, HANDLE allocator, ClientEvents& events,
             std::uint64_t index)
      : name(std::move(thread_name)),
        scheduler(epoch_ns),
        environment{scheduler, allocator, events, (index + 1) << kSerialBits} {}
  // Request serial numbers are unique in the run: each home has its own range.
  static constexpr unsigned kSerialBits = 40;
  std::string name;
  RealtimeScheduler scheduler;
  ClientEnvironment environment;
  bool runs = true;  // gets a thread (a script without steps does not)
};

class RealtimeClock final : public ClockPolicy {
 public:
  RealtimeClock() : epoch_ns_(clock_ns(CLOCK_MONOTONIC)), device_(epoch_ns_), host_(epoch_ns_) {}
  ~RealtimeClock() override { stop_threads(); }

  bool wall_clock() const override { return true; }
  const char* name() const override { return "wall"; }
  Scheduler& clock() override { return device_; }
  Scheduler& device_scheduler() override { return device_; }
  Scheduler& host_scheduler() override { return host_; }
  std::int64_t epoch_ns() const override { return epoch_ns_; }
  const RealtimeScheduler* realtime_device() const override { return &device_; }

  ClientEnvironment& environment(const std::string& thread, HANDLE allocator, ClientEvents& events,
                                 bool runs) override {
    homes_.push_back(
        std::make_unique<ClientHome>(thread, epoch_ns_, allocator, events, homes_.size()));
    homes_.back()->runs = runs;
    return homes_.back()->environment;
  }
  Distribution* wake_latency() override { return &wake_latency_; }

  RunEnd run(TimeNs end, bool device_threads, const std::atomic<bool>& interrupt,
             const StopCheck& poll, const std::function<void(TimeNs)>& progress) override {
    // Threads stop in this order: device, host completion path, clients, script.
    if (device_threads) {
      threads_.push_back(std::make_unique<LoopThread>("device", device_));
      threads_.push_back(std::make_unique<LoopThread>("host", host_));
    }
    for (const auto& home : homes_) {
      if (home->runs) threads_.push_back(std::make_unique<LoopThread>(home->name, home->scheduler));
    }
    RunEnd why = RunEnd::kEnd;
    // A signal before the start: no thread starts, the run ends at once.
    if (!interrupt.load(std::memory_order_relaxed)) {
      for (auto& thread : threads_)
        thread->start();
    }
    for (;;) {
      if (interrupt.load(std::memory_order_relaxed)) {
        why = RunEnd::kInterrupted;
        break;
      }
      const TimeNs now = device_.now();
      if (now >= end) break;
      if (auto stop = poll()) {
        why = *stop;
        break;
      }
      progress(now);
      sleep_until_monotonic(epoch_ns_ + std::min(end, now + kPollNs));
    }
    stop_threads();
    stopped_at_ = device_.now();
    return why;
  }

  TimeNs stopped_at() const override { return stopped_at_; }
  std::uint64_t events_run() const override {
    std::uint64_t events = device_.events_run() + host_.events_run();
    for (const auto& home : homes_)
      events += home->scheduler.events_run();
    return events;
  }

  void add_figures(Report& report) const override {
    report.set("realtime.elapsed_s", static_cast<double>(stopped_at_) / kNsPerS, 6);
    report.distribution("realtime.pending_completion_latency_us", SampleScale::kNsToUs) =
        wake_latency_;
    for (const auto& thread : threads_) {
      report.set(fmt::format("realtime.cpu_s.{}", thread->name()),
                 static_cast<double>(thread->cpu_ns()) / kNsPerS, 6);
    }
  }

 private:
  void stop_threads() {
    for (auto& thread : threads_)
      thread->stop_and_join();
  }

  const std::int64_t epoch_ns_;
  RealtimeScheduler device_;
  RealtimeScheduler host_;
  std::deque<std::unique_ptr<ClientHome>> homes_;  // stable addresses
  std::vector<std::unique_ptr<LoopThread>> threads_;
  Distribution wake_latency_;
  TimeNs stopped_at_ = 0;
};

}  // namespace

std::unique_ptr<ClockPolicy> make_realtime_clock() {
  return std::make_unique<RealtimeClock>();
}

}  // namespace hilcap::sim
