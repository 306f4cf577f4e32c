#include "scheduler/realtime_scheduler.h"

#include <linux/futex.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <climits>
#include <ctime>
#include <utility>

namespace hilcap::sim {
namespace {

constexpr std::int64_t kNsPerSecond = 1'000'000'000;

std::int64_t monotonic_ns() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * kNsPerSecond + ts.tv_nsec;
}

std::uint32_t* futex_word(std::atomic<std::uint32_t>& word) {
  static_assert(sizeof(std::atomic<std::uint32_t>) == sizeof(std::uint32_t));
  return reinterpret_cast<std::uint32_t*>(&word);
}

// Sleeps while `word` holds `seen`, until the absolute CLOCK_MONOTONIC time
// `deadline_ns` (FUTEX_WAIT_BITSET takes an absolute deadline on that clock).
// Returns early on a wake, a signal or a spurious return: the caller re-checks.
void sleep_until(std::atomic<std::uint32_t>& word, std::uint32_t seen, std::int64_t deadline_ns) {
  const timespec deadline{static_cast<time_t>(deadline_ns / kNsPerSecond),
                          static_cast<long>(deadline_ns % kNsPerSecond)};
  ::syscall(SYS_futex, futex_word(word), FUTEX_WAIT_BITSET_PRIVATE, seen, &deadline, nullptr,
            FUTEX_BITSET_MATCH_ANY);
}

void wake_all(std::atomic<std::uint32_t>& word) {
  ::syscall(SYS_futex, futex_word(word), FUTEX_WAKE_PRIVATE, INT_MAX, nullptr, nullptr, 0);
}

// The loop thread's timer slack is 1 ns while a run call sleeps and runs.
class TightTimerSlack {
 public:
  TightTimerSlack() : previous_(::prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0)) {
    if (previous_ > 1) ::prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
  }
  ~TightTimerSlack() {
    if (previous_ > 1) ::prctl(PR_SET_TIMERSLACK, static_cast<unsigned long>(previous_), 0, 0, 0);
  }
  TightTimerSlack(const TightTimerSlack&) = delete;
  TightTimerSlack& operator=(const TightTimerSlack&) = delete;

 private:
  const int previous_;
};

}  // namespace

RealtimeScheduler::RealtimeScheduler() : epoch_ns_(monotonic_ns()) {}

RealtimeScheduler::RealtimeScheduler(std::int64_t epoch_ns) : epoch_ns_(epoch_ns) {}

TimeNs RealtimeScheduler::now() const {
  return monotonic_ns() - epoch_ns_;
}

EventId RealtimeScheduler::schedule_at(TimeNs at, EventFn fn) {
  bool wake = false;
  EventId id = 0;
  {
    std::lock_guard lock(mutex_);
    id = queue_.push(at, std::move(fn));
    // Earlier than what the loop sleeps towards: it must re-aim.
    if (at < sleeping_until_) {
      sleeping_until_ = kAwake;
      wake_.fetch_add(1, std::memory_order_relaxed);
      wake = true;
    }
  }
  if (wake) {
    wake_ups_.fetch_add(1, std::memory_order_relaxed);
    wake_all(wake_);
  }
  return id;
}

bool RealtimeScheduler::cancel(EventId id) {
  // The loop may keep sleeping towards a cancelled event's time: it wakes,
  // finds nothing due and sleeps again. Cheaper than waking it now.
  std::lock_guard lock(mutex_);
  return queue_.cancel(id);
}

void RealtimeScheduler::run_until(TimeNs deadline) {
  const TightTimerSlack slack;
  while (run_next(deadline)) {
  }
}

void RealtimeScheduler::run() {
  const TightTimerSlack slack;
  while (run_next(kTimeMax)) {
  }
}

bool RealtimeScheduler::run_one() {
  const TightTimerSlack slack;
  return run_next(kTimeMax);
}

void RealtimeScheduler::stop() {
  stopped_.store(true, std::memory_order_release);
  wake_loop();
}

std::size_t RealtimeScheduler::pending() const {
  std::lock_guard lock(mutex_);
  return queue_.live();
}

void RealtimeScheduler::wake_loop() {
  {
    std::lock_guard lock(mutex_);
    sleeping_until_ = kAwake;
    wake_.fetch_add(1, std::memory_order_relaxed);
  }
  wake_ups_.fetch_add(1, std::memory_order_relaxed);
  wake_all(wake_);
}

bool RealtimeScheduler::run_next(TimeNs deadline) {
  std::unique_lock lock(mutex_);
  for (;;) {
    if (stopped()) return false;
    const TimeNs next = queue_.next_time();
    if (next == kTimeMax && deadline == kTimeMax) return false;
    const TimeNs t = now();
    if (next <= deadline && next <= t) {
      EventQueue::Due due = queue_.pop();
      lock.unlock();
      current_ = {due.at, t};
      events_run_.fetch_add(1, std::memory_order_relaxed);
      due.fn();
      return true;
    }
    if (t >= deadline) return false;
    // Sleep to the absolute time of whichever comes first. The wake word is
    // read under the lock: a schedule_at() or stop() after the unlock bumps it,
    // and the futex then does not sleep.
    const TimeNs target = next < deadline ? next : deadline;
    sleeping_until_ = target;
    const std::uint32_t seen = wake_.load(std::memory_order_relaxed);
    lock.unlock();
    sleep_until(wake_, seen, target > kTimeMax - epoch_ns_ ? kTimeMax : epoch_ns_ + target);
    lock.lock();
    sleeping_until_ = kAwake;
  }
}

}  // namespace hilcap::sim
