#include "scheduler/virtual_scheduler.h"

#include <algorithm>
#include <cassert>
#include <cstdio>
#include <cstdlib>
#include <utility>

namespace hilcap::sim {
namespace {

constexpr unsigned kSlotBits = 24;
constexpr std::uint64_t kSlotMask = (std::uint64_t{1} << kSlotBits) - 1;
constexpr std::uint64_t kGenerationMask = (std::uint64_t{1} << (64 - kSlotBits)) - 1;

// std heap functions build a max-heap: "later" sorts first to get the earliest on top.
struct Later {
  template <typename Entry>
  bool operator()(const Entry& a, const Entry& b) const {
    return a.at != b.at ? a.at > b.at : a.sequence > b.sequence;
  }
};

}  // namespace

EventId VirtualScheduler::schedule_at(TimeNs at, EventFn fn) {
  const std::uint32_t slot = take_slot();
  Slot& s = slots_[slot];
  s.fn = std::move(fn);
  s.live = true;
  ++live_;
  queue_.push_back({std::max(at, now_), next_sequence_++, slot});
  std::push_heap(queue_.begin(), queue_.end(), Later{});
  return ((s.generation & kGenerationMask) << kSlotBits) | (slot + 1);
}

bool VirtualScheduler::cancel(EventId id) {
  const std::uint64_t slot_plus_one = id & kSlotMask;
  if (slot_plus_one == 0 || slot_plus_one > slots_.size()) return false;
  Slot& s = slots_[slot_plus_one - 1];
  if (!s.live || (s.generation & kGenerationMask) != (id >> kSlotBits)) return false;
  s.live = false;
  ++s.generation;
  s.fn = nullptr;
  --live_;
  ++cancelled_in_queue_;
  // The heap entry stays until it surfaces; compact once the dead dominate.
  if (cancelled_in_queue_ > 64 && cancelled_in_queue_ > live_) drop_cancelled_entries();
  return true;
}

void VirtualScheduler::run_until(TimeNs deadline) {
  assert(!running_ && "run calls do not nest");
  running_ = true;
  while (!stopped_ && run_next(deadline)) {
  }
  running_ = false;
  if (!stopped_ && deadline > now_) now_ = deadline;
}

void VirtualScheduler::run() {
  assert(!running_ && "run calls do not nest");
  running_ = true;
  while (!stopped_ && run_next(kTimeMax)) {
  }
  running_ = false;
}

bool VirtualScheduler::run_one() {
  assert(!running_ && "run calls do not nest");
  return !stopped_ && run_next(kTimeMax);
}

bool VirtualScheduler::run_one_until(TimeNs deadline) {
  assert(!running_ && "run calls do not nest");
  return !stopped_ && run_next(deadline);
}

bool VirtualScheduler::run_next(TimeNs deadline) {
  while (!queue_.empty()) {
    const QueueEntry top = queue_.front();
    if (top.at > deadline) return false;
    std::pop_heap(queue_.begin(), queue_.end(), Later{});
    queue_.pop_back();
    Slot& s = slots_[top.slot];
    if (!s.live) {
      --cancelled_in_queue_;
      release_slot(top.slot);
      continue;
    }
    // Take the callback out first: it may schedule events, which can grow
    // (and move) the slot table, and cancel(own id) must report "already ran".
    EventFn fn = std::move(s.fn);
    s.fn = nullptr;
    s.live = false;
    ++s.generation;
    --live_;
    release_slot(top.slot);
    now_ = top.at;
    ++events_run_;
    fn();
    return true;
  }
  return false;
}

std::uint32_t VirtualScheduler::take_slot() {
  if (!free_slots_.empty()) {
    const std::uint32_t slot = free_slots_.back();
    free_slots_.pop_back();
    return slot;
  }
  if (slots_.size() >= kMaxPending) {
    std::fprintf(stderr,
                 "hilcap: more than %zu events pending in the virtual scheduler: "
                 "the scenario's event set grows without bound\n",
                 kMaxPending);
    std::abort();
  }
  slots_.emplace_back();
  return static_cast<std::uint32_t>(slots_.size() - 1);
}

void VirtualScheduler::release_slot(std::uint32_t slot) {
  free_slots_.push_back(slot);
}

void VirtualScheduler::drop_cancelled_entries() {
  const auto dead = std::remove_if(queue_.begin(), queue_.end(), [this](const QueueEntry& e) {
    if (slots_[e.slot].live) return false;
    release_slot(e.slot);
    return true;
  });
  queue_.erase(dead, queue_.end());
  std::make_heap(queue_.begin(), queue_.end(), Later{});
  cancelled_in_queue_ = 0;
}

}  // namespace hilcap::sim
