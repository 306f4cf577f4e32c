// The virtual clock policy (clock_policy.h): one VirtualScheduler.
#include <atomic>
#include <optional>

#include "runner/checked.h"
#include "runner/clock_policy.h"
#include "scheduler/virtual_scheduler.h"

namespace hilcap::sim {
namespace {

class VirtualClock final : public ClockPolicy {
 public:
  explicit VirtualClock(TimeNs end) {
    // The end of the run is the first event at its instant, so nothing else
    // due then runs.
    scheduler_.schedule_at(end, [this] { scheduler_.stop(); });
  }

  bool wall_clock() const override { return false; }
  const char* name() const override { return "virtual"; }
  Scheduler& clock() override { return scheduler_; }
  Scheduler& device_scheduler() override { return scheduler_; }
  Scheduler& host_scheduler() override { return scheduler_; }
  std::int64_t epoch_ns() const override { return 0; }
  const RealtimeScheduler* realtime_device() const override { return nullptr; }

  ClientEnvironment& environment(const std::string& /*thread*/, HANDLE allocator,
                                 ClientEvents& events, bool /*runs*/) override {
    // One environment: request serial numbers count across every client.
    if (!environment_) environment_.emplace(ClientEnvironment{scheduler_, allocator, events});
    return *environment_;
  }
  Distribution* wake_latency() override { return nullptr; }

  RunEnd run(TimeNs end, bool /*device_threads*/, const std::atomic<bool>& interrupt,
             const StopCheck& poll, const std::function<void(TimeNs)>& /*progress*/) override {
    // Checked builds look at the run after every event; a violation stops
    // the scheduler.
    if constexpr (kChecked) {
      while (!interrupt.load(std::memory_order_relaxed)) {
        if (!scheduler_.run_one_until(end)) return RunEnd::kEnd;
        if (auto stop = poll()) return *stop;
      }
      return RunEnd::kInterrupted;
    } else {
      return scheduler_.run_until(end, interrupt) ? RunEnd::kEnd : RunEnd::kInterrupted;
    }
  }
  TimeNs stopped_at() const override { return scheduler_.now(); }
  std::uint64_t events_run() const override { return scheduler_.events_run(); }
  void add_figures(Report& /*report*/) const override {}

 private:
  VirtualScheduler scheduler_;
  std::optional<ClientEnvironment> environment_;
};

}  // namespace

std::unique_ptr<ClockPolicy> make_virtual_clock(TimeNs end) {
  return std::make_unique<VirtualClock>(end);
}

const char* to_string(RunEnd end) {
  switch (end) {
    case RunEnd::kEnd:
      return "end";
    case RunEnd::kInterrupted:
      return "SIGINT";
    case RunEnd::kViolation:
      return "violation";
    case RunEnd::kFrameLimit:
      return "frames";
    case RunEnd::kDeviceGone:
      return "device_gone";
  }
  return "end";
}

}  // namespace hilcap::sim
