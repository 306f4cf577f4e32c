#include "event.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <ctime>

#include "../futex.h"

namespace hilcap::ks {
namespace {

constexpr std::int64_t kNsPerUs = 1'000;

std::atomic<std::uint32_t> g_spin_budget_us{0};

// Multi-object waits (see event.h): how many are in progress, and the word
// they sleep on, bumped by every set() while one is.
std::atomic<std::uint32_t> g_multi_waiters{0};
std::atomic<std::uint32_t> g_multi_generation{0};

std::int64_t monotonic_ns() {
  timespec now{};
  ::clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<std::int64_t>(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
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

std::uint32_t wait_spin_budget_us() {
  return g_spin_budget_us.load(std::memory_order_relaxed);
}

std::uint32_t set_wait_spin_budget_us(std::uint32_t microseconds) {
  return g_spin_budget_us.exchange(microseconds, std::memory_order_relaxed);
}

Event::Event(ResetMode mode, bool signalled)
    : KernelObject(kType), mode_(mode), state_(signalled ? 1 : 0) {}

Event::~Event() {
  const int fd = fd_.load(std::memory_order_relaxed);
  if (fd >= 0) ::close(fd);
}

void Event::set() {
  // Already signalled: no sleeper can be waiting on the word (the futex only
  // sleeps while it reads 0), so this set changes nothing (and whoever
  // signalled it updates the fd). Waiters read the request's own result word,
  // never data published by the event.
  if (state_.load(std::memory_order_relaxed) != 0) return;
  state_.store(1, std::memory_order_seq_cst);
  // Pairs with the sleeper's increment: either it sees state 1 in the futex
  // check, or we see it counted here and wake it.
  if (sleepers_.load(std::memory_order_seq_cst) != 0) {
    futex_wake(state_, mode_ == ResetMode::kAuto ? 1 : INT_MAX);
  }
  // The same pairing with a multi-object waiter's count: either it sees
  // state 1 in its check, or we see it counted and move its word.
  if (g_multi_waiters.load(std::memory_order_seq_cst) != 0) {
    g_multi_generation.fetch_add(1, std::memory_order_seq_cst);
    futex_wake(g_multi_generation, INT_MAX);
  }
  // seq_cst, after the state store: pairs with pollable_fd(), which stores
  // the fd and then reads the state; one of the two updates the fd.
  if (fd_.load(std::memory_order_seq_cst) >= 0) update_fd();
}

void Event::reset() {
  state_.store(0, std::memory_order_seq_cst);
  if (fd_.load(std::memory_order_seq_cst) >= 0) update_fd();
}

bool Event::try_consume() {
  // A plain read first: spinning waiters must not bounce the line with CASes.
  if (state_.load(std::memory_order_acquire) == 0) return false;
  if (mode_ == ResetMode::kManual) return true;
  std::uint32_t expected = 1;
  if (!state_.compare_exchange_strong(expected, 0, std::memory_order_seq_cst,
                                      std::memory_order_relaxed)) {
    return false;
  }
  if (fd_.load(std::memory_order_seq_cst) >= 0) update_fd();
  return true;
}

bool Event::spin(std::uint32_t spin_us) {
  const std::int64_t until = monotonic_ns() + std::int64_t{spin_us} * kNsPerUs;
  for (unsigned i = 1;; ++i) {
    if (try_consume()) return true;
    cpu_relax();
    // A clock read costs about as much as a few pauses: check every 16th.
    if (i % 16 == 0 && monotonic_ns() >= until) return false;
  }
}

bool Event::wait(DWORD milliseconds) {
  return wait(milliseconds, wait_spin_budget_us());
}

bool Event::wait(DWORD milliseconds, std::uint32_t spin_us) {
  if (try_consume()) return true;
  if (milliseconds == 0) return false;
  const bool forever = milliseconds == INFINITE;
  const timespec deadline = forever ? timespec{} : deadline_after(milliseconds);
  if (spin_us > 0) {
    // Within the timeout: a 1 ms wait never spins longer than 1 ms.
    const auto limit = forever ? spin_us
                               : static_cast<std::uint32_t>(std::min<std::uint64_t>(
                                     spin_us, std::uint64_t{milliseconds} * 1000));
    if (spin(limit)) return true;
  }
  for (;;) {
    sleepers_.fetch_add(1, std::memory_order_seq_cst);
    futex_wait(state_, 0, forever ? nullptr : &deadline);
    sleepers_.fetch_sub(1, std::memory_order_seq_cst);
    if (try_consume()) return true;
    if (!forever && passed(deadline)) return false;
  }
}

int Event::pollable_fd() {
  int fd = fd_.load(std::memory_order_acquire);
  if (fd >= 0) return fd;
  std::lock_guard lock(fd_mutex_);
  fd = fd_.load(std::memory_order_relaxed);
  if (fd >= 0) return fd;
  fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (fd < 0) return -1;
  fd_.store(fd, std::memory_order_seq_cst);
  // Read after the store (see set()): a signal that did not see the fd is seen here.
  if (state_.load(std::memory_order_seq_cst) != 0) {
    const std::uint64_t one = 1;
    [[maybe_unused]] const ssize_t n = ::write(fd, &one, sizeof one);
    fd_readable_ = true;
  }
  return fd;
}

void Event::update_fd() {
  std::lock_guard lock(fd_mutex_);
  const bool readable = state_.load(std::memory_order_seq_cst) != 0;
  if (readable == fd_readable_) return;
  const int fd = fd_.load(std::memory_order_relaxed);
  // The counter is 0 or 1 here: a write makes it readable, a read drains it
  // (non-blocking, never fails while it is 1).
  std::uint64_t value = 1;
  [[maybe_unused]] const ssize_t n =
      readable ? ::write(fd, &value, sizeof value) : ::read(fd, &value, sizeof value);
  fd_readable_ = readable;
}

namespace {

// Runs `satisfied` (true when the wait is over) until it says so or the
// deadline passes, sleeping on the multi-object generation word meanwhile.
template <class Check>
bool wait_multiple(DWORD milliseconds, Check satisfied) {
  if (satisfied()) return true;
  if (milliseconds == 0) return false;
  const bool forever = milliseconds == INFINITE;
  const timespec deadline = forever ? timespec{} : deadline_after(milliseconds);
  g_multi_waiters.fetch_add(1, std::memory_order_seq_cst);
  bool done = false;
  for (;;) {
    const std::uint32_t generation = g_multi_generation.load(std::memory_order_seq_cst);
    if (satisfied()) {
      done = true;
      break;
    }
    if (!forever && passed(deadline)) break;
    futex_wait(g_multi_generation, generation, forever ? nullptr : &deadline);
  }
  g_multi_waiters.fetch_sub(1, std::memory_order_seq_cst);
  return done;
}

}  // namespace

int wait_any(Event* const* events, std::size_t count, DWORD milliseconds) {
  int index = -1;
  wait_multiple(milliseconds, [&] {
    for (std::size_t i = 0; i < count; ++i) {
      if (events[i]->try_wait()) {
        index = static_cast<int>(i);
        return true;
      }
    }
    return false;
  });
  return index;
}

bool wait_all(Event* const* events, std::size_t count, DWORD milliseconds) {
  return wait_multiple(milliseconds, [&] {
    for (std::size_t i = 0; i < count; ++i) {
      if (!events[i]->signalled()) return false;
    }
    // Consume the auto-reset ones; one taken by another waiter meanwhile
    // means not all are signalled: give back what was taken.
    for (std::size_t i = 0; i < count; ++i) {
      if (events[i]->try_wait()) continue;
      for (std::size_t j = 0; j < i; ++j) {
        if (events[j]->auto_reset()) events[j]->set();
      }
      return false;
    }
    return true;
  });
}

}  // namespace hilcap::ks
