// The Win32 side of <hilcap/ks.h> beyond reference §8: handles, events,
// synchronous calls, the OVERLAPPED contract details and hilcap's extensions.
#include <gtest/gtest.h>
#include <hilcap/ks.h>
#include <hilcap/ks_extensions.h>

#include <vector>

#include "ks/nt_status.h"
#include "ks_policy.h"
#include "ks_test_client.h"

namespace hilcap {
namespace {

using test::Allocator;
using test::Overlapped;

// NTSTATUS -> Win32 follows the reference's table (§1.9), unknown ones as Windows does.
TEST(KsApi, StatusMappingFollowsTheReference) {
  struct Row {
    NTSTATUS status;
    DWORD error;
  };
  for (const Row& r :
       {Row{STATUS_SUCCESS, 0}, Row{STATUS_PENDING, 997}, Row{STATUS_BUFFER_OVERFLOW, 234},
        Row{STATUS_INVALID_HANDLE, 6}, Row{STATUS_INVALID_PARAMETER, 87},
        Row{STATUS_INVALID_DEVICE_REQUEST, 1}, Row{STATUS_BUFFER_TOO_SMALL, 122},
        Row{STATUS_SHARING_VIOLATION, 32}, Row{STATUS_INSUFFICIENT_RESOURCES, 1450},
        Row{STATUS_DEVICE_NOT_CONNECTED, 1167}, Row{STATUS_CANCELLED, 995},
        Row{STATUS_INVALID_BUFFER_SIZE, 1784}, Row{STATUS_NOT_FOUND, 1168},
        Row{STATUS_PROPSET_NOT_FOUND, 1170}, Row{STATUS_NO_MATCH, 1169},
        Row{STATUS_ACCESS_VIOLATION, 998}, Row{STATUS_FILE_CLOSED, 6},
        Row{static_cast<NTSTATUS>(0xC0DE0001), 317}}) {
    EXPECT_EQ(ks::win32_error_from_ntstatus(r.status), r.error) << std::hex << r.status;
  }
}

// Unknown, closed and wrong-typed handles fail with ERROR_INVALID_HANDLE.
TEST(KsApi, InvalidHandlesAreRefused) {
  const HANDLE event = CreateEvent(nullptr, TRUE, FALSE, nullptr);
  ASSERT_NE(event, nullptr);
  PVOID frame = nullptr;
  Overlapped o;
  for (HANDLE h : {static_cast<HANDLE>(nullptr), INVALID_HANDLE_VALUE,
                   reinterpret_cast<HANDLE>(std::uintptr_t{0x1000})}) {
    SetLastError(0);
    EXPECT_FALSE(test::alloc(h, &frame, &o.ov));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_HANDLE));
  }
  // An event handle is valid but answers no IOCTL.
  EXPECT_FALSE(test::alloc(event, &frame, &o.ov));
  EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_FUNCTION));
  EXPECT_TRUE(CloseHandle(event));
  EXPECT_FALSE(CloseHandle(event)) << "stale after close";
  EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_HANDLE));
  EXPECT_FALSE(SetEvent(event));
  EXPECT_EQ(WaitForSingleObject(event, 0), WAIT_FAILED);
  // A stale handle does not reach a newer object in the same slot.
  const HANDLE newer = CreateEvent(nullptr, TRUE, TRUE, nullptr);
  EXPECT_NE(newer, event);
  EXPECT_EQ(WaitForSingleObject(event, 0), WAIT_FAILED);
  EXPECT_TRUE(CloseHandle(newer));
}

// KsCreateAllocator: only a NULL connection handle exists until simulated pins do.
TEST(KsApi, CreateAllocatorNeedsANullConnection) {
  const HANDLE event = CreateEvent(nullptr, TRUE, FALSE, nullptr);
  const KSALLOCATOR_FRAMING f = test::framing();
  HANDLE h = nullptr;
  EXPECT_EQ(KsCreateAllocator(event, &f, &h), static_cast<DWORD>(ERROR_INVALID_HANDLE));
  EXPECT_EQ(h, nullptr);
  EXPECT_EQ(KsCreateAllocator(nullptr, nullptr, &h), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
  CloseHandle(event);
}

// Manual-reset events stay signalled; auto-reset ones release one wait; timeouts expire.
TEST(KsApi, EventsResetTheWindowsWay) {
  const HANDLE manual = CreateEvent(nullptr, TRUE, FALSE, nullptr);
  const HANDLE automatic = CreateEventW(nullptr, FALSE, TRUE, nullptr);
  EXPECT_EQ(WaitForSingleObject(manual, 0), WAIT_TIMEOUT);
  EXPECT_EQ(WaitForSingleObject(manual, 1), WAIT_TIMEOUT);
  EXPECT_TRUE(SetEvent(manual));
  EXPECT_EQ(WaitForSingleObject(manual, 0), WAIT_OBJECT_0);
  EXPECT_EQ(WaitForSingleObject(manual, INFINITE), WAIT_OBJECT_0);
  EXPECT_TRUE(ResetEvent(manual));
  EXPECT_EQ(WaitForSingleObject(manual, 0), WAIT_TIMEOUT);

  EXPECT_EQ(WaitForSingleObject(automatic, INFINITE), WAIT_OBJECT_0);
  EXPECT_EQ(WaitForSingleObject(automatic, 0), WAIT_TIMEOUT);
  EXPECT_TRUE(SetEvent(automatic));
  EXPECT_EQ(WaitForSingleObject(automatic, 1), WAIT_OBJECT_0);
  EXPECT_EQ(WaitForSingleObject(automatic, 0), WAIT_TIMEOUT);
  CloseHandle(manual);
  CloseHandle(automatic);
}

// Named events are not supported and say so.
TEST(KsApi, NamedEventsAreNotSupported) {
  EXPECT_EQ(CreateEventA(nullptr, TRUE, FALSE, "frames"), nullptr);
  EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_NOT_SUPPORTED));
}

// A NULL OVERLAPPED call that need not wait returns its result like any call.
TEST(KsApi, SynchronousCallWithoutWaiting) {
  Allocator a;
  PVOID frame = nullptr;
  DWORD returned = 0;
  EXPECT_TRUE(test::alloc(a.get(), &frame, nullptr, &returned));
  EXPECT_NE(frame, nullptr);
  EXPECT_EQ(returned, 8u);
  EXPECT_FALSE(test::ks_ioctl(a.get(), IOCTL_KS_METHOD, test::alloc_method(), nullptr, 0, &returned,
                              nullptr));
  EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_MORE_DATA));
  EXPECT_EQ(returned, 8u);
}

// A pending request without hEvent signals the file handle, which GetOverlappedResult waits on.
TEST(KsApi, RequestWithoutEventSignalsTheFile) {
  Allocator a(test::framing(1));
  PVOID first = nullptr;
  ASSERT_TRUE(test::alloc(a.get(), &first, nullptr));
  OVERLAPPED ov{};
  PVOID second = nullptr;
  ASSERT_FALSE(test::alloc(a.get(), &second, &ov));
  ASSERT_EQ(GetLastError(), static_cast<DWORD>(ERROR_IO_PENDING));
  EXPECT_EQ(WaitForSingleObject(a.get(), 0), WAIT_TIMEOUT);
  ASSERT_TRUE(test::free_frame(a.get(), first));
  EXPECT_EQ(WaitForSingleObject(a.get(), 0), WAIT_OBJECT_0);
  DWORD n = 0;
  EXPECT_TRUE(GetOverlappedResult(a.get(), &ov, &n, TRUE));
  EXPECT_EQ(n, 8u);
  EXPECT_EQ(second, first);
}

// A FREE that succeeds reports the policy's BytesReturned and fills the OVERLAPPED.
TEST(KsApi, FreeReportsPolicyBytesReturned) {
  Allocator a;
  PVOID frame = nullptr;
  ASSERT_TRUE(test::alloc(a.get(), &frame, nullptr));
  Overlapped o;
  DWORD returned = 99;
  ASSERT_TRUE(test::ks_ioctl(a.get(), IOCTL_KS_METHOD, test::free_method(), &frame, sizeof(frame),
                             &returned, &o.ov));
  EXPECT_EQ(returned, kKsPolicy.free_bytes_returned);
  EXPECT_EQ(o.ov.Internal, 0u);
  EXPECT_EQ(o.ov.InternalHigh, returned);
  EXPECT_TRUE(o.signalled());
}

// ALLOC and FREE take a short cut past the automation table (the per-frame
// path); requests at its edges answer as the table does: any method type
// without a support bit (kKsPolicy.method_flags_must_match_item is false), a
// longer output buffer, a support query, a NULL output buffer.
TEST(KsApi, AllocAndFreeShortCutAnswersAsTheTable) {
  ASSERT_FALSE(kKsPolicy.method_flags_must_match_item);
  Allocator a;
  Overlapped o;
  DWORD returned = 0;
  for (const ULONG flags : {ULONG{0}, ULONG{KSMETHOD_TYPE_SEND}, ULONG{KSMETHOD_TYPE_READ}}) {
    KSMETHOD alloc = test::alloc_method();
    alloc.Flags = flags;
    PVOID out[2] = {nullptr, nullptr};
    ASSERT_TRUE(test::ks_ioctl(a.get(), IOCTL_KS_METHOD, alloc, out, sizeof(out), &returned, &o.ov))
        << flags;
    EXPECT_NE(out[0], nullptr);
    EXPECT_EQ(returned, sizeof(PVOID));
    KSMETHOD free = test::free_method();
    free.Flags = flags;
    EXPECT_TRUE(
        test::ks_ioctl(a.get(), IOCTL_KS_METHOD, free, &out[0], sizeof(PVOID), &returned, &o.ov));
  }
  KSMETHOD support = test::alloc_method();
  support.Flags = KSMETHOD_TYPE_BASICSUPPORT;
  ULONG type = 0;
  ASSERT_TRUE(
      test::ks_ioctl(a.get(), IOCTL_KS_METHOD, support, &type, sizeof(type), &returned, &o.ov));
  EXPECT_EQ(type, ULONG{KSMETHOD_TYPE_WRITE});
  EXPECT_FALSE(test::ks_ioctl(a.get(), IOCTL_KS_METHOD, test::alloc_method(), nullptr,
                              sizeof(PVOID), &returned, &o.ov));
  EXPECT_EQ(GetLastError(), ks::win32_error_from_ntstatus(kKsPolicy.null_buffer_status));
  EXPECT_EQ(test::status(a.get()).AllocatedFrames, 0u);
}

// The completion observer sees each pended request once, after its OVERLAPPED is final.
TEST(KsApi, CompletionObserverSeesPendedRequests) {
  struct Observer final : KsCompletionObserver {
    void request_completed(HANDLE file, OVERLAPPED* ov, NTSTATUS status) override {
      EXPECT_TRUE(HasOverlappedIoCompleted(ov));
      EXPECT_EQ(static_cast<NTSTATUS>(ov->Internal), status);
      seen.push_back({file, ov, status});
    }
    struct Seen {
      HANDLE file;
      OVERLAPPED* ov;
      NTSTATUS status;
    };
    std::vector<Seen> seen;
  } observer;
  KsCompletionObserver* previous = set_ks_completion_observer(&observer);
  Allocator a(test::framing(1));
  Overlapped immediate, served, cancelled;
  PVOID f1 = nullptr, f2 = nullptr, f3 = nullptr;
  ASSERT_TRUE(test::alloc(a.get(), &f1, &immediate.ov));
  ASSERT_FALSE(test::alloc(a.get(), &f2, &served.ov));
  ASSERT_FALSE(test::alloc(a.get(), &f3, &cancelled.ov));
  ASSERT_TRUE(test::free_frame(a.get(), f1));
  ASSERT_TRUE(CancelIoEx(a.get(), &cancelled.ov));
  set_ks_completion_observer(previous);
  ASSERT_EQ(observer.seen.size(), 2u);
  EXPECT_EQ(observer.seen[0].file, a.get());
  EXPECT_EQ(observer.seen[0].ov, &served.ov);
  EXPECT_EQ(observer.seen[0].status, STATUS_SUCCESS);
  EXPECT_EQ(observer.seen[1].ov, &cancelled.ov);
  EXPECT_EQ(observer.seen[1].status, STATUS_CANCELLED);
}

// CancelIoEx(h, NULL) cancels every request of the handle; with none it finds nothing.
TEST(KsApi, CancelIoExWithoutOverlappedCancelsAll) {
  Allocator a(test::framing(1));
  PVOID held = nullptr;
  ASSERT_TRUE(test::alloc(a.get(), &held, nullptr));
  Overlapped o[2];
  PVOID frames[2] = {nullptr, nullptr};
  for (int i = 0; i < 2; ++i)
    ASSERT_FALSE(test::alloc(a.get(), &frames[i], &o[i].ov));
  EXPECT_TRUE(CancelIoEx(a.get(), nullptr));
  for (int i = 0; i < 2; ++i) {
    EXPECT_TRUE(o[i].signalled());
    EXPECT_EQ(o[i].ov.Internal, 0xC0000120u);
    EXPECT_EQ(frames[i], nullptr);
  }
  EXPECT_FALSE(CancelIoEx(a.get(), nullptr));
  EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_NOT_FOUND));
  EXPECT_EQ(test::status(a.get()).AllocatedFrames, 1u);
}

// stream_allocator_from_handle reaches the allocator behind a handle, and nothing else.
TEST(KsApi, StreamAllocatorFromHandle) {
  Allocator a;
  const auto allocator = stream_allocator_from_handle(a.get());
  ASSERT_NE(allocator, nullptr);
  EXPECT_EQ(allocator->framing().Frames, 3u);
  const HANDLE event = CreateEvent(nullptr, TRUE, FALSE, nullptr);
  EXPECT_EQ(stream_allocator_from_handle(event), nullptr);
  CloseHandle(event);
}

}  // namespace
}  // namespace hilcap
