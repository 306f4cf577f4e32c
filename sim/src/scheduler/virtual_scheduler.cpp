#include "scheduler/virtual_scheduler.h"

#include <algorithm>
#include <cassert>
#include <utility>

namespace hilcap::sim {

EventId VirtualScheduler::schedule_at(TimeNs at, EventFn fn) {
  return queue_.push(std::max(at, now_), std::move(fn));
}

bool VirtualScheduler::cancel(EventId id) {
  return queue_.cancel(id);
}

void VirtualScheduler::run_until(TimeNs deadline) {
  assert(!running_ && "run calls do not nest");
  running_ = true;
  while (!stopped_ && run_next(deadline)) {
  }
  running_ = false;
  if (!stopped_ && deadline > now_) now_ = deadline;
}

bool VirtualScheduler::run_until(TimeNs deadline, const std::atomic<bool>& interrupt) {
  assert(!running_ && "run calls do not nest");
  running_ = true;
  while (!stopped_) {
    if (interrupt.load(std::memory_order_relaxed)) {
      running_ = false;
      return false;
    }
    if (!run_next(deadline)) break;
  }
  running_ = false;
  if (!stopped_ && deadline > now_) now_ = deadline;
  return true;
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
  if (queue_.live() == 0 || queue_.next_time() > deadline) return false;
  // The queue hands the callback over before it runs: the callback may
  // schedule events, and cancel(own id) must report "already ran".
  EventQueue::Due due = queue_.pop();
  now_ = due.at;
  ++events_run_;
  due.fn();
  return true;
}

}  // namespace hilcap::sim
