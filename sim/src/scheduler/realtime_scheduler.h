// Real-time scheduler: the Scheduler interface on the wall clock.
//
// now() is CLOCK_MONOTONIC in ns since the scheduler was built (TimeNs keeps
// its meaning: "ns since the start of the run"). One thread runs the events
// (the loop thread: whoever calls run_until/run/run_one, e.g. the device
// thread); it sleeps to the ABSOLUTE due time of the earliest event (a futex
// wait with an absolute CLOCK_MONOTONIC deadline: like clock_nanosleep with
// TIMER_ABSTIME, but another thread can wake it), so lateness never
// accumulates: frame k stays due at start + k * interval however late frame
// k - 1 ran. An event whose time has passed runs at once.
//
// Any thread may call schedule_at(), cancel() and stop(): they take the
// scheduler's lock for a few heap operations, and wake the loop thread when
// the new event is earlier than what it sleeps towards (or on stop). The lock
// is never held while an event runs, so an event may schedule, cancel, and
// take locks that other threads hold while they schedule (the device's).
//
// Ordering is the virtual scheduler's: by due time, then by scheduling order.
// A due time in the past keeps its place (it is not moved to now()), so that
// current_event() reports how late it really ran.
//
// While it sleeps or runs, the loop thread's timer slack is 1 ns (the Linux
// default of 50 us would make every wake-up up to 50 us late); it is restored
// when the run call returns.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <mutex>

#include "scheduler/event_queue.h"
#include "scheduler/scheduler.h"

namespace hilcap::sim {

class RealtimeScheduler final : public Scheduler {
 public:
  // Time 0 is now.
  RealtimeScheduler();
  // Time 0 is the CLOCK_MONOTONIC instant `epoch_ns`: schedulers of one run
  // on different threads share it, so their now() and due times compare.
  explicit RealtimeScheduler(std::int64_t epoch_ns);
  RealtimeScheduler(const RealtimeScheduler&) = delete;
  RealtimeScheduler& operator=(const RealtimeScheduler&) = delete;

  TimeNs now() const override;
  EventId schedule_at(TimeNs at, EventFn fn) override;
  bool cancel(EventId id) override;

  // Loop thread only; the calls do not nest. run_until() returns once the
  // wall clock reached `deadline` (or on stop()), having run every event due
  // by then; run() and run_one() return at once when nothing is pending.
  void run_until(TimeNs deadline) override;
  void run() override;
  bool run_one() override;
  void stop() override;
  bool stopped() const override { return stopped_.load(std::memory_order_acquire); }
  std::uint64_t events_run() const override { return events_run_.load(std::memory_order_relaxed); }
  // Futex wakes issued to the loop thread: schedule_at() wakes it only when it
  // sleeps towards a later time, stop() always.
  std::uint64_t wake_ups() const { return wake_ups_.load(std::memory_order_relaxed); }

  // The event running now on the loop thread (read it from inside the event):
  // when it was due and when the loop started it. started - due is its lateness.
  struct RunningEvent {
    TimeNs due = 0;
    TimeNs started = 0;
  };
  const RunningEvent& current_event() const { return current_; }

  std::size_t pending() const;

  // CLOCK_MONOTONIC (ns) at time 0: maps now() to other monotonic stamps.
  std::int64_t epoch_ns() const { return epoch_ns_; }

 private:
  // Runs the earliest event once it is due, if that is by `deadline`; false
  // when the deadline passed first, nothing is pending (deadline kTimeMax) or
  // the scheduler was stopped.
  bool run_next(TimeNs deadline);
  void wake_loop();

  const std::int64_t epoch_ns_;
  mutable std::mutex mutex_;
  EventQueue queue_;  // guarded by mutex_
  // Guarded by mutex_. kAwake while the loop is not asleep: it reads the queue
  // again before it sleeps, so an event scheduled then needs no wake (a system
  // call per event otherwise, the real-time stream's main cost).
  static constexpr TimeNs kAwake = std::numeric_limits<TimeNs>::min();
  TimeNs sleeping_until_ = kAwake;
  std::atomic<std::uint32_t> wake_{0};  // futex word the loop thread sleeps on
  std::atomic<bool> stopped_{false};
  std::atomic<std::uint64_t> events_run_{0};
  std::atomic<std::uint64_t> wake_ups_{0};
  RunningEvent current_;  // loop thread only
};

}  // namespace hilcap::sim
