#include "adaptive_mutex.h"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace hilcap {
namespace {

// About 1-2 us of pause on this machine: longer than the critical sections
// it guards, far shorter than a futex sleep and wake.
constexpr int kSpins = 200;

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

std::uint32_t* futex_word(std::atomic<std::uint32_t>& word) {
  static_assert(sizeof(std::atomic<std::uint32_t>) == sizeof(std::uint32_t));
  return reinterpret_cast<std::uint32_t*>(&word);
}

}  // namespace

void AdaptiveMutex::lock_contended() {
  for (int i = 0; i < kSpins; ++i) {
    cpu_relax();
    // Read first: spinning waiters must not bounce the line with CASes.
    std::uint32_t seen = state_.load(std::memory_order_relaxed);
    if (seen == kFree && state_.compare_exchange_weak(seen, kLocked, std::memory_order_acquire,
                                                      std::memory_order_relaxed)) {
      return;
    }
  }
  // Sleep. Taking the lock from here marks it "with sleepers" (it may have
  // others), so that its unlock wakes the next one.
  while (state_.exchange(kLockedWithSleepers, std::memory_order_acquire) != kFree) {
    ::syscall(SYS_futex, futex_word(state_), FUTEX_WAIT_PRIVATE, kLockedWithSleepers, nullptr,
              nullptr, 0);
  }
}

void AdaptiveMutex::wake_one() {
  ::syscall(SYS_futex, futex_word(state_), FUTEX_WAKE_PRIVATE, 1, nullptr, nullptr, 0);
}

}  // namespace hilcap
