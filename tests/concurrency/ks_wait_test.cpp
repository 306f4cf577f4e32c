// The KS shim's wait paths (issue 4): spin-then-block waits and events as
// pollable file descriptors. Behaviour only: what a wait returns, which
// request it sees, when the fd is readable. A wait that never ends shows as
// the test's timeout, never as a measured time.
#include <gtest/gtest.h>
#include <hilcap/ks.h>
#include <hilcap/ks_extensions.h>
#include <poll.h>

#include <atomic>
#include <cstdint>
#include <latch>
#include <thread>
#include <vector>

#include "ks_test_client.h"

namespace hilcap {
namespace {

using test::Allocator;
using test::Overlapped;

constexpr DWORD kSpinForever = 0xFFFFFFFFu;  // ~71 minutes: longer than any test timeout

// Readable now (poll with no timeout).
bool readable(int fd) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, 0) == 1 && (p.revents & POLLIN) != 0;
}

// Blocks until readable.
void poll_until_readable(int fd) {
  pollfd p{fd, POLLIN, 0};
  while (::poll(&p, 1, -1) != 1) {
  }
}

// Restores the process-wide spin budget at the end of a test.
class SpinBudget {
 public:
  explicit SpinBudget(DWORD us) : previous_(HilcapSetWaitSpinBudget(us)) {}
  ~SpinBudget() { HilcapSetWaitSpinBudget(previous_); }
  SpinBudget(const SpinBudget&) = delete;
  SpinBudget& operator=(const SpinBudget&) = delete;

 private:
  DWORD previous_;
};

void wait_for_pending(HANDLE h, std::uint32_t n) {
  const auto allocator = stream_allocator_from_handle(h);
  while (allocator->occupancy().pending != n)
    std::this_thread::yield();
}

// The process-wide budget is a setting: setting it returns the previous one.
TEST(KsWait, SpinBudgetSetterReturnsThePrevious) {
  const DWORD original = HilcapSetWaitSpinBudget(25);
  EXPECT_EQ(HilcapSetWaitSpinBudget(7), 25u);
  EXPECT_EQ(HilcapSetWaitSpinBudget(original), 7u);
}

// A spin never outlasts the wait's timeout: a 1 ms wait with a spin budget of
// an hour times out (else this test would spin past its timeout).
TEST(KsWait, SpinIsBoundedByTheTimeout) {
  HANDLE e = CreateEvent(nullptr, TRUE, FALSE, nullptr);
  EXPECT_EQ(HilcapWaitForSingleObjectSpin(e, 1, kSpinForever), static_cast<DWORD>(WAIT_TIMEOUT));
  const SpinBudget budget(kSpinForever);
  EXPECT_EQ(WaitForSingleObject(e, 1), static_cast<DWORD>(WAIT_TIMEOUT));
  EXPECT_EQ(WaitForSingleObject(e, 0), static_cast<DWORD>(WAIT_TIMEOUT));
  CloseHandle(e);
}

// The spin-then-block wait on a bad handle fails like WaitForSingleObject.
TEST(KsWait, SpinWaitOnABadHandleFails) {
  EXPECT_EQ(HilcapWaitForSingleObjectSpin(reinterpret_cast<HANDLE>(0x1234), 0, 10),
            static_cast<DWORD>(WAIT_FAILED));
  EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_HANDLE));
}

// An auto-reset event set N times while two threads spin-then-block on it
// releases exactly N waits in total: the spin consumes the signal like the
// sleep does.
TEST(KsWait, AutoResetSignalReleasesExactlyOneSpinningWaiter) {
  constexpr int kSignals = 2000;
  HANDLE e = CreateEvent(nullptr, FALSE, FALSE, nullptr);
  std::atomic<int> released{0};
  std::atomic<bool> done{false};
  std::vector<std::thread> waiters;
  for (DWORD spin : {DWORD{0}, DWORD{200}}) {
    waiters.emplace_back([&, spin] {
      while (!done.load()) {
        if (HilcapWaitForSingleObjectSpin(e, 1, spin) == WAIT_OBJECT_0) released.fetch_add(1);
      }
    });
  }
  for (int i = 0; i < kSignals; ++i) {
    // Signal only once the previous signal was taken: each set counts once.
    while (released.load() < i)
      std::this_thread::yield();
    SetEvent(e);
  }
  while (released.load() < kSignals)
    std::this_thread::yield();
  done = true;
  for (std::thread& w : waiters)
    w.join();
  EXPECT_EQ(released.load(), kSignals);
  EXPECT_EQ(WaitForSingleObject(e, 0), static_cast<DWORD>(WAIT_TIMEOUT));
  CloseHandle(e);
}

// A pending ALLOC completed by another thread's FREE is seen by
// GetOverlappedResult spinning, with the frame and 8 bytes.
TEST(KsWait, SpinningGetOverlappedResultSeesTheCompletion) {
  Allocator a(test::framing(1));
  PVOID held = nullptr;
  ASSERT_TRUE(test::alloc(a.get(), &held, nullptr));
  for (int round = 0; round < 100; ++round) {
    Overlapped o;
    PVOID frame = nullptr;
    ASSERT_FALSE(test::alloc(a.get(), &frame, &o.ov));
    ASSERT_EQ(GetLastError(), static_cast<DWORD>(ERROR_IO_PENDING));
    std::thread freer([&] { EXPECT_TRUE(test::free_frame(a.get(), held)); });
    DWORD bytes = 0;
    EXPECT_TRUE(HilcapGetOverlappedResultSpin(a.get(), &o.ov, &bytes, kSpinForever));
    freer.join();
    EXPECT_EQ(bytes, sizeof(PVOID));
    EXPECT_EQ(frame, held);
    held = frame;
  }
  EXPECT_TRUE(test::free_frame(a.get(), held));
}

// With the process-wide budget on, a blocking (non-overlapped) ALLOC still
// ends with the frame another thread frees, and GetOverlappedResult(bWait)
// still ends with a cancel.
TEST(KsWait, ProcessWideSpinBudgetCoversBlockingCallsAndCancels) {
  const SpinBudget budget(50);
  Allocator a(test::framing(1));
  PVOID held = nullptr;
  ASSERT_TRUE(test::alloc(a.get(), &held, nullptr));
  std::thread freer([&] {
    wait_for_pending(a.get(), 1);
    EXPECT_TRUE(test::free_frame(a.get(), held));
  });
  PVOID frame = nullptr;
  EXPECT_TRUE(test::alloc(a.get(), &frame, nullptr));
  freer.join();
  EXPECT_EQ(frame, held);

  Overlapped o;
  PVOID never = nullptr;
  ASSERT_FALSE(test::alloc(a.get(), &never, &o.ov));
  std::thread canceller([&] { EXPECT_TRUE(CancelIoEx(a.get(), &o.ov)); });
  DWORD bytes = 99;
  EXPECT_FALSE(GetOverlappedResult(a.get(), &o.ov, &bytes, TRUE));
  EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_OPERATION_ABORTED));
  canceller.join();
  EXPECT_EQ(never, nullptr);
  EXPECT_TRUE(test::free_frame(a.get(), frame));
}

// A manual-reset event's fd is readable exactly while it is signalled: not
// before SetEvent, after it, still after a wait, not after ResetEvent.
TEST(KsEventFd, ManualResetEventFdFollowsTheState) {
  HANDLE e = CreateEvent(nullptr, TRUE, FALSE, nullptr);
  const int fd = HilcapGetEventFd(e);
  ASSERT_GE(fd, 0);
  EXPECT_EQ(HilcapGetEventFd(e), fd) << "one fd per event";
  EXPECT_FALSE(readable(fd));
  SetEvent(e);
  EXPECT_TRUE(readable(fd));
  SetEvent(e);
  EXPECT_EQ(WaitForSingleObject(e, 0), static_cast<DWORD>(WAIT_OBJECT_0));
  EXPECT_TRUE(readable(fd));
  ResetEvent(e);
  EXPECT_FALSE(readable(fd));
  ResetEvent(e);
  EXPECT_FALSE(readable(fd));
  CloseHandle(e);
}

// An auto-reset event's fd stops being readable when a wait consumes the signal.
TEST(KsEventFd, AutoResetEventFdIsConsumedByAWait) {
  HANDLE e = CreateEvent(nullptr, FALSE, FALSE, nullptr);
  const int fd = HilcapGetEventFd(e);
  ASSERT_GE(fd, 0);
  SetEvent(e);
  EXPECT_TRUE(readable(fd));
  EXPECT_EQ(WaitForSingleObject(e, 0), static_cast<DWORD>(WAIT_OBJECT_0));
  EXPECT_FALSE(readable(fd));
  EXPECT_EQ(WaitForSingleObject(e, 0), static_cast<DWORD>(WAIT_TIMEOUT));
  CloseHandle(e);
}

// An event already signalled when its fd is first asked for is readable at once.
TEST(KsEventFd, FdOfAnAlreadySignalledEventIsReadable) {
  HANDLE e = CreateEvent(nullptr, TRUE, TRUE, nullptr);
  const int fd = HilcapGetEventFd(e);
  ASSERT_GE(fd, 0);
  EXPECT_TRUE(readable(fd));
  CloseHandle(e);
}

// Only waitable handles have an fd.
TEST(KsEventFd, NonWaitableHandleHasNoFd) {
  EXPECT_EQ(HilcapGetEventFd(nullptr), -1);
  EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_HANDLE));
  EXPECT_EQ(HilcapGetEventFd(reinterpret_cast<HANDLE>(0x1234)), -1);
  EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_HANDLE));
}

// A client waits for its pending ALLOC in its own poll loop: issuing the
// request resets the event (the fd goes quiet), another thread's FREE
// completes it, the fd becomes readable and GetOverlappedResult has the frame.
TEST(KsEventFd, PollLoopSeesAPendingAllocComplete) {
  Allocator a(test::framing(1));
  PVOID held = nullptr;
  ASSERT_TRUE(test::alloc(a.get(), &held, nullptr));
  Overlapped o;
  SetEvent(o.ov.hEvent);
  const int fd = HilcapGetEventFd(o.ov.hEvent);
  ASSERT_GE(fd, 0);
  for (int round = 0; round < 100; ++round) {
    PVOID frame = nullptr;
    ASSERT_FALSE(test::alloc(a.get(), &frame, &o.ov));
    ASSERT_EQ(GetLastError(), static_cast<DWORD>(ERROR_IO_PENDING));
    EXPECT_FALSE(readable(fd)) << "a request that pends resets its event";
    std::thread freer([&] { EXPECT_TRUE(test::free_frame(a.get(), held)); });
    poll_until_readable(fd);
    DWORD bytes = 0;
    EXPECT_TRUE(GetOverlappedResult(a.get(), &o.ov, &bytes, FALSE));
    freer.join();
    EXPECT_EQ(frame, held);
    held = frame;
  }
  EXPECT_TRUE(test::free_frame(a.get(), held));
}

// A file's own event (hEvent NULL) is pollable too.
TEST(KsEventFd, AllocatorOwnEventIsPollable) {
  Allocator a(test::framing(1));
  PVOID held = nullptr;
  ASSERT_TRUE(test::alloc(a.get(), &held, nullptr));
  OVERLAPPED o{};
  PVOID frame = nullptr;
  ASSERT_FALSE(test::alloc(a.get(), &frame, &o));
  const int fd = HilcapGetEventFd(a.get());
  ASSERT_GE(fd, 0);
  EXPECT_FALSE(readable(fd));
  EXPECT_TRUE(test::free_frame(a.get(), held));
  EXPECT_TRUE(readable(fd));
  DWORD bytes = 0;
  EXPECT_TRUE(GetOverlappedResult(a.get(), &o, &bytes, FALSE));
  EXPECT_EQ(frame, held);
  EXPECT_TRUE(test::free_frame(a.get(), frame));
}

// Setters, resetters and waiters race on a polled event; once they stop, the
// fd's readability equals the event's state (nothing is left out of step).
TEST(KsEventFd, FdMatchesTheStateAfterRacingSetsResetsAndWaits) {
  for (BOOL manual : {TRUE, FALSE}) {
    HANDLE e = CreateEvent(nullptr, manual, FALSE, nullptr);
    const int fd = HilcapGetEventFd(e);
    ASSERT_GE(fd, 0);
    constexpr int kOps = 20000;
    std::latch start(3);
    std::thread setter([&] {
      start.arrive_and_wait();
      for (int i = 0; i < kOps; ++i)
        SetEvent(e);
    });
    std::thread resetter([&] {
      start.arrive_and_wait();
      for (int i = 0; i < kOps; ++i)
        ResetEvent(e);
    });
    std::thread waiter([&] {
      start.arrive_and_wait();
      for (int i = 0; i < kOps; ++i)
        WaitForSingleObject(e, 0);
    });
    setter.join();
    resetter.join();
    waiter.join();
    const bool signalled = HilcapWaitForSingleObjectSpin(e, 0, 0) == WAIT_OBJECT_0;
    // (For an auto-reset event that wait consumed the signal, so re-read.)
    const bool expect_readable = manual ? signalled : false;
    EXPECT_EQ(readable(fd), expect_readable) << (manual ? "manual" : "auto");
    CloseHandle(e);
  }
}

}  // namespace
}  // namespace hilcap
