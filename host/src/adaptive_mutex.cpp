#include "adaptive_mutex.h"

#include "futex.h"

namespace hilcap {
namespace {

// About 1-2 us of pause on this machine: longer than the critical sections
// it guards, far shorter than a futex sleep and wake.
constexpr int kSpins = 200;

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
    futex_wait(state_, kLockedWithSleepers);
  }
}

void AdaptiveMutex::wake_one() {
  futex_wake(state_, 1);
}

}  // namespace hilcap
