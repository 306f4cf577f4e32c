// Reference §8 (shared/reference/ks-semantics.md), cases 1-18 that need no
// device, asserted through <hilcap/ks.h> exactly as a Windows KS client would
// see them. Cases that need threads (6's CancelIo scope, 7, 18) are in
// tests/concurrency/. Policy values come from kKsPolicy.
#include <gtest/gtest.h>
#include <hilcap/ks.h>
#include <hilcap/ks_extensions.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <vector>

#include "ks/nt_status.h"
#include "ks_policy.h"
#include "ks_test_client.h"

namespace hilcap {
namespace {

using test::Allocator;
using test::framing;
using test::Overlapped;

constexpr ULONG kFrames = 3;
constexpr ULONG kFrameSize = 1000;
constexpr ULONG kAlignment = FILE_64_BYTE_ALIGNMENT;

PVOID const kSentinel = reinterpret_cast<PVOID>(std::uintptr_t{0x5E17});

std::array<unsigned char, 16> bytes_of(const GUID& guid) {
  std::array<unsigned char, 16> bytes;
  std::memcpy(bytes.data(), &guid, sizeof(guid));
  return bytes;
}

std::uint32_t pending_count(HANDLE h) {
  return stream_allocator_from_handle(h)->occupancy().pending;
}

// Takes all N frames at once.
std::vector<PVOID> exhaust(HANDLE h) {
  std::vector<PVOID> frames(kFrames, nullptr);
  for (PVOID& frame : frames) {
    Overlapped o;
    EXPECT_TRUE(test::alloc(h, &frame, &o.ov));
  }
  return frames;
}

// Records every pended request's completion, in order.
class CompletionLog final : public KsCompletionObserver {
 public:
  CompletionLog() { previous_ = set_ks_completion_observer(this); }
  ~CompletionLog() override { set_ks_completion_observer(previous_); }
  void request_completed(HANDLE, OVERLAPPED* overlapped, NTSTATUS status) override {
    order.push_back(overlapped);
    statuses.push_back(status);
  }
  std::vector<OVERLAPPED*> order;
  std::vector<NTSTATUS> statuses;

 private:
  KsCompletionObserver* previous_;
};

// The Win32 error DeviceIoControl reports for a policy status.
DWORD win32_error(NTSTATUS status) {
  return ks::win32_error_from_ntstatus(status);
}

// Case 1: GUID bytes, IOCTL codes and x64 struct sizes match the reference.
TEST(KsSection8, Case01_ConstantsAndLayout) {
  const std::array<unsigned char, 16> method_set = {0x41, 0x43, 0x6e, 0xcf, 0x87, 0xec, 0xcf, 0x11,
                                                    0xa1, 0x30, 0x00, 0x20, 0xaf, 0xd1, 0x56, 0xe4};
  const std::array<unsigned char, 16> property_set = {0x42, 0x43, 0x6e, 0xcf, 0x87, 0xec,
                                                      0xcf, 0x11, 0xa1, 0x30, 0x00, 0x20,
                                                      0xaf, 0xd1, 0x56, 0xe4};
  const std::array<unsigned char, 16> connection_set = {0x20, 0xc9, 0x58, 0x1d, 0x9b, 0xac,
                                                        0xcf, 0x11, 0xa5, 0xd6, 0x28, 0xdb,
                                                        0x04, 0xc1, 0x00, 0x00};
  const std::array<unsigned char, 16> dropped_frames_set = {0x44, 0x33, 0xe1, 0xc6, 0xac, 0x30,
                                                            0xd0, 0x11, 0xa1, 0x8c, 0x00, 0xa0,
                                                            0xc9, 0x11, 0x89, 0x56};
  EXPECT_EQ(bytes_of(KSMETHODSETID_StreamAllocator), method_set);
  EXPECT_EQ(bytes_of(KSPROPSETID_StreamAllocator), property_set);
  EXPECT_EQ(bytes_of(KSPROPSETID_Connection), connection_set);
  EXPECT_EQ(bytes_of(PROPSETID_VIDCAP_DROPPEDFRAMES), dropped_frames_set);

  EXPECT_EQ(IOCTL_KS_METHOD, 0x002F000Fu);
  EXPECT_EQ(IOCTL_KS_PROPERTY, 0x002F0003u);

  EXPECT_EQ(sizeof(KSMETHOD), 24u);
  EXPECT_EQ(sizeof(KSALLOCATOR_FRAMING), 24u);
  EXPECT_EQ(sizeof(KSSTREAMALLOCATOR_STATUS), 32u);
  EXPECT_EQ(offsetof(KSSTREAMALLOCATOR_STATUS, AllocatedFrames), 24u);
  EXPECT_EQ(sizeof(KS_FRAMING_ITEM), 88u);
  EXPECT_EQ(sizeof(KSALLOCATOR_FRAMING_EX), 112u);
  EXPECT_EQ(sizeof(KSSTREAMALLOCATOR_STATUS_EX), 120u);
  EXPECT_EQ(sizeof(KSSTREAMALLOCATOR_FUNCTIONTABLE), 16u);
  EXPECT_EQ(sizeof(KSPROPERTY_DROPPEDFRAMES_CURRENT_S), 48u);
  EXPECT_EQ(sizeof(KSSTREAM_HEADER), 56u);
  EXPECT_EQ(sizeof(OVERLAPPED), 32u);

  // The seed sample's Method.Identifier.* and the SDK's Method.* are one field.
  KSMETHOD m{};
  m.Identifier.Set = KSMETHODSETID_StreamAllocator;
  m.Identifier.Id = KSMETHOD_STREAMALLOCATOR_FREE;
  m.Flags = KSMETHOD_TYPE_READ;
  EXPECT_EQ(bytes_of(m.Set), method_set);
  EXPECT_EQ(m.Id, 1u);
  EXPECT_EQ(m.Identifier.Flags, static_cast<ULONG>(KSMETHOD_TYPE_READ));
}

// Case 2: N ALLOCs succeed at once with distinct, non-overlapping, aligned frames.
TEST(KsSection8, Case02_ImmediateAllocation) {
  Allocator a(framing(kFrames, kFrameSize, kAlignment));
  ASSERT_EQ(a.create_error(), static_cast<DWORD>(ERROR_SUCCESS));
  std::vector<std::uintptr_t> frames;
  for (ULONG i = 0; i < kFrames; ++i) {
    Overlapped o;
    PVOID frame = nullptr;
    DWORD returned = 0;
    ASSERT_TRUE(test::alloc(a.get(), &frame, &o.ov, &returned));
    EXPECT_EQ(returned, 8u);
    EXPECT_EQ(o.ov.Internal, 0u);
    EXPECT_EQ(o.ov.InternalHigh, 8u);
    EXPECT_TRUE(o.signalled());
    ASSERT_NE(frame, nullptr);
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(frame) & kAlignment, 0u);
    frames.push_back(reinterpret_cast<std::uintptr_t>(frame));
  }
  std::sort(frames.begin(), frames.end());
  for (std::size_t i = 1; i < frames.size(); ++i) {
    EXPECT_GE(frames[i], frames[i - 1] + kFrameSize) << "frames overlap";
  }
}

// Case 3: ALLOC N+1 pends (ERROR_IO_PENDING, Internal 0x103) and allocates nothing.
TEST(KsSection8, Case03_ExhaustionPends) {
  Allocator a(framing(kFrames));
  std::vector<PVOID> frames(kFrames - 1);
  Overlapped o;
  for (PVOID& f : frames)
    ASSERT_TRUE(test::alloc(a.get(), &f, &o.ov));
  ASSERT_TRUE(o.signalled()) << "the last immediate ALLOC signalled the event";
  PVOID last = nullptr;
  ASSERT_TRUE(test::alloc(a.get(), &last, &o.ov));
  // Issued again with the same OVERLAPPED: the pend resets the event.
  PVOID frame = kSentinel;
  EXPECT_FALSE(test::alloc(a.get(), &frame, &o.ov));
  EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_IO_PENDING));
  EXPECT_EQ(o.ov.Internal, 0x103u);
  EXPECT_FALSE(HasOverlappedIoCompleted(&o.ov));
  EXPECT_FALSE(o.signalled());
  DWORD n = 0;
  EXPECT_FALSE(GetOverlappedResult(a.get(), &o.ov, &n, FALSE));
  EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_IO_INCOMPLETE));
  EXPECT_EQ(test::status(a.get()).AllocatedFrames, kFrames);
  EXPECT_EQ(frame, kSentinel);
  a.close();  // completes the request before `o` and `frame` go away
}

// Case 4: FREE completes the waiter: frame, InternalHigh, then Internal, then the event.
TEST(KsSection8, Case04_FreeSatisfiesWaiter) {
  Allocator a;
  std::vector<PVOID> frames = exhaust(a.get());
  Overlapped o;
  PVOID frame = nullptr;
  ASSERT_FALSE(test::alloc(a.get(), &frame, &o.ov));
  ASSERT_EQ(GetLastError(), static_cast<DWORD>(ERROR_IO_PENDING));

  ASSERT_TRUE(test::free_frame(a.get(), frames[0]));
  EXPECT_TRUE(o.signalled());
  EXPECT_EQ(o.ov.Internal, 0u);
  EXPECT_EQ(o.ov.InternalHigh, 8u);
  EXPECT_EQ(frame, frames[0]) << "the only ready frame is the freed one";
  DWORD n = 0;
  EXPECT_TRUE(GetOverlappedResult(a.get(), &o.ov, &n, TRUE));
  EXPECT_EQ(n, 8u);
  EXPECT_EQ(test::status(a.get()).AllocatedFrames, kFrames);
}

// Case 5 (policy: FIFO): two FREEs complete the first two of three waiters, in issue order.
TEST(KsSection8, Case05_SeveralWaitersServedInOrder) {
  ASSERT_EQ(kKsPolicy.pending_service_order, ServiceOrder::kOldestFirst);
  Allocator a;
  std::vector<PVOID> frames = exhaust(a.get());
  CompletionLog log;
  Overlapped o[3];
  PVOID got[3] = {nullptr, nullptr, nullptr};
  for (int i = 0; i < 3; ++i) {
    ASSERT_FALSE(test::alloc(a.get(), &got[i], &o[i].ov));
    ASSERT_EQ(GetLastError(), static_cast<DWORD>(ERROR_IO_PENDING));
  }
  ASSERT_TRUE(test::free_frame(a.get(), frames[0]));
  ASSERT_TRUE(test::free_frame(a.get(), frames[1]));
  EXPECT_EQ(log.order, (std::vector<OVERLAPPED*>{&o[0].ov, &o[1].ov}));
  EXPECT_EQ(got[0], frames[0]);
  EXPECT_EQ(got[1], frames[1]);
  EXPECT_TRUE(o[0].signalled());
  EXPECT_TRUE(o[1].signalled());
  EXPECT_FALSE(o[2].signalled());
  EXPECT_FALSE(HasOverlappedIoCompleted(&o[2].ov));
  a.close();
}

// Case 6: CancelIoEx ends a pending ALLOC with STATUS_CANCELLED and consumes no frame.
TEST(KsSection8, Case06_CancelIoExOnPendingAlloc) {
  Allocator a;
  std::vector<PVOID> frames = exhaust(a.get());
  Overlapped o;
  PVOID frame = kSentinel;
  ASSERT_FALSE(test::alloc(a.get(), &frame, &o.ov));

  EXPECT_TRUE(CancelIoEx(a.get(), &o.ov));
  EXPECT_TRUE(o.signalled());
  EXPECT_EQ(o.ov.Internal, 0xC0000120u);
  DWORD n = 0;
  EXPECT_FALSE(GetOverlappedResult(a.get(), &o.ov, &n, TRUE));
  EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_OPERATION_ABORTED));
  EXPECT_EQ(GetLastError(), 995u);
  EXPECT_EQ(frame, kSentinel) << "a cancelled request gets no frame";
  EXPECT_EQ(test::status(a.get()).AllocatedFrames, kFrames);

  // A later FREE is not delivered to it: the frame becomes ready instead.
  ASSERT_TRUE(test::free_frame(a.get(), frames[0]));
  EXPECT_EQ(frame, kSentinel);
  EXPECT_EQ(test::status(a.get()).AllocatedFrames, kFrames - 1);
  const AllocatorOccupancy occupancy = stream_allocator_from_handle(a.get())->occupancy();
  EXPECT_EQ(occupancy.held + occupancy.ready, kFrames);

  EXPECT_FALSE(CancelIoEx(a.get(), &o.ov));
  EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_NOT_FOUND));
  EXPECT_EQ(GetLastError(), 1168u);
}

// Case 6: CancelIo from the issuing thread cancels that thread's pending ALLOC.
TEST(KsSection8, Case06_CancelIoFromIssuingThread) {
  Allocator a;
  exhaust(a.get());
  Overlapped o;
  PVOID frame = nullptr;
  ASSERT_FALSE(test::alloc(a.get(), &frame, &o.ov));
  EXPECT_TRUE(CancelIo(a.get()));
  EXPECT_EQ(o.ov.Internal, static_cast<ULONG_PTR>(static_cast<ULONG>(STATUS_CANCELLED)));
  EXPECT_EQ(pending_count(a.get()), 0u);
}

// Case 8: CloseHandle with two waiters cancels both and signals both events.
TEST(KsSection8, Case08_ClosingWithWaiters) {
  Allocator a;
  exhaust(a.get());
  Overlapped o[2];
  PVOID got[2] = {kSentinel, kSentinel};
  for (int i = 0; i < 2; ++i)
    ASSERT_FALSE(test::alloc(a.get(), &got[i], &o[i].ov));
  const HANDLE closed = a.get();
  ASSERT_TRUE(a.close());
  for (int i = 0; i < 2; ++i) {
    EXPECT_TRUE(o[i].signalled());
    EXPECT_EQ(o[i].ov.Internal, 0xC0000120u);
    EXPECT_EQ(got[i], kSentinel);
  }
  // The handle is gone: FREE and GetOverlappedResult on it fail as invalid.
  EXPECT_FALSE(test::free_frame(closed, kSentinel));
  EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_HANDLE));
}

// Case 8 (policy): function-table pointers fail with STATUS_INVALID_HANDLE after close.
TEST(KsSection8, Case08_FunctionTableInvalidAfterClose) {
  Allocator a;
  KSSTREAMALLOCATOR_FUNCTIONTABLE table{};
  DWORD returned = 0;
  {
    KernelModeScope kernel;
    ASSERT_TRUE(test::ks_ioctl(
        a.get(), IOCTL_KS_PROPERTY,
        test::identifier(KSPROPSETID_StreamAllocator, KSPROPERTY_STREAMALLOCATOR_FUNCTIONTABLE,
                         KSPROPERTY_TYPE_GET),
        &table, sizeof(table), &returned, nullptr));
  }
  const auto file = static_cast<PFILE_OBJECT>(a.get());
  a.close();
  PVOID frame = kSentinel;
  EXPECT_EQ(table.AllocateFrame(file, &frame), kKsPolicy.closed_handle_status);
  EXPECT_EQ(kKsPolicy.closed_handle_status, STATUS_INVALID_HANDLE);
  EXPECT_EQ(frame, nullptr);
}

// Case 9 (policy): a zero-length ALLOC is a size query: ERROR_MORE_DATA, 8, nothing allocated.
TEST(KsSection8, Case09_SizeQueryHasNoSideEffects) {
  Allocator a;
  for (int exhausted = 0; exhausted < 2; ++exhausted) {
    if (exhausted) exhaust(a.get());
    const ULONG before = test::status(a.get()).AllocatedFrames;
    Overlapped o;
    DWORD returned = 0;
    EXPECT_FALSE(test::ks_ioctl(a.get(), IOCTL_KS_METHOD, test::alloc_method(), nullptr, 0,
                                &returned, &o.ov));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_MORE_DATA));
    EXPECT_EQ(returned, 8u);
    EXPECT_EQ(o.ov.Internal, 0x80000005u);
    EXPECT_EQ(test::status(a.get()).AllocatedFrames, before);
    EXPECT_EQ(pending_count(a.get()), 0u) << "a size query never pends";
  }
}

// Case 10 (policy): a 4-byte output is too small; OVERLAPPED and event untouched.
TEST(KsSection8, Case10_OutputTooSmall) {
  Allocator a;
  Overlapped o;
  o.ov.Internal = 0x1234;
  o.ov.InternalHigh = 0x5678;
  std::uint32_t small = 0;
  DWORD returned = 77;
  EXPECT_FALSE(test::ks_ioctl(a.get(), IOCTL_KS_METHOD, test::alloc_method(), &small, sizeof(small),
                              &returned, &o.ov));
  EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INSUFFICIENT_BUFFER));
  EXPECT_EQ(returned, 0u);
  EXPECT_EQ(o.ov.Internal, 0x1234u);
  EXPECT_EQ(o.ov.InternalHigh, 0x5678u);
  EXPECT_FALSE(o.signalled());
  EXPECT_EQ(small, 0u);
  EXPECT_EQ(test::status(a.get()).AllocatedFrames, 0u);
  EXPECT_EQ(pending_count(a.get()), 0u);
}

// Case 11 (policy): input shorter than KSMETHOD fails; a KSM_NODE-sized input works.
TEST(KsSection8, Case11_BadInputLength) {
  Allocator a;
  KSMETHOD method = test::alloc_method();
  PVOID frame = nullptr;
  DWORD returned = 0;
  Overlapped o;
  EXPECT_FALSE(DeviceIoControl(a.get(), IOCTL_KS_METHOD, &method, sizeof(method) - 1, &frame,
                               sizeof(frame), &returned, &o.ov));
  EXPECT_EQ(kKsPolicy.short_input_status, STATUS_INVALID_BUFFER_SIZE);
  EXPECT_EQ(GetLastError(), win32_error(kKsPolicy.short_input_status));
  EXPECT_EQ(frame, nullptr);
  EXPECT_EQ(test::status(a.get()).AllocatedFrames, 0u);

  KSM_NODE node{};
  node.Method = test::alloc_method();
  node.NodeId = 0;
  EXPECT_TRUE(
      test::ks_ioctl(a.get(), IOCTL_KS_METHOD, node, &frame, sizeof(frame), &returned, &o.ov));
  EXPECT_NE(frame, nullptr);
  EXPECT_EQ(test::status(a.get()).AllocatedFrames, 1u);
}

// Case 12: unknown set, unknown id and unknown IOCTL fail and change nothing.
TEST(KsSection8, Case12_UnknownTargets) {
  Allocator a;
  const GUID random_set = {
      0x8d2d71cbu, 0x243f, 0x45e3, {0xb2, 0xa8, 0x5b, 0x1c, 0x9f, 0x2e, 0x6c, 0x11}};
  PVOID frame = nullptr;
  DWORD returned = 0;
  Overlapped o;

  EXPECT_FALSE(test::ks_ioctl(a.get(), IOCTL_KS_METHOD,
                              test::identifier(random_set, 0, KSMETHOD_TYPE_WRITE), &frame,
                              sizeof(frame), &returned, &o.ov));
  EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_SET_NOT_FOUND));
  EXPECT_EQ(GetLastError(), 1170u);

  EXPECT_FALSE(
      test::ks_ioctl(a.get(), IOCTL_KS_METHOD,
                     test::identifier(KSMETHODSETID_StreamAllocator, 2, KSMETHOD_TYPE_WRITE),
                     &frame, sizeof(frame), &returned, &o.ov));
  EXPECT_EQ(kKsPolicy.unknown_id_status, STATUS_NOT_FOUND);
  EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_NOT_FOUND));

  EXPECT_FALSE(test::ks_ioctl(a.get(), 0x002F0FFF, test::alloc_method(), &frame, sizeof(frame),
                              &returned, &o.ov));
  EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_FUNCTION));

  EXPECT_EQ(frame, nullptr);
  EXPECT_FALSE(o.signalled());
  EXPECT_EQ(test::status(a.get()).AllocatedFrames, 0u);
  EXPECT_EQ(stream_allocator_from_handle(a.get())->occupancy().ready, kFrames);
}

// Case 13: SETSUPPORT lists the sets; BASICSUPPORT answers the item's flags (policy).
TEST(KsSection8, Case13_SupportQueries) {
  Allocator a;
  DWORD returned = 0;
  for (const bool method : {true, false}) {
    const DWORD code = method ? IOCTL_KS_METHOD : IOCTL_KS_PROPERTY;
    const KSIDENTIFIER query = test::identifier(GUID_NULL, 0, KSMETHOD_TYPE_SETSUPPORT);
    EXPECT_FALSE(test::ks_ioctl(a.get(), code, query, nullptr, 0, &returned, nullptr));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_MORE_DATA));
    ASSERT_GT(returned, 0u);
    ASSERT_EQ(returned % sizeof(GUID), 0u);
    std::vector<GUID> sets(returned / sizeof(GUID));
    ASSERT_TRUE(test::ks_ioctl(a.get(), code, query, sets.data(), returned, &returned, nullptr));
    EXPECT_EQ(returned, sets.size() * sizeof(GUID));
    const GUID& expected = method ? KSMETHODSETID_StreamAllocator : KSPROPSETID_StreamAllocator;
    EXPECT_TRUE(std::any_of(sets.begin(), sets.end(),
                            [&](const GUID& g) { return bytes_of(g) == bytes_of(expected); }));
  }

  ASSERT_EQ(kKsPolicy.method_basic_support, MethodBasicSupport::kItemTypeFlags);
  ULONG flags = 0;
  ASSERT_TRUE(
      test::ks_ioctl(a.get(), IOCTL_KS_METHOD,
                     test::identifier(KSMETHODSETID_StreamAllocator, KSMETHOD_STREAMALLOCATOR_ALLOC,
                                      KSMETHOD_TYPE_BASICSUPPORT),
                     &flags, sizeof(flags), &returned, nullptr));
  EXPECT_EQ(returned, 4u);
  EXPECT_EQ(flags, static_cast<ULONG>(KSMETHOD_TYPE_WRITE));

  ULONG access = 0;
  ASSERT_TRUE(test::ks_ioctl(a.get(), IOCTL_KS_PROPERTY,
                             test::status_property(KSPROPERTY_TYPE_BASICSUPPORT), &access,
                             sizeof(access), &returned, nullptr));
  EXPECT_EQ(returned, 4u);
  EXPECT_EQ(access, static_cast<ULONG>(KSPROPERTY_TYPE_GET));
  EXPECT_EQ(test::status(a.get()).AllocatedFrames, 0u);
}

// Case 14: STATUS echoes the framing and counts outstanding frames (policy); SET fails.
TEST(KsSection8, Case14_StatusProperty) {
  KSALLOCATOR_FRAMING f = framing(kFrames, kFrameSize, kAlignment);
  f.PoolType = PagedPool;
  f.Reserved = 0;
  Allocator a(f);
  KSSTREAMALLOCATOR_STATUS s{};
  s.Reserved = 0xFFFF;
  DWORD returned = 0;
  ASSERT_TRUE(test::ks_ioctl(a.get(), IOCTL_KS_PROPERTY, test::status_property(), &s, sizeof(s),
                             &returned, nullptr));
  EXPECT_EQ(returned, 32u);
  EXPECT_EQ(s.Framing.OptionsFlags, f.OptionsFlags);
  EXPECT_EQ(s.Framing.PoolType, f.PoolType);
  EXPECT_EQ(s.Framing.Frames, f.Frames);
  EXPECT_EQ(s.Framing.FrameSize, f.FrameSize);
  EXPECT_EQ(s.Framing.FileAlignment, f.FileAlignment);
  EXPECT_EQ(s.Framing.Reserved, f.Reserved);
  EXPECT_EQ(s.Reserved, 0u);

  ASSERT_EQ(kKsPolicy.allocated_frames, AllocatedFramesMeaning::kOutstanding);
  EXPECT_EQ(s.AllocatedFrames, 0u);
  std::vector<PVOID> frames = exhaust(a.get());
  EXPECT_EQ(test::status(a.get()).AllocatedFrames, kFrames);
  ASSERT_TRUE(test::free_frame(a.get(), frames[0]));
  EXPECT_EQ(test::status(a.get()).AllocatedFrames, kFrames - 1);

  EXPECT_FALSE(test::ks_ioctl(a.get(), IOCTL_KS_PROPERTY, test::status_property(), nullptr, 0,
                              &returned, nullptr));
  EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_MORE_DATA));
  EXPECT_EQ(returned, 32u);
  unsigned char sixteen[16] = {};
  EXPECT_FALSE(test::ks_ioctl(a.get(), IOCTL_KS_PROPERTY, test::status_property(), sixteen,
                              sizeof(sixteen), &returned, nullptr));
  EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INSUFFICIENT_BUFFER));

  KSSTREAMALLOCATOR_STATUS changed = s;
  changed.AllocatedFrames = 0;
  changed.Framing.Frames = 99;
  EXPECT_FALSE(test::ks_ioctl(a.get(), IOCTL_KS_PROPERTY,
                              test::status_property(KSPROPERTY_TYPE_SET), &changed, sizeof(changed),
                              &returned, nullptr));
  EXPECT_EQ(GetLastError(), win32_error(kKsPolicy.unsupported_property_operation_status));
  const KSSTREAMALLOCATOR_STATUS after = test::status(a.get());
  EXPECT_EQ(after.Framing.Frames, kFrames);
  EXPECT_EQ(after.AllocatedFrames, kFrames - 1);
}

// Case 15 (policy): user mode cannot read FUNCTIONTABLE; kernel mode gets a table
// whose AllocateFrame never pends and whose FreeFrame serves the oldest waiter.
TEST(KsSection8, Case15_DirectCallInterface) {
  Allocator a;
  const KSPROPERTY get_table = test::identifier(
      KSPROPSETID_StreamAllocator, KSPROPERTY_STREAMALLOCATOR_FUNCTIONTABLE, KSPROPERTY_TYPE_GET);
  KSSTREAMALLOCATOR_FUNCTIONTABLE table{};
  DWORD returned = 0;
  ASSERT_TRUE(kKsPolicy.deny_user_mode_function_table);
  EXPECT_FALSE(test::ks_ioctl(a.get(), IOCTL_KS_PROPERTY, get_table, &table, sizeof(table),
                              &returned, nullptr));
  EXPECT_EQ(GetLastError(), win32_error(kKsPolicy.user_mode_denied_status));
  EXPECT_EQ(kKsPolicy.user_mode_denied_status, STATUS_INVALID_DEVICE_REQUEST);
  EXPECT_EQ(table.AllocateFrame, nullptr);

  KernelModeScope kernel;
  ASSERT_TRUE(test::ks_ioctl(a.get(), IOCTL_KS_PROPERTY, get_table, &table, sizeof(table),
                             &returned, nullptr));
  EXPECT_EQ(returned, 16u);
  const auto file = static_cast<PFILE_OBJECT>(a.get());
  std::vector<PVOID> frames(kFrames);
  for (PVOID& frame : frames)
    ASSERT_EQ(table.AllocateFrame(file, &frame), STATUS_SUCCESS);
  PVOID none = kSentinel;
  EXPECT_EQ(table.AllocateFrame(file, &none), kKsPolicy.allocate_frame_empty_status);
  EXPECT_EQ(none, nullptr);
  EXPECT_EQ(pending_count(a.get()), 0u) << "AllocateFrame never pends";

  Overlapped first, second;
  PVOID got_first = nullptr, got_second = nullptr;
  ASSERT_FALSE(test::alloc(a.get(), &got_first, &first.ov));
  ASSERT_FALSE(test::alloc(a.get(), &got_second, &second.ov));
  table.FreeFrame(file, frames[1]);
  EXPECT_TRUE(first.signalled());
  EXPECT_EQ(first.ov.Internal, 0u);
  EXPECT_EQ(got_first, frames[1]);
  EXPECT_FALSE(second.signalled());
  a.close();
}

// Case 16 (ReactOS-derived policy): bad framings fail with STATUS_INVALID_PARAMETER, no handle.
TEST(KsSection8, Case16_CreateValidation) {
  KSALLOCATOR_FRAMING zero_size = framing();
  zero_size.FrameSize = 0;
  KSALLOCATOR_FRAMING unknown_option = framing();
  unknown_option.OptionsFlags |= 0x100;
  KSALLOCATOR_FRAMING page_alignment = framing();
  page_alignment.FileAlignment = 4096;
  KSALLOCATOR_FRAMING zero_frames = framing();  // policy: Frames == 0 is rejected
  zero_frames.Frames = 0;
  KSALLOCATOR_FRAMING not_a_mask = framing();  // policy: the alignment must be 2^k - 1
  not_a_mask.FileAlignment = 5;
  for (const KSALLOCATOR_FRAMING& f :
       {zero_size, unknown_option, page_alignment, zero_frames, not_a_mask}) {
    HANDLE h = INVALID_HANDLE_VALUE;
    EXPECT_EQ(KsCreateAllocator(nullptr, &f, &h), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
    EXPECT_EQ(h, INVALID_HANDLE_VALUE) << "no handle is returned";
  }
  EXPECT_EQ(kKsPolicy.invalid_framing_status, STATUS_INVALID_PARAMETER);
  EXPECT_EQ(kKsPolicy.zero_frames_status, STATUS_INVALID_PARAMETER);
  EXPECT_EQ(kKsPolicy.non_mask_alignment_status, STATUS_INVALID_PARAMETER);

  KSALLOCATOR_FRAMING largest_alignment = framing();
  largest_alignment.FileAlignment = 4095;
  Allocator ok(largest_alignment);
  EXPECT_EQ(ok.create_error(), static_cast<DWORD>(ERROR_SUCCESS));
}

// Case 17 (policy): double free, foreign pointer and p+1 fail and change nothing.
TEST(KsSection8, Case17_InvalidFree) {
  Allocator a;
  std::vector<PVOID> frames = exhaust(a.get());
  ASSERT_TRUE(test::free_frame(a.get(), frames[2]));
  int foreign = 0;
  for (PVOID p : {frames[2], static_cast<PVOID>(&foreign),
                  static_cast<PVOID>(static_cast<unsigned char*>(frames[0]) + 1)}) {
    DWORD returned = 99;
    EXPECT_FALSE(test::free_frame(a.get(), p, &returned));
    EXPECT_EQ(GetLastError(), win32_error(kKsPolicy.invalid_free_status));
    EXPECT_EQ(kKsPolicy.invalid_free_status, STATUS_INVALID_PARAMETER);
    EXPECT_EQ(returned, 0u);
  }
  EXPECT_EQ(test::status(a.get()).AllocatedFrames, kFrames - 1);
  EXPECT_EQ(stream_allocator_from_handle(a.get())->occupancy().ready, 1u);

  // With a waiter queued, invalid FREEs leave it pending.
  Overlapped taken, waiter;
  PVOID again = nullptr, waited = kSentinel;
  ASSERT_TRUE(test::alloc(a.get(), &again, &taken.ov));
  ASSERT_FALSE(test::alloc(a.get(), &waited, &waiter.ov));
  for (PVOID p : {static_cast<PVOID>(&foreign),
                  static_cast<PVOID>(static_cast<unsigned char*>(frames[1]) + 1)}) {
    EXPECT_FALSE(test::free_frame(a.get(), p));
    EXPECT_EQ(GetLastError(), win32_error(kKsPolicy.invalid_free_status));
  }
  EXPECT_FALSE(HasOverlappedIoCompleted(&waiter.ov));
  EXPECT_EQ(waited, kSentinel);
  EXPECT_EQ(pending_count(a.get()), 1u);
  EXPECT_EQ(test::status(a.get()).AllocatedFrames, kFrames);
  EXPECT_EQ(stream_allocator_from_handle(a.get())->counters().invalid_frees, 5u);
  a.close();
}

}  // namespace
}  // namespace hilcap
