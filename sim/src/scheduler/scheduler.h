// The clock and event loop a simulation runs on.
//
// A Scheduler is the device's Timebase plus the controls the runner needs to
// drive it. Today there is one implementation, VirtualScheduler: a virtual
// clock and one event queue on one thread, where time jumps from event to
// event and nothing sleeps.
//
// How a real-clock scheduler (issue 4) fits behind the same interface:
// - now() reads std::chrono::steady_clock relative to the start of the run, in
//   nanoseconds, so TimeNs keeps its meaning ("ns since the start of the run").
// - schedule_at()/cancel() may be called from any thread: they take a mutex,
//   use the same slot + generation EventIds and the same (time, sequence)
//   ordering as the virtual scheduler, and wake the loop thread (condition
//   variable) when the new event is earlier than the one it sleeps towards.
// - run_until()/run() are called on the device thread. They sleep to the
//   absolute deadline of the earliest event (no drift: frame k stays due at
//   start + k * interval however late an event ran), then run every due event
//   on that thread, in the same order virtual time would. A deadline already
//   passed runs at once.
// - stop() is callable from any thread (an atomic flag plus a wake-up).
// - Clients are not events there: they run on their own threads and call the
//   allocator directly (blocking or overlapped), while the device and the
//   host's completion path stay events on this scheduler. In virtual time the
//   client models are events on the same queue, so the device and host code is
//   identical in both modes and only the client driver differs.
#pragma once

#include <hilcap/device/timebase.h>

#include <cstdint>
#include <limits>
#include <utility>

namespace hilcap::sim {

using device::EventFn;
using device::EventId;
using device::TimeNs;

inline constexpr TimeNs kTimeMax = std::numeric_limits<TimeNs>::max();

class Scheduler : public device::Timebase {
 public:
  // Runs every event due at or before `deadline` (including events those
  // events schedule up to `deadline`), then advances now() to `deadline`.
  // Time never goes backwards: an earlier deadline runs nothing.
  virtual void run_until(TimeNs deadline) = 0;

  // Runs until no event is pending or stop() was called; now() is left at the
  // time of the last event run.
  virtual void run() = 0;

  // Runs the earliest pending event, whatever its time, and returns true; false
  // when nothing is pending or the scheduler is stopped. Lets the runner check
  // its invariants between events.
  virtual bool run_one() = 0;

  // Ends the run: the event in progress finishes, nothing runs after it, and
  // later run calls return at once. The runner stops on an invariant violation.
  virtual void stop() = 0;
  virtual bool stopped() const = 0;

  // Events that have run (cancelled ones are not counted).
  virtual std::uint64_t events_run() const = 0;

  void run_for(TimeNs duration) { run_until(now() + duration); }

  EventId schedule_after(TimeNs delay, EventFn fn) {
    return schedule_at(now() + delay, std::move(fn));
  }
};

}  // namespace hilcap::sim
