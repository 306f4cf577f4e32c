// <hilcap/ks.h> behaviours that involve more than one thread: reference §8
// case 6 (CancelIo is thread-scoped) and case 18 (non-overlapped calls block),
// plus cross-thread event wakeups and per-thread last errors.
#include <gtest/gtest.h>
#include <hilcap/ks.h>
#include <hilcap/ks_extensions.h>

#include <atomic>
#include <future>
#include <latch>
#include <thread>

#include "ks_test_client.h"

namespace hilcap {
namespace {

using test::Allocator;
using test::Overlapped;

// Waits (yielding, no sleep) until `h` has `n` requests pending.
void wait_for_pending(HANDLE h, std::uint32_t n) {
  const auto allocator = stream_allocator_from_handle(h);
  while (allocator->occupancy().pending != n)
    std::this_thread::yield();
}

// Case 6: CancelIo from thread B leaves thread A's ALLOC pending; CancelIo from A cancels it.
TEST(KsThreads, Case06_CancelIoIsThreadScoped) {
  Allocator a(test::framing(1));
  PVOID held = nullptr;
  ASSERT_TRUE(test::alloc(a.get(), &held, nullptr));
  Overlapped o;
  PVOID frame = nullptr;
  std::latch issued(1), other_cancelled(1);
  std::thread issuer([&] {
    EXPECT_FALSE(test::alloc(a.get(), &frame, &o.ov));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_IO_PENDING));
    issued.count_down();
    other_cancelled.wait();
    EXPECT_TRUE(CancelIo(a.get()));
  });
  issued.wait();
  EXPECT_TRUE(CancelIo(a.get())) << "CancelIo succeeds even with nothing of ours to cancel";
  EXPECT_FALSE(HasOverlappedIoCompleted(&o.ov));
  EXPECT_EQ(stream_allocator_from_handle(a.get())->occupancy().pending, 1u);
  other_cancelled.count_down();
  issuer.join();
  EXPECT_EQ(o.ov.Internal, 0xC0000120u);
  DWORD n = 0;
  EXPECT_FALSE(GetOverlappedResult(a.get(), &o.ov, &n, TRUE));
  EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_OPERATION_ABORTED));
}

struct BlockingAlloc {
  BOOL ok = FALSE;
  DWORD returned = 99;
  DWORD error = 0;
  PVOID frame = nullptr;
};

// Issues a NULL-OVERLAPPED ALLOC on a new thread and reports its id first.
std::thread blocking_alloc(HANDLE h, BlockingAlloc& result, std::promise<DWORD>& thread_id) {
  return std::thread([h, &result, &thread_id] {
    thread_id.set_value(GetCurrentThreadId());
    result.ok = test::alloc(h, &result.frame, nullptr, &result.returned);
    result.error = GetLastError();
  });
}

// Case 18: a non-overlapped ALLOC on an exhausted allocator blocks until another thread FREEs.
TEST(KsThreads, Case18_BlockingAllocReturnsWhenAFrameIsFreed) {
  Allocator a(test::framing(1));
  PVOID held = nullptr;
  ASSERT_TRUE(test::alloc(a.get(), &held, nullptr));
  BlockingAlloc result;
  std::promise<DWORD> id;
  std::thread t = blocking_alloc(a.get(), result, id);
  wait_for_pending(a.get(), 1);
  ASSERT_TRUE(test::free_frame(a.get(), held));
  t.join();
  EXPECT_TRUE(result.ok);
  EXPECT_EQ(result.returned, 8u);
  EXPECT_EQ(result.frame, held);
}

// Case 18: CancelSynchronousIo on the blocked thread makes the call fail, aborted.
TEST(KsThreads, Case18_CancelSynchronousIoAbortsTheBlockedCall) {
  Allocator a(test::framing(1));
  PVOID held = nullptr;
  ASSERT_TRUE(test::alloc(a.get(), &held, nullptr));
  BlockingAlloc result;
  std::promise<DWORD> id;
  std::thread t = blocking_alloc(a.get(), result, id);
  const HANDLE thread = OpenThread(THREAD_TERMINATE, FALSE, id.get_future().get());
  ASSERT_NE(thread, nullptr);
  wait_for_pending(a.get(), 1);
  EXPECT_TRUE(CancelSynchronousIo(thread));
  t.join();
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(result.error, static_cast<DWORD>(ERROR_OPERATION_ABORTED));
  EXPECT_EQ(result.returned, 0u);
  EXPECT_EQ(result.frame, nullptr);
  EXPECT_EQ(test::status(a.get()).AllocatedFrames, 1u);
  EXPECT_FALSE(CancelSynchronousIo(thread)) << "nothing is blocked any more";
  EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_NOT_FOUND));
  EXPECT_TRUE(CloseHandle(thread));
}

// Closing the allocator ends a blocked non-overlapped call with ERROR_OPERATION_ABORTED.
TEST(KsThreads, CloseAbortsABlockedCall) {
  Allocator a(test::framing(1));
  PVOID held = nullptr;
  ASSERT_TRUE(test::alloc(a.get(), &held, nullptr));
  BlockingAlloc result;
  std::promise<DWORD> id;
  std::thread t = blocking_alloc(a.get(), result, id);
  wait_for_pending(a.get(), 1);
  a.close();
  t.join();
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(result.error, static_cast<DWORD>(ERROR_OPERATION_ABORTED));
}

// GetOverlappedResult(bWait=TRUE) returns once another thread's FREE completes the request.
TEST(KsThreads, GetOverlappedResultWaitsForACompletionElsewhere) {
  Allocator a(test::framing(1));
  PVOID held = nullptr;
  ASSERT_TRUE(test::alloc(a.get(), &held, nullptr));
  Overlapped o;
  PVOID frame = nullptr;
  ASSERT_FALSE(test::alloc(a.get(), &frame, &o.ov));
  std::thread freer([&] { EXPECT_TRUE(test::free_frame(a.get(), held)); });
  DWORD n = 0;
  EXPECT_TRUE(GetOverlappedResult(a.get(), &o.ov, &n, TRUE));
  EXPECT_EQ(n, 8u);
  EXPECT_EQ(frame, held);
  freer.join();
}

// SetEvent wakes a thread blocked in WaitForSingleObject (manual and auto reset).
TEST(KsThreads, SetEventWakesAWaiter) {
  for (const BOOL manual : {TRUE, FALSE}) {
    const HANDLE event = CreateEvent(nullptr, manual, FALSE, nullptr);
    std::atomic<DWORD> waited{WAIT_FAILED};
    std::thread waiter([&] { waited = WaitForSingleObject(event, INFINITE); });
    SetEvent(event);
    waiter.join();
    EXPECT_EQ(waited.load(), WAIT_OBJECT_0);
    EXPECT_EQ(WaitForSingleObject(event, 0), manual ? WAIT_OBJECT_0 : WAIT_TIMEOUT);
    CloseHandle(event);
  }
}

// GetLastError is per thread.
TEST(KsThreads, LastErrorIsPerThread) {
  SetLastError(ERROR_MORE_DATA);
  std::thread other([] {
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_SUCCESS));
    SetLastError(ERROR_NOT_FOUND);
  });
  other.join();
  EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_MORE_DATA));
}

}  // namespace
}  // namespace hilcap
