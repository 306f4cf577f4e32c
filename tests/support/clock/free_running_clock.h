// A Timebase for the concurrency tests: its events run on a worker thread in
// time order, as fast as they come (virtual time running free), and
// schedule_at() and cancel() may be called from any thread. Tests use it to put
// the device model on its own thread without waiting on a real clock.
#pragma once

#include <hilcap/device/timebase.h>

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <queue>
#include <thread>
#include <unordered_map>
#include <vector>

namespace hilcap::test_support {

class FreeRunningClock final : public device::Timebase {
 public:
  FreeRunningClock() : worker_([this] { loop(); }) {}
  ~FreeRunningClock() override { shutdown(); }

  device::TimeNs now() const override {
    std::lock_guard lock(mutex_);
    return now_;
  }

  device::EventId schedule_at(device::TimeNs at, device::EventFn fn) override {
    std::lock_guard lock(mutex_);
    const device::EventId id = ++last_id_;
    queue_.push({std::max(at, now_), id});
    pending_.emplace(id, std::move(fn));
    wake_.notify_one();
    return id;
  }

  bool cancel(device::EventId id) override {
    std::lock_guard lock(mutex_);
    return pending_.erase(id) > 0;
  }

  void shutdown() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
      wake_.notify_one();
    }
    if (worker_.joinable()) worker_.join();
  }

 private:
  struct Entry {
    device::TimeNs at;
    device::EventId id;
    bool operator>(const Entry& other) const {
      return at != other.at ? at > other.at : id > other.id;
    }
  };

  void loop() {
    std::unique_lock lock(mutex_);
    while (!stop_) {
      if (queue_.empty()) {
        wake_.wait(lock);
        continue;
      }
      const Entry next = queue_.top();
      queue_.pop();
      const auto it = pending_.find(next.id);
      if (it == pending_.end()) continue;
      device::EventFn fn = std::move(it->second);
      pending_.erase(it);
      now_ = std::max(now_, next.at);
      lock.unlock();  // never run an event under the clock's lock
      fn();
      lock.lock();
    }
  }

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::priority_queue<Entry, std::vector<Entry>, std::greater<>> queue_;
  std::unordered_map<device::EventId, device::EventFn> pending_;
  device::TimeNs now_ = 0;
  device::EventId last_id_ = 0;
  bool stop_ = false;
  std::thread worker_;  // last: starts after everything above exists
};

}  // namespace hilcap::test_support
