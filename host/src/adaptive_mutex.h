// A mutex for short critical sections that two threads take in turn many
// times per frame: the allocator's lock (a client's ALLOC/FREE against the
// completion path's delivery) and the DMA frame source's.
//
// On contention it spins a little before it sleeps. std::mutex (glibc)
// sleeps at once: every collision on a lock held for tens of nanoseconds then
// costs a futex wait and a futex wake, system calls that take microseconds on
// this kind of virtual machine (bench/RESULTS.md, benchmark 3). glibc's own
// PTHREAD_MUTEX_ADAPTIVE_NP spins too, but its uncontended path measured
// slower than std::mutex's (ALLOC+FREE 1.8x -> 3.1x the mutex free list), so
// this is the classic three-state futex mutex (Drepper, "Futexes Are Tricky",
// mutex3) with a bounded spin in front of the sleep: uncontended, one CAS to
// lock and one exchange to unlock, as std::mutex. Like glibc's mutex, it
// takes no locked instruction while the process has a single thread (a
// virtual-time run): nobody else can hold or want it then.
// Satisfies Lockable, so std::lock_guard / std::unique_lock work with it.
#pragma once

#include <sys/single_threaded.h>

#include <atomic>
#include <cstdint>

namespace hilcap {

class AdaptiveMutex {
 public:
  AdaptiveMutex() = default;
  AdaptiveMutex(const AdaptiveMutex&) = delete;
  AdaptiveMutex& operator=(const AdaptiveMutex&) = delete;

  void lock() {
    if (__libc_single_threaded && state_.load(std::memory_order_relaxed) == kFree) {
      state_.store(kLocked, std::memory_order_relaxed);
      return;
    }
    std::uint32_t free = kFree;
    if (!state_.compare_exchange_strong(free, kLocked, std::memory_order_acquire,
                                        std::memory_order_relaxed)) {
      lock_contended();
    }
  }
  bool try_lock() {
    std::uint32_t free = kFree;
    return state_.compare_exchange_strong(free, kLocked, std::memory_order_acquire,
                                          std::memory_order_relaxed);
  }
  void unlock() {
    // Single-threaded: no sleeper can exist (the flag never turns true again
    // while other threads live).
    if (__libc_single_threaded) {
      state_.store(kFree, std::memory_order_relaxed);
      return;
    }
    if (state_.exchange(kFree, std::memory_order_release) == kLockedWithSleepers) wake_one();
  }

 private:
  static constexpr std::uint32_t kFree = 0;
  static constexpr std::uint32_t kLocked = 1;
  static constexpr std::uint32_t kLockedWithSleepers = 2;  // someone may sleep on the word

  void lock_contended();
  void wake_one();

  std::atomic<std::uint32_t> state_{kFree};
};

}  // namespace hilcap
