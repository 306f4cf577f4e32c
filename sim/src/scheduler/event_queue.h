// The pending events of a scheduler (VirtualScheduler, RealtimeScheduler):
// ordered by (time, scheduling order), cancellable in O(1) by id. Not
// thread-safe: the real-time scheduler guards it with its own lock.
//
// Cost model: a binary min-heap of small entries
// {time, sequence, slot}; callbacks live in a slot table recycled through a
// free list; an EventId is (slot generation << 24 | slot + 1), so cancel() is
// an index and a compare. A cancelled event leaves its heap entry behind and
// is skipped when it surfaces; the heap is compacted once dead entries
// outnumber live ones.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "scheduler/scheduler.h"

namespace hilcap::sim {

class EventQueue {
 public:
  // At most this many events pending at once (the slot part of an EventId);
  // exceeding it aborts: the event set grows without bound.
  static constexpr std::size_t kMaxPending = (std::size_t{1} << 24) - 1;

  struct Due {
    TimeNs at = 0;
    EventFn fn;
  };

  EventId push(TimeNs at, EventFn fn);
  // False when `id` already ran, was cancelled, or never existed.
  bool cancel(EventId id);

  // The time of the earliest live event; kTimeMax when none is pending.
  TimeNs next_time();
  // Removes and returns the earliest live event; next_time() < kTimeMax first.
  Due pop();

  std::size_t live() const { return live_; }

 private:
  struct Entry {
    TimeNs at;
    std::uint64_t sequence;
    std::uint32_t slot;
  };
  struct Slot {
    EventFn fn;
    std::uint64_t generation = 1;
    bool live = false;
  };

  void drop_dead_top();
  std::uint32_t take_slot();
  void drop_cancelled_entries();

  std::uint64_t next_sequence_ = 0;
  std::size_t live_ = 0;
  std::size_t cancelled_in_heap_ = 0;
  std::vector<Entry> heap_;  // binary min-heap on (at, sequence)
  std::vector<Slot> slots_;
  std::vector<std::uint32_t> free_slots_;
};

}  // namespace hilcap::sim
