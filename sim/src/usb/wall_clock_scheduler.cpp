#include "usb/wall_clock_scheduler.h"

#include <algorithm>

namespace hilcap::sim {

WallClockScheduler::WallClockScheduler() : start_(std::chrono::steady_clock::now()) {}

TimeNs WallClockScheduler::now() const {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() -
                                                              start_)
      .count();
}

EventId WallClockScheduler::schedule_at(TimeNs at, EventFn fn) {
  std::lock_guard lock(mutex_);
  const Key key{at, next_sequence_++};
  const EventId id = key.second + 1;  // never 0
  const bool earliest = queue_.empty() || key < queue_.begin()->first;
  queue_.emplace(key, std::move(fn));
  ids_.emplace(id, key);
  if (earliest) changed_.notify_all();
  return id;
}

bool WallClockScheduler::cancel(EventId id) {
  std::lock_guard lock(mutex_);
  const auto found = ids_.find(id);
  if (found == ids_.end()) return false;
  queue_.erase(found->second);
  ids_.erase(found);
  return true;
}

void WallClockScheduler::stop() {
  {
    std::lock_guard lock(mutex_);
    stopped_ = true;
  }
  changed_.notify_all();
}

bool WallClockScheduler::take_due(TimeNs deadline, EventFn& fn) {
  std::unique_lock lock(mutex_);
  for (;;) {
    if (stopped_) return false;
    const TimeNs current = now();
    const TimeNs next = queue_.empty() ? kTimeMax : queue_.begin()->first.first;
    if (next <= current && next <= deadline) {
      auto event = queue_.begin();
      ids_.erase(event->first.second + 1);
      fn = std::move(event->second);
      queue_.erase(event);
      return true;
    }
    const TimeNs wake = std::min(next, deadline);
    if (wake <= current) return false;  // the deadline passed, nothing due by it
    if (wake == kTimeMax) {
      changed_.wait(lock);
    } else {
      changed_.wait_until(lock, start_ + std::chrono::nanoseconds(wake));
    }
  }
}

void WallClockScheduler::run_until(TimeNs deadline) {
  EventFn fn;
  while (take_due(deadline, fn)) {
    fn();
    ++events_run_;
  }
}

bool WallClockScheduler::run_one() {
  {
    std::lock_guard lock(mutex_);
    if (queue_.empty()) return false;
  }
  EventFn fn;
  if (!take_due(kTimeMax, fn)) return false;
  fn();
  ++events_run_;
  return true;
}

}  // namespace hilcap::sim
