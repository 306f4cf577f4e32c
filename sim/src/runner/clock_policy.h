// What a run's clock decides, so that one runner serves both clocks:
//   virtual    one VirtualScheduler, one thread, nothing sleeps: the device,
//              the host's completion path, every client and the script are
//              events on one queue; deterministic
//   real time  the wall clock: each part on its own thread behind a
//              RealtimeScheduler sharing one epoch (device, host completion
//              path, one thread per client, the script), a coordinating
//              thread that stops the run at its end, on SIGINT / SIGTERM or
//              when asked
// The device under test and the clients are the same either way.
#pragma once

#include <hilcap/ks.h>

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "clients/ks_client.h"
#include "report/distribution.h"
#include "report/report.h"
#include "scheduler/realtime_scheduler.h"
#include "scheduler/scheduler.h"

namespace hilcap::sim {

// Why a run ended.
enum class RunEnd : std::uint8_t {
  kEnd,          // its duration is over
  kInterrupted,  // SIGINT (Ctrl-C) or SIGTERM (interrupt_signal.h)
  kViolation,    // an invariant broke
  kFrameLimit,   // the clients received the frames asked for (hilcap capture --frames)
  kDeviceGone,   // a camera left the bus
};
// "end", "SIGINT", "violation", "frames", "device_gone": realtime.stopped_by
// (an interruption by SIGTERM says "SIGTERM": the runner knows which).
const char* to_string(RunEnd end);

// Asked now and then while a run goes (after every event in virtual time in
// checked builds, every few ms in real time): why the run must stop now, if
// it must.
using StopCheck = std::function<std::optional<RunEnd>()>;

class ClockPolicy {
 public:
  virtual ~ClockPolicy() = default;

  virtual bool wall_clock() const = 0;
  // The clock's name in traces: "virtual" or "wall".
  virtual const char* name() const = 0;
  // The run's clock (a violation stops it), where the device's events run
  // and where the host's completion path runs.
  virtual Scheduler& clock() = 0;
  virtual Scheduler& device_scheduler() = 0;
  virtual Scheduler& host_scheduler() = 0;
  // ns of CLOCK_MONOTONIC (steady_clock) at the run's time 0.
  virtual std::int64_t epoch_ns() const = 0;
  // The device's scheduler when it runs on a thread of its own (real time).
  virtual const RealtimeScheduler* realtime_device() const = 0;

  // Where a client (or the script) runs: the run's one scheduler in virtual
  // time, a thread of its own named `thread` in real time (`runs`: it has
  // events to run; a script without steps does not). Stable for the run.
  virtual ClientEnvironment& environment(const std::string& thread, HANDLE allocator,
                                         ClientEvents& events, bool runs) = 0;
  // Pending-ALLOC completion to client wake-up, in real time; null otherwise.
  virtual Distribution* wake_latency() = 0;

  // Runs until `end` or a stop. `device_threads`: the device's events run on
  // device_scheduler() and host_scheduler() (they get threads in real time).
  // `interrupt` (set by SIGINT / SIGTERM) stops the run: before the next
  // event in virtual time, within the poll period in real time; already set,
  // the run stops before its first event. `poll` is asked as said above;
  // `progress` is told the time now and then in real time.
  virtual RunEnd run(TimeNs end, bool device_threads, const std::atomic<bool>& interrupt,
                     const StopCheck& poll, const std::function<void(TimeNs)>& progress) = 0;
  // The clock's reading when the run stopped, and the events run.
  virtual TimeNs stopped_at() const = 0;
  virtual std::uint64_t events_run() const = 0;
  // The clock's figures (realtime.*: CPU time per thread, elapsed time).
  virtual void add_figures(Report& report) const = 0;
};

// Virtual time, ending at `end` (the first event scheduled: nothing else due
// then runs).
std::unique_ptr<ClockPolicy> make_virtual_clock(TimeNs end);
std::unique_ptr<ClockPolicy> make_realtime_clock();

}  // namespace hilcap::sim
