// A Win32 event: manual- or auto-reset, waitable with a timeout, and
// optionally pollable through an eventfd.
//
// The state is one atomic word and a count of sleepers; a waiter may first
// spin on the word for a bounded time (the spin budget: a completion that
// arrives within it costs no system call on either side and no sleep), then
// sleeps on it with a futex, so SetEvent with nobody waiting makes no system
// call.
//
// Waits on several events at once (WaitForMultipleObjects, wait_any /
// wait_all below) sleep on one process-wide generation word instead, which
// set() bumps (and wakes) only while such a wait is in progress: a set with
// no multi-object waiter costs one more load.
//
// pollable_fd() attaches an eventfd that is readable exactly while the event
// is signalled (eventually: each state change is followed by one update of
// the fd, serialised under fd_mutex_, which reads the state last). It is made
// on first request, so events nobody polls never touch it.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>

#include "kernel_object.h"

namespace hilcap::ks {

// How long a wait spins before it sleeps, in microseconds, when the caller
// gives no budget: process-wide, 0 (sleep at once) unless set.
std::uint32_t wait_spin_budget_us();
// Sets it; returns the previous budget.
std::uint32_t set_wait_spin_budget_us(std::uint32_t microseconds);

class Event final : public KernelObject {
 public:
  static constexpr ObjectType kType = ObjectType::kEvent;
  enum class ResetMode { kManual, kAuto };

  Event(ResetMode mode, bool signalled);
  ~Event() override;

  void set();
  void reset();
  bool signalled() const { return state_.load(std::memory_order_acquire) != 0; }
  bool auto_reset() const { return mode_ == ResetMode::kAuto; }
  // A wait that does not block: true when signalled (an auto-reset event is
  // then reset: the caller consumed the signal).
  bool try_wait() { return try_consume(); }
  // True once signalled (an auto-reset event is then reset again), false when
  // `milliseconds` passed first; INFINITE waits forever. Spins up to
  // `spin_us` (at most the timeout) before it sleeps; the first form spins
  // for the process-wide budget.
  bool wait(DWORD milliseconds);
  bool wait(DWORD milliseconds, std::uint32_t spin_us);

  // An eventfd readable while the event is signalled (made on the first
  // call; owned by the event, closed with it); -1 with errno when none can be
  // made. Pollers must not read it: a wait consumes an auto-reset event.
  int pollable_fd();

  Event* signal_event() override { return this; }

 private:
  bool try_consume();
  bool spin(std::uint32_t spin_us);
  // After a state change: makes the eventfd's readability match the state.
  void update_fd();

  const ResetMode mode_;
  std::atomic<std::uint32_t> state_;  // 1 = signalled
  std::atomic<std::uint32_t> sleepers_{0};
  std::atomic<int> fd_{-1};
  std::mutex fd_mutex_;
  bool fd_readable_ = false;  // guarded by fd_mutex_
};

// WaitForMultipleObjects on events (none null; no event twice for wait_all).
// wait_any: the lowest index of a signalled event, consuming only that one,
// or -1 when `milliseconds` passed first. wait_all: true once every event was
// signalled at one check, consuming the auto-reset ones, false on timeout.
// INFINITE waits forever, 0 only looks.
int wait_any(Event* const* events, std::size_t count, DWORD milliseconds);
bool wait_all(Event* const* events, std::size_t count, DWORD milliseconds);

}  // namespace hilcap::ks
