#include "scheduler/event_queue.h"

#include <algorithm>
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

EventId EventQueue::push(TimeNs at, EventFn fn) {
  const std::uint32_t slot = take_slot();
  Slot& s = slots_[slot];
  s.fn = std::move(fn);
  s.live = true;
  ++live_;
  heap_.push_back({at, next_sequence_++, slot});
  std::push_heap(heap_.begin(), heap_.end(), Later{});
  return ((s.generation & kGenerationMask) << kSlotBits) | (slot + 1);
}

bool EventQueue::cancel(EventId id) {
  const std::uint64_t slot_plus_one = id & kSlotMask;
  if (slot_plus_one == 0 || slot_plus_one > slots_.size()) return false;
  Slot& s = slots_[slot_plus_one - 1];
  if (!s.live || (s.generation & kGenerationMask) != (id >> kSlotBits)) return false;
  s.live = false;
  ++s.generation;
  s.fn = nullptr;
  --live_;
  ++cancelled_in_heap_;
  if (cancelled_in_heap_ > 64 && cancelled_in_heap_ > live_) drop_cancelled_entries();
  return true;
}

TimeNs EventQueue::next_time() {
  drop_dead_top();
  return heap_.empty() ? kTimeMax : heap_.front().at;
}

EventQueue::Due EventQueue::pop() {
  drop_dead_top();
  const Entry top = heap_.front();
  std::pop_heap(heap_.begin(), heap_.end(), Later{});
  heap_.pop_back();
  Slot& s = slots_[top.slot];
  Due due{top.at, std::move(s.fn)};
  s.fn = nullptr;
  s.live = false;
  ++s.generation;
  --live_;
  free_slots_.push_back(top.slot);
  return due;
}

void EventQueue::drop_dead_top() {
  while (!heap_.empty() && !slots_[heap_.front().slot].live) {
    free_slots_.push_back(heap_.front().slot);
    std::pop_heap(heap_.begin(), heap_.end(), Later{});
    heap_.pop_back();
    --cancelled_in_heap_;
  }
}

std::uint32_t EventQueue::take_slot() {
  if (!free_slots_.empty()) {
    const std::uint32_t slot = free_slots_.back();
    free_slots_.pop_back();
    return slot;
  }
  if (slots_.size() >= kMaxPending) {
    std::fprintf(stderr,
                 "hilcap: more than %zu events pending in a scheduler: the scenario's event set "
                 "grows without bound\n",
                 kMaxPending);
    std::abort();
  }
  slots_.emplace_back();
  return static_cast<std::uint32_t>(slots_.size() - 1);
}

void EventQueue::drop_cancelled_entries() {
  const auto dead = std::remove_if(heap_.begin(), heap_.end(), [this](const Entry& e) {
    if (slots_[e.slot].live) return false;
    free_slots_.push_back(e.slot);
    return true;
  });
  heap_.erase(dead, heap_.end());
  std::make_heap(heap_.begin(), heap_.end(), Later{});
  cancelled_in_heap_ = 0;
}

}  // namespace hilcap::sim
