// Deterministic virtual-time scheduler: one thread, one event queue, a clock
// that jumps from event to event.
//
// Ordering: by time, then by the order events were scheduled (a global
// sequence number), so a run is the same on every machine.
//
// The pending events live in an EventQueue (event_queue.h: a binary min-heap
// of small entries, callbacks in a recycled slot table, O(1) cancel by id), the
// same queue the real-time scheduler uses; bench/scheduler_bench.cpp measures
// it against a bare std::priority_queue.
//
// Keep EventFn captures small (a pointer or two, trivially copyable: at most
// 16 bytes with libstdc++) so std::function stores them inline and
// scheduling an event does not allocate.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "scheduler/event_queue.h"
#include "scheduler/scheduler.h"

namespace hilcap::sim {

class VirtualScheduler final : public Scheduler {
 public:
  // At most this many events can be pending at once (the slot part of an
  // EventId); exceeding it aborts, as it means the event set grows unbounded.
  static constexpr std::size_t kMaxPending = EventQueue::kMaxPending;

  VirtualScheduler() = default;
  VirtualScheduler(const VirtualScheduler&) = delete;
  VirtualScheduler& operator=(const VirtualScheduler&) = delete;

  TimeNs now() const override { return now_; }
  EventId schedule_at(TimeNs at, EventFn fn) override;
  bool cancel(EventId id) override;

  void run_until(TimeNs deadline) override;
  // As run_until, but it returns before the next event once `interrupt` is
  // set (by a signal handler: one relaxed load per event, so the loop stays
  // as fast): false then, the clock left at the last event run; true when
  // the deadline was reached or stop() was called.
  bool run_until(TimeNs deadline, const std::atomic<bool>& interrupt);
  void run() override;
  bool run_one() override;
  // Runs the earliest pending event if it is due by `deadline` and returns
  // true; false (running nothing, not moving the clock) otherwise. Lets the
  // runner check its invariants after every event of a bounded run.
  bool run_one_until(TimeNs deadline);
  void stop() override { stopped_ = true; }
  bool stopped() const override { return stopped_; }
  std::uint64_t events_run() const override { return events_run_; }

  // Events scheduled and neither run nor cancelled yet.
  std::size_t pending() const { return queue_.live(); }

 private:
  // Runs the earliest event if it is due by `deadline`; false when none is.
  bool run_next(TimeNs deadline);

  TimeNs now_ = 0;
  std::uint64_t events_run_ = 0;
  bool stopped_ = false;
  bool running_ = false;
  EventQueue queue_;
};

}  // namespace hilcap::sim
