#include "event.h"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <ctime>

namespace hilcap::ks {
namespace {

std::uint32_t* futex_word(std::atomic<std::uint32_t>& word) {
  static_assert(sizeof(std::atomic<std::uint32_t>) == sizeof(std::uint32_t));
  return reinterpret_cast<std::uint32_t*>(&word);
}

// Sleeps while `word` holds `expected`, until `deadline` (CLOCK_MONOTONIC) or
// forever when it is null. Spurious returns are fine: the caller re-checks.
void futex_wait(std::atomic<std::uint32_t>& word, std::uint32_t expected,
                const timespec* deadline) {
  ::syscall(SYS_futex, futex_word(word), FUTEX_WAIT_BITSET_PRIVATE, expected, deadline, nullptr,
            FUTEX_BITSET_MATCH_ANY);
}

void futex_wake(std::atomic<std::uint32_t>& word, int count) {
  ::syscall(SYS_futex, futex_word(word), FUTEX_WAKE_PRIVATE, count, nullptr, nullptr, 0);
}

timespec deadline_after(DWORD milliseconds) {
  timespec now{};
  ::clock_gettime(CLOCK_MONOTONIC, &now);
  now.tv_sec += milliseconds / 1000;
  now.tv_nsec += static_cast<long>(milliseconds % 1000) * 1'000'000;
  if (now.tv_nsec >= 1'000'000'000) {
    now.tv_sec += 1;
    now.tv_nsec -= 1'000'000'000;
  }
  return now;
}

bool passed(const timespec& deadline) {
  timespec now{};
  ::clock_gettime(CLOCK_MONOTONIC, &now);
  return now.tv_sec > deadline.tv_sec ||
         (now.tv_sec == deadline.tv_sec && now.tv_nsec >= deadline.tv_nsec);
}

}  // namespace

Event::Event(ResetMode mode, bool signalled)
    : KernelObject(kType), mode_(mode), state_(signalled ? 1 : 0) {}

void Event::set() {
  // Already signalled: no sleeper can be waiting on the word (the futex only
  // sleeps while it reads 0), so this set changes nothing. Waiters read the
  // request's own result word, never data published by the event.
  if (state_.load(std::memory_order_relaxed) != 0) return;
  state_.store(1, std::memory_order_seq_cst);
  // Pairs with the sleeper's increment: either it sees state 1 in the futex
  // check, or we see it counted here and wake it.
  if (sleepers_.load(std::memory_order_seq_cst) != 0) {
    futex_wake(state_, mode_ == ResetMode::kAuto ? 1 : INT_MAX);
  }
}

void Event::reset() {
  state_.store(0, std::memory_order_release);
}

bool Event::try_consume() {
  if (mode_ == ResetMode::kManual) return state_.load(std::memory_order_acquire) != 0;
  std::uint32_t expected = 1;
  return state_.compare_exchange_strong(expected, 0, std::memory_order_acquire,
                                        std::memory_order_relaxed);
}

bool Event::wait(DWORD milliseconds) {
  if (try_consume()) return true;
  if (milliseconds == 0) return false;
  const bool forever = milliseconds == INFINITE;
  const timespec deadline = forever ? timespec{} : deadline_after(milliseconds);
  for (;;) {
    sleepers_.fetch_add(1, std::memory_order_seq_cst);
    futex_wait(state_, 0, forever ? nullptr : &deadline);
    sleepers_.fetch_sub(1, std::memory_order_seq_cst);
    if (try_consume()) return true;
    if (!forever && passed(deadline)) return false;
  }
}

}  // namespace hilcap::ks
