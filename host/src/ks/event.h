// A Win32 event: manual- or auto-reset, waitable with a timeout.
//
// The state is one atomic word and a count of sleepers; a waiter sleeps on the
// word with a futex, so SetEvent with nobody waiting makes no system call.
// (Issue 4 adds a bounded spin before sleeping and an eventfd for epoll
// users; both fit behind set() and wait().)
#pragma once

#include <atomic>
#include <cstdint>

#include "kernel_object.h"

namespace hilcap::ks {

class Event final : public KernelObject {
 public:
  static constexpr ObjectType kType = ObjectType::kEvent;
  enum class ResetMode { kManual, kAuto };

  Event(ResetMode mode, bool signalled);

  void set();
  void reset();
  bool signalled() const { return state_.load(std::memory_order_acquire) != 0; }
  // True once signalled (an auto-reset event is then reset again), false when
  // `milliseconds` passed first; INFINITE waits forever.
  bool wait(DWORD milliseconds);

  Event* signal_event() override { return this; }

 private:
  bool try_consume();

  const ResetMode mode_;
  std::atomic<std::uint32_t> state_;  // 1 = signalled
  std::atomic<std::uint32_t> sleepers_{0};
};

}  // namespace hilcap::ks
