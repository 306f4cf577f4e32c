// Test doubles for the device's environment: a minimal virtual-time Timebase (one
// priority queue, nothing sleeps) and an interrupt line that records when it
// was raised. The project's real scheduler lives in sim/; these keep the device
// tests independent of it.
#pragma once

#include <hilcap/device/interrupt_line.h>
#include <hilcap/device/timebase.h>

#include <algorithm>
#include <functional>
#include <queue>
#include <unordered_map>
#include <utility>
#include <vector>

namespace hilcap::device::testing {

class TestTimebase final : public Timebase {
 public:
  TimeNs now() const override { return now_; }

  EventId schedule_at(TimeNs at, EventFn fn) override {
    const EventId id = ++last_id_;
    queue_.push({std::max(at, now_), id});
    pending_.emplace(id, std::move(fn));
    return id;
  }

  bool cancel(EventId id) override { return pending_.erase(id) > 0; }

  // Runs every event due at or before `t` (same-time events in scheduling
  // order), then sets the clock to `t`.
  void run_until(TimeNs t) {
    while (!queue_.empty() && queue_.top().at <= t) {
      const Entry next = queue_.top();
      queue_.pop();
      const auto it = pending_.find(next.id);
      if (it == pending_.end()) continue;
      EventFn fn = std::move(it->second);
      pending_.erase(it);
      now_ = next.at;
      fn();
    }
    now_ = std::max(now_, t);
  }

  void run_for(TimeNs duration) { run_until(now_ + duration); }

  std::size_t pending() const { return pending_.size(); }

 private:
  struct Entry {
    TimeNs at;
    EventId id;
    bool operator>(const Entry& other) const {
      return at != other.at ? at > other.at : id > other.id;
    }
  };
  std::priority_queue<Entry, std::vector<Entry>, std::greater<>> queue_;
  std::unordered_map<EventId, EventFn> pending_;
  TimeNs now_ = 0;
  EventId last_id_ = 0;
};

// Records the clock time of every raise(); optionally runs a handler (the
// host's completion path) synchronously.
class RecordingInterruptLine final : public InterruptLine {
 public:
  explicit RecordingInterruptLine(const Timebase& clock) : clock_(clock) {}

  void raise() override {
    raised_at.push_back(clock_.now());
    if (handler) handler();
  }

  std::vector<TimeNs> raised_at;
  std::function<void()> handler;

 private:
  const Timebase& clock_;
};

}  // namespace hilcap::device::testing
