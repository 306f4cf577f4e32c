// Reference §8 case 7 and the exactly-once invariant under contention:
// several threads race ALLOC, FREE, CancelIoEx, CancelIo and CloseHandle for
// thousands of rounds with a seeded, randomised interleaving. Checked: every
// request ends exactly once (a frame or STATUS_CANCELLED, never both, never
// neither), no frame has two owners, and held + ready == Frames whenever the
// threads are quiescent.
#include <gtest/gtest.h>
#include <hilcap/ks.h>
#include <hilcap/ks_extensions.h>
#include <hilcap/stream_allocator.h>

#include <atomic>
#include <barrier>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <random>
#include <set>
#include <thread>
#include <vector>

#include "adaptive_mutex.h"
#include "ks_test_client.h"

namespace hilcap {
namespace {

constexpr int kThreads = 4;
constexpr int kRounds = 2000;
constexpr int kOpsPerPhase = 12;
constexpr int kSlotsPerThread = 3;

PVOID const kUnset = reinterpret_cast<PVOID>(std::uintptr_t{0xDEAD0});

// One overlapped ALLOC in flight at a time. The OVERLAPPED comes first so the
// observer can find the slot from the OVERLAPPED pointer it is given.
struct Slot {
  OVERLAPPED ov{};
  PVOID frame = kUnset;
  bool pending = false;
  int pends = 0;                    // requests of this slot that pended
  std::atomic<int> completions{0};  // observer calls for them
};
static_assert(offsetof(Slot, ov) == 0);

class CountingObserver final : public KsCompletionObserver {
 public:
  void request_completed(HANDLE, OVERLAPPED* ov, NTSTATUS) override {
    reinterpret_cast<Slot*>(ov)->completions.fetch_add(1, std::memory_order_relaxed);
  }
};

// Frames held by clients; a frame entering twice has two owners.
class Owners {
 public:
  void take(PVOID frame) {
    std::lock_guard lock(mutex_);
    EXPECT_TRUE(held_.insert(frame).second) << "frame " << frame << " has two owners";
  }
  void give_back(PVOID frame) {
    std::lock_guard lock(mutex_);
    EXPECT_EQ(held_.erase(frame), 1u);
  }
  std::size_t size() {
    std::lock_guard lock(mutex_);
    return held_.size();
  }
  void clear() {
    std::lock_guard lock(mutex_);
    held_.clear();
  }

 private:
  std::mutex mutex_;
  std::set<PVOID> held_;
};

class Client {
 public:
  Client(int index, Owners& owners) : rng_(0x5EED0000u + index), owners_(owners) {
    for (Slot& s : slots_)
      s.ov.hEvent = CreateEvent(nullptr, TRUE, FALSE, nullptr);
  }
  ~Client() {
    for (Slot& s : slots_)
      CloseHandle(s.ov.hEvent);
  }

  // Random operations on `h`; `closer` closes it at a random point.
  void run_phase(HANDLE h, bool closer) {
    const int close_at = closer ? static_cast<int>(rng_() % kOpsPerPhase) : -1;
    for (int op = 0; op < kOpsPerPhase; ++op) {
      if (op == close_at) {
        EXPECT_TRUE(CloseHandle(h));
      }
      step(h);
    }
  }

  // Ends the phase on an open handle: own requests cancelled, then settled.
  void settle(HANDLE h) {
    EXPECT_TRUE(CancelIo(h));
    collect(true);
  }

  // After the handle was closed, every request has completed: collect them.
  void settle_after_close() {
    collect(true);
    held_.clear();  // the frames of a closed allocator are gone
  }

  // Every pended request completed exactly once. Called at quiescent points:
  // the observer runs after the event is signalled, inside the FREE, cancel or
  // close call of the completing thread, which has returned by then.
  void check_exactly_once() const {
    for (const Slot& s : slots_)
      EXPECT_EQ(s.completions.load(), s.pends) << "exactly once";
  }

  std::size_t held() const { return held_.size(); }
  std::uint64_t issued() const { return issued_; }
  std::uint64_t ended() const { return ended_; }

 private:
  void step(HANDLE h) {
    switch (rng_() % 6) {
      case 0:
      case 1:
        alloc(h);
        break;
      case 2:
        free_one(h);
        break;
      case 3:
        if (Slot* s = pending_slot()) {
          const BOOL found = CancelIoEx(h, &s->ov);
          if (!found) {
            const DWORD error = GetLastError();
            EXPECT_TRUE(error == ERROR_NOT_FOUND || error == ERROR_INVALID_HANDLE) << error;
          }
        }
        break;
      case 4:
        if (rng_() % 4 == 0) CancelIo(h);
        break;
      default:
        collect(false);
        if (rng_() % 2) std::this_thread::yield();
        break;
    }
  }

  Slot* pending_slot() {
    for (Slot& s : slots_) {
      if (s.pending) return &s;
    }
    return nullptr;
  }

  void alloc(HANDLE h) {
    for (Slot& s : slots_) {
      if (s.pending) continue;
      s.frame = kUnset;
      s.ov.Internal = 0x77;
      s.ov.InternalHigh = 0x77;
      if (test::alloc(h, &s.frame, &s.ov)) {
        ++issued_;
        ++ended_;
        take(s);
      } else if (GetLastError() == ERROR_IO_PENDING) {
        ++issued_;
        s.pending = true;
        ++s.pends;
      } else {
        EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_HANDLE));
        EXPECT_EQ(s.ov.Internal, 0x77u) << "a failure that did not pend touches nothing";
      }
      return;
    }
  }

  void take(Slot& s) {
    EXPECT_EQ(s.ov.Internal, 0u);
    EXPECT_EQ(s.ov.InternalHigh, 8u);
    ASSERT_NE(s.frame, kUnset);
    owners_.take(s.frame);
    held_.push_back(s.frame);
  }

  void free_one(HANDLE h) {
    if (held_.empty()) return;
    const std::size_t i = rng_() % held_.size();
    const PVOID frame = held_[i];
    held_.erase(held_.begin() + static_cast<std::ptrdiff_t>(i));
    owners_.give_back(frame);  // before FREE: the frame may be someone's at once
    if (!test::free_frame(h, frame)) {
      EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_HANDLE));
    }
  }

  // Resolves finished requests (all of them when `wait`). The event, signalled
  // after Internal is final, is what tells completion here: polling Internal
  // while another thread writes it would be a data race in C++ terms.
  void collect(bool wait) {
    for (Slot& s : slots_) {
      if (!s.pending) continue;
      if (WaitForSingleObject(s.ov.hEvent, wait ? INFINITE : 0) != WAIT_OBJECT_0) continue;
      EXPECT_TRUE(HasOverlappedIoCompleted(&s.ov));
      s.pending = false;
      ++ended_;
      EXPECT_LE(s.completions.load(), s.pends) << "completed more than once";
      const auto status = static_cast<NTSTATUS>(s.ov.Internal);
      if (status == STATUS_SUCCESS) {
        take(s);
      } else {
        EXPECT_EQ(status, STATUS_CANCELLED);
        EXPECT_EQ(s.ov.InternalHigh, 0u);
        EXPECT_EQ(s.frame, kUnset) << "a cancelled request got a frame too";
      }
    }
  }

  std::mt19937_64 rng_;
  Owners& owners_;
  Slot slots_[kSlotsPerThread];
  std::vector<PVOID> held_;
  std::uint64_t issued_ = 0;
  std::uint64_t ended_ = 0;
};

// Case 7: cancel/free/close races keep exactly-once completion and frame conservation.
TEST(KsStress, Case07_CancelFreeCloseRace) {
  CountingObserver observer;
  KsCompletionObserver* previous = set_ks_completion_observer(&observer);
  Owners owners;
  std::vector<std::unique_ptr<Client>> clients;
  for (int i = 0; i < kThreads; ++i)
    clients.push_back(std::make_unique<Client>(i, owners));

  std::mt19937_64 rng(0xC1A55);
  HANDLE handle = nullptr;
  int closer = 0;
  ULONG frames = 0;
  std::barrier sync(kThreads + 1);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      Client& c = *clients[t];
      for (int round = 0; round < kRounds; ++round) {
        sync.arrive_and_wait();  // round set up
        c.run_phase(handle, false);
        c.settle(handle);
        sync.arrive_and_wait();  // quiescent: checked by the main thread
        sync.arrive_and_wait();
        c.run_phase(handle, t == closer);
        sync.arrive_and_wait();  // closed by now
        c.settle_after_close();
        sync.arrive_and_wait();  // round over
      }
    });
  }

  for (int round = 0; round < kRounds; ++round) {
    frames = 1 + static_cast<ULONG>(rng() % 4);
    closer = static_cast<int>(rng() % kThreads);
    const KSALLOCATOR_FRAMING f = test::framing(frames, 256, FILE_QUAD_ALIGNMENT);
    ASSERT_EQ(KsCreateAllocator(nullptr, &f, &handle), static_cast<DWORD>(ERROR_SUCCESS));
    const auto allocator = stream_allocator_from_handle(handle);
    sync.arrive_and_wait();
    sync.arrive_and_wait();
    // Conservation at the quiescent point.
    const AllocatorOccupancy o = allocator->occupancy();
    std::size_t held = 0;
    for (const auto& c : clients)
      held += c->held();
    EXPECT_EQ(o.pending, 0u);
    EXPECT_EQ(o.held, held);
    EXPECT_EQ(owners.size(), held);
    EXPECT_EQ(o.held + o.ready, frames);
    EXPECT_EQ(test::status(handle).AllocatedFrames, o.held);
    for (const auto& c : clients)
      c->check_exactly_once();
    sync.arrive_and_wait();
    sync.arrive_and_wait();
    // After close nothing is pending and the books balance.
    const AllocatorOccupancy closed = allocator->occupancy();
    EXPECT_EQ(closed.pending, 0u);
    EXPECT_EQ(closed.held + closed.ready, frames);
    const AllocatorCounters k = allocator->counters();
    EXPECT_EQ(k.pended, k.completed_after_pending + k.cancelled + k.failed);
    sync.arrive_and_wait();
    for (const auto& c : clients)
      c->check_exactly_once();
    owners.clear();
  }
  for (auto& t : threads)
    t.join();
  set_ks_completion_observer(previous);

  std::uint64_t issued = 0, ended = 0;
  for (const auto& c : clients) {
    issued += c->issued();
    ended += c->ended();
  }
  EXPECT_EQ(issued, ended) << "every request ended";
  EXPECT_GT(issued, std::uint64_t{kRounds} * kThreads);
}

// A C++-API request that counts its completions.
class CountedRequest final : public AllocRequest {
 public:
  using AllocRequest::AllocRequest;
  std::atomic<int> completions{0};
  NTSTATUS status = STATUS_PENDING;
  void* frame = nullptr;

 private:
  void on_complete(NTSTATUS s, void* f) override {
    status = s;
    frame = f;
    completions.fetch_add(1, std::memory_order_release);
  }
};

// The C++ API under races of alloc, free, cancel(one) and cancel_owned_by:
// each pended request completes exactly once, never with a frame and a failure.
TEST(StreamAllocatorStress, RequestsCompleteExactlyOnce) {
  constexpr ULONG kFrames = 3;
  constexpr int kOps = 20000;
  auto allocator = StreamAllocator::create(test::framing(kFrames, 128, 0)).allocator;
  ASSERT_NE(allocator, nullptr);
  Owners owners;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937_64 rng(0xA110C + t);
      const std::uintptr_t tag = t + 1;
      CountedRequest requests[2] = {CountedRequest(tag), CountedRequest(tag)};
      int pended[2] = {0, 0};
      std::vector<void*> held;
      // Consumes the result of request i once it completed (waiting for it when `wait`).
      auto resolve = [&](int i, bool wait) {
        while (wait && requests[i].completions.load(std::memory_order_acquire) != pended[i]) {
          std::this_thread::yield();
        }
        const int seen = requests[i].completions.load(std::memory_order_acquire);
        EXPECT_LE(seen, pended[i]) << "completed more than once";
        if (seen != pended[i]) return false;
        if (requests[i].status == STATUS_SUCCESS) {
          EXPECT_NE(requests[i].frame, nullptr);
          owners.take(requests[i].frame);
          held.push_back(requests[i].frame);
        } else {
          EXPECT_EQ(requests[i].status, STATUS_CANCELLED);
          EXPECT_EQ(requests[i].frame, nullptr);
        }
        return true;
      };
      std::vector<bool> outstanding(2, false);
      for (int op = 0; op < kOps; ++op) {
        const int i = static_cast<int>(rng() % 2);
        switch (rng() % 5) {
          case 0:
            if (outstanding[i]) break;
            if (const AllocOutcome o = allocator->alloc(requests[i]); o.status == STATUS_SUCCESS) {
              owners.take(o.frame);
              held.push_back(o.frame);
            } else {
              ASSERT_EQ(o.status, STATUS_PENDING);
              ++pended[i];
              outstanding[i] = true;
            }
            break;
          case 1:
            if (!held.empty()) {
              const std::size_t k = rng() % held.size();
              owners.give_back(held[k]);
              ASSERT_EQ(allocator->free(held[k]), STATUS_SUCCESS);
              held.erase(held.begin() + static_cast<std::ptrdiff_t>(k));
            }
            break;
          case 2:
            allocator->cancel(requests[i]);
            break;
          case 3:
            if (rng() % 8 == 0) allocator->cancel_owned_by(tag);
            break;
          default:
            if (outstanding[i] && resolve(i, false)) outstanding[i] = false;
            break;
        }
      }
      allocator->cancel_owned_by(tag);
      for (int r = 0; r < 2; ++r) {
        if (outstanding[r]) resolve(r, true);
        EXPECT_EQ(requests[r].completions.load(), pended[r]) << "exactly once";
      }
      for (void* f : held) {
        owners.give_back(f);
        EXPECT_EQ(allocator->free(f), STATUS_SUCCESS);
      }
    });
  }
  for (auto& t : threads)
    t.join();
  const AllocatorOccupancy o = allocator->occupancy();
  EXPECT_EQ(o.held, 0u);
  EXPECT_EQ(o.ready, kFrames);
  EXPECT_EQ(o.pending, 0u);
  const AllocatorCounters k = allocator->counters();
  EXPECT_EQ(k.pended, k.completed_after_pending + k.cancelled);
  EXPECT_GT(k.pended, 0u);
  EXPECT_GT(k.cancelled, 0u);
}

// The allocator's lock (AdaptiveMutex) excludes: threads that collide, spin
// and fall asleep all get it, one at a time; no increment is lost.
TEST(AdaptiveMutex, ExcludesUnderContention) {
  AdaptiveMutex mutex;
  std::uint64_t counter = 0;  // plain: ThreadSanitizer checks the lock orders it
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 20'000; ++i) {
        std::lock_guard lock(mutex);
        ++counter;
      }
    });
  }
  for (std::thread& thread : threads)
    thread.join();
  EXPECT_EQ(counter, std::uint64_t{kThreads} * 20'000);
}

// A waiter that outlasts its spin sleeps on the futex; the unlock must wake
// it (a lost wake-up would hang here).
TEST(AdaptiveMutex, WakesAWaiterThatFellAsleep) {
  AdaptiveMutex mutex;
  std::atomic<bool> released{false};
  bool acquired_after_release = false;
  mutex.lock();
  std::thread waiter([&] {
    std::lock_guard lock(mutex);
    acquired_after_release = released.load();
  });
  // Long past the spin budget (microseconds): the waiter is asleep by now.
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  released = true;
  mutex.unlock();
  waiter.join();
  EXPECT_TRUE(acquired_after_release);
  EXPECT_TRUE(mutex.try_lock());
  mutex.unlock();
}

}  // namespace
}  // namespace hilcap
