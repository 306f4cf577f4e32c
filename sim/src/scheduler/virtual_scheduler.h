// Deterministic virtual-time scheduler: one thread, one event queue, a clock
// that jumps from event to event.
//
// Ordering: by time, then by the order events were scheduled (a global
// sequence number), so a run is the same on every machine.
//
// Cost model (see bench/scheduler_bench.cpp): a binary min-heap of small
// entries {time, sequence, slot}; the callbacks live in a slot table recycled
// through a free list, and an EventId is (slot generation << 24 | slot + 1),
// so cancel() is an index and a compare, no hash lookup (a stale id could
// only alias after 2^40 reuses of one slot). A cancelled event
// leaves its heap entry behind and is skipped when it surfaces; when such
// dead entries outnumber the live ones the heap is compacted, so cancelling
// far-future timeouts cannot grow the queue without bound.
//
// Keep EventFn captures small (a pointer or two, trivially copyable: at most
// 16 bytes with libstdc++) so std::function stores them inline and
// scheduling an event does not allocate.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "scheduler/scheduler.h"

namespace hilcap::sim {

class VirtualScheduler final : public Scheduler {
 public:
  // At most this many events can be pending at once (the slot part of an
  // EventId); exceeding it aborts, as it means the event set grows unbounded.
  static constexpr std::size_t kMaxPending = (std::size_t{1} << 24) - 1;

  VirtualScheduler() = default;
  VirtualScheduler(const VirtualScheduler&) = delete;
  VirtualScheduler& operator=(const VirtualScheduler&) = delete;

  TimeNs now() const override { return now_; }
  EventId schedule_at(TimeNs at, EventFn fn) override;
  bool cancel(EventId id) override;

  void run_until(TimeNs deadline) override;
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
  std::size_t pending() const { return live_; }

 private:
  struct QueueEntry {
    TimeNs at;
    std::uint64_t sequence;
    std::uint32_t slot;
  };
  struct Slot {
    EventFn fn;
    std::uint64_t generation = 1;
    bool live = false;  // scheduled, not yet run or cancelled
  };

  // Runs the earliest event if it is due by `deadline`; false when none is.
  bool run_next(TimeNs deadline);
  std::uint32_t take_slot();
  void release_slot(std::uint32_t slot);
  void drop_cancelled_entries();

  TimeNs now_ = 0;
  std::uint64_t next_sequence_ = 0;
  std::uint64_t events_run_ = 0;
  std::size_t live_ = 0;
  std::size_t cancelled_in_queue_ = 0;
  bool stopped_ = false;
  bool running_ = false;
  std::vector<QueueEntry> queue_;  // binary min-heap on (at, sequence)
  std::vector<Slot> slots_;
  std::vector<std::uint32_t> free_slots_;
};

}  // namespace hilcap::sim
