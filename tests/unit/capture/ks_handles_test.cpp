// The handle table behind every Win32 call of <hilcap/ks.h>: stale and closed
// handles with the per-thread lookup cache, closes racing calls on other
// threads, and when a closed object is finally released.
#include <gtest/gtest.h>
#include <hilcap/ks.h>
#include <hilcap/ks_extensions.h>

#include <atomic>
#include <latch>
#include <memory>
#include <thread>
#include <vector>

#include "ks_test_client.h"

namespace hilcap {
namespace {

// More handles than a thread caches, used in turn: each still reaches its own
// object, and closed ones are refused at once, cached or not.
TEST(KsHandles, ManyHandlesThroughTheCache) {
  std::vector<HANDLE> events;
  for (int i = 0; i < 10; ++i)
    events.push_back(CreateEvent(nullptr, TRUE, FALSE, nullptr));
  for (int round = 0; round < 3; ++round) {
    for (std::size_t i = 0; i < events.size(); ++i) {
      ASSERT_TRUE(SetEvent(events[i]));
      EXPECT_EQ(WaitForSingleObject(events[i], 0), WAIT_OBJECT_0);
      ASSERT_TRUE(ResetEvent(events[i]));
      EXPECT_EQ(WaitForSingleObject(events[i], 0), static_cast<DWORD>(WAIT_TIMEOUT));
    }
  }
  for (std::size_t i = 0; i < events.size(); i += 2)
    ASSERT_TRUE(CloseHandle(events[i]));
  for (std::size_t i = 0; i < events.size(); ++i) {
    EXPECT_EQ(SetEvent(events[i]) != FALSE, i % 2 == 1) << i;
  }
  // Slots are reused with a new generation: old values stay refused.
  std::vector<HANDLE> newer;
  for (int i = 0; i < 5; ++i)
    newer.push_back(CreateEvent(nullptr, TRUE, TRUE, nullptr));
  for (std::size_t i = 0; i < events.size(); i += 2) {
    EXPECT_FALSE(SetEvent(events[i]));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_HANDLE));
  }
  for (HANDLE h : newer)
    EXPECT_EQ(WaitForSingleObject(h, 0), WAIT_OBJECT_0);
  for (std::size_t i = 1; i < events.size(); i += 2)
    CloseHandle(events[i]);
  for (HANDLE h : newer)
    CloseHandle(h);
}

// A close on one thread while another keeps calling through the same handle:
// the caller's calls succeed until the close and fail with
// ERROR_INVALID_HANDLE after it; the object outlives every call using it.
TEST(KsHandles, CloseRacesCallsOnAnotherThread) {
  test::Allocator a(test::framing(2));
  const HANDLE h = a.get();
  std::atomic<bool> closed{false};
  std::latch running(1);
  std::thread caller([&] {
    bool first = true;
    for (;;) {
      PVOID frame = nullptr;
      test::Overlapped o;
      const bool ok = test::alloc(h, &frame, &o.ov) && test::free_frame(h, frame);
      if (first) running.count_down();
      first = false;
      if (!ok) {
        EXPECT_TRUE(closed.load());
        EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_HANDLE));
        return;
      }
    }
  });
  running.wait();
  closed.store(true);
  EXPECT_TRUE(a.close());
  caller.join();
}

// A closed object stays allocated while another thread's cache holds it, and
// is released on that thread's next call (or when it exits).
TEST(KsHandles, ClosedObjectIsReleasedOnTheCachingThreadsNextCall) {
  HANDLE h = nullptr;
  const KSALLOCATOR_FRAMING f = test::framing();
  ASSERT_EQ(KsCreateAllocator(nullptr, &f, &h), static_cast<DWORD>(ERROR_SUCCESS));
  const std::weak_ptr<StreamAllocator> allocator = stream_allocator_from_handle(h);
  const HANDLE other = CreateEvent(nullptr, TRUE, FALSE, nullptr);
  std::latch used(1), closed(1), checked(1), called(1);
  std::thread user([&] {
    EXPECT_NE(test::status(h).Framing.Frames, 0u);  // caches h
    used.count_down();
    closed.wait();
    checked.wait();
    EXPECT_TRUE(SetEvent(other));  // any call notices the close
    called.count_down();
  });
  used.wait();
  ASSERT_TRUE(CloseHandle(h));
  closed.count_down();
  EXPECT_FALSE(allocator.expired()) << "still cached by the other thread";
  checked.count_down();
  called.wait();
  EXPECT_TRUE(allocator.expired());
  user.join();
  CloseHandle(other);
}

// A handle closed from inside a call on it (here: a completion callback that
// closes the allocator whose FREE completed a request) is released once that
// call returns, on the thread's next lookup.
TEST(KsHandles, HandleClosedDuringACallOnItIsReleasedAfterwards) {
  HANDLE h = nullptr;
  const KSALLOCATOR_FRAMING f = test::framing(1);
  ASSERT_EQ(KsCreateAllocator(nullptr, &f, &h), static_cast<DWORD>(ERROR_SUCCESS));
  const std::weak_ptr<StreamAllocator> allocator = stream_allocator_from_handle(h);
  PVOID held = nullptr;
  test::Overlapped first, second;
  ASSERT_TRUE(test::alloc(h, &held, &first.ov));
  PVOID frame = nullptr;
  ASSERT_FALSE(test::alloc(h, &frame, &second.ov));
  struct CloseOnCompletion final : KsCompletionObserver {
    HANDLE handle = nullptr;
    void request_completed(HANDLE, OVERLAPPED*, NTSTATUS) override {
      EXPECT_TRUE(CloseHandle(handle));
    }
  } observer;
  observer.handle = h;
  KsCompletionObserver* const previous = set_ks_completion_observer(&observer);
  // A synchronous FREE (no event to create and close): completes `second`, which closes h.
  DWORD returned = 0;
  EXPECT_TRUE(test::ks_ioctl(h, IOCTL_KS_METHOD, test::free_method(), &held, sizeof(held),
                             &returned, nullptr));
  set_ks_completion_observer(previous);
  EXPECT_TRUE(second.signalled());
  const HANDLE other = CreateEvent(nullptr, TRUE, FALSE, nullptr);
  EXPECT_TRUE(SetEvent(other));  // the next lookup drops the cached reference
  EXPECT_TRUE(allocator.expired());
  CloseHandle(other);
}

// A thread that exits releases what it cached.
TEST(KsHandles, ExitingThreadReleasesItsCache) {
  HANDLE h = nullptr;
  const KSALLOCATOR_FRAMING f = test::framing();
  ASSERT_EQ(KsCreateAllocator(nullptr, &f, &h), static_cast<DWORD>(ERROR_SUCCESS));
  const std::weak_ptr<StreamAllocator> allocator = stream_allocator_from_handle(h);
  std::thread([h] { EXPECT_NE(test::status(h).Framing.Frames, 0u); }).join();
  ASSERT_TRUE(CloseHandle(h));
  EXPECT_TRUE(allocator.expired());
}

}  // namespace
}  // namespace hilcap
