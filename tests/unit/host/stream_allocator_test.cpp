// StreamAllocator through its C++ API: pool mode, requests and cancellation,
// counters, and the capture-mode seam (FrameSource, deliver, disconnect).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <hilcap/stream_allocator.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "ks_policy.h"
#include "ks_test_client.h"

namespace hilcap {
namespace {

using test::framing;

std::shared_ptr<StreamAllocator> make(ULONG frames = 3, ULONG frame_size = 1000,
                                      ULONG alignment = FILE_64_BYTE_ALIGNMENT) {
  auto created = StreamAllocator::create(framing(frames, frame_size, alignment));
  EXPECT_EQ(created.status, STATUS_SUCCESS) << created.error;
  return created.allocator;
}

// An ALLOC request that records every completion it receives.
class Request final : public AllocRequest {
 public:
  explicit Request(std::uintptr_t owner = 0) : AllocRequest(owner) {}
  int completions = 0;
  int pendings = 0;
  NTSTATUS status = STATUS_PENDING;
  void* frame = nullptr;
  // When set, runs inside on_complete (to prove no lock is held there).
  std::function<void()> during_completion;

 private:
  void on_pending() override { ++pendings; }
  void on_complete(NTSTATUS s, void* f) override {
    ++completions;
    status = s;
    frame = f;
    if (during_completion) during_completion();
  }
};

// A frame source that keeps the empty frames it is given.
class FakeSource final : public FrameSource {
 public:
  void recycle(FrameBuffer buffer) override { empty.push_back(buffer); }
  FrameBuffer take() {
    FrameBuffer b = empty.front();
    empty.erase(empty.begin());
    return b;
  }
  std::vector<FrameBuffer> empty;
};

// Invalid framings are refused with a message naming the field, expectation and value.
TEST(StreamAllocator, CreateRejectsInvalidFramingWithAMessage) {
  struct Case {
    KSALLOCATOR_FRAMING framing;
    const char* field;
    const char* found;
  };
  KSALLOCATOR_FRAMING zero_size = framing(), flags = framing(), alignment = framing(),
                      frames = framing(), mask = framing();
  zero_size.FrameSize = 0;
  flags.OptionsFlags = 0x80000000;
  alignment.FileAlignment = 4096;
  frames.Frames = 0;
  mask.FileAlignment = 6;
  for (const Case& c :
       {Case{zero_size, "FrameSize", "found 0"}, Case{flags, "OptionsFlags", "found 2147483648"},
        Case{alignment, "FileAlignment", "found 4096"}, Case{frames, "Frames", "found 0"},
        Case{mask, "FileAlignment", "found 6"}}) {
    const auto created = StreamAllocator::create(c.framing);
    EXPECT_EQ(created.status, STATUS_INVALID_PARAMETER);
    EXPECT_EQ(created.allocator, nullptr);
    EXPECT_NE(created.error.find(std::string("KSALLOCATOR_FRAMING.") + c.field), std::string::npos)
        << created.error;
    EXPECT_NE(created.error.find("expected"), std::string::npos) << created.error;
    EXPECT_NE(created.error.find(c.found), std::string::npos) << created.error;
  }
}

// A pool beyond the simulator's limit is refused before anything is mapped.
TEST(StreamAllocator, CreateRejectsAPoolBeyondTheLimit) {
  const auto created = StreamAllocator::create(framing(0xFFFFFFFF, 0xFFFFFFFF, 0));
  EXPECT_EQ(created.status, kKsPolicy.pool_too_large_status);
  EXPECT_EQ(created.allocator, nullptr);
  EXPECT_NE(created.error.find("Frames"), std::string::npos);
}

// Every page of the pool is resident right after create (frames never fault later).
TEST(StreamAllocator, PoolIsPreFaulted) {
  constexpr ULONG kFrames = 4, kSize = 3 * 4096 + 100;
  auto a = make(kFrames, kSize, FILE_BYTE_ALIGNMENT);
  std::vector<void*> frames;
  for (ULONG i = 0; i < kFrames; ++i)
    frames.push_back(a->try_alloc().frame);
  const auto page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
  const auto first = reinterpret_cast<std::uintptr_t>(frames.front()) & ~(page - 1);
  const std::size_t length = std::size_t{kFrames} * kSize;
  std::vector<unsigned char> resident((length + page - 1) / page);
  ASSERT_EQ(::mincore(reinterpret_cast<void*>(first), length, resident.data()), 0);
  for (unsigned char r : resident)
    EXPECT_TRUE(r & 1);
}

// Frames are slot starts aligned to FileAlignment + 1 and each is FrameSize long.
TEST(StreamAllocator, FramesAreAlignedAndDisjoint) {
  for (const ULONG alignment : {ULONG{FILE_BYTE_ALIGNMENT}, ULONG{FILE_LONG_ALIGNMENT},
                                ULONG{FILE_512_BYTE_ALIGNMENT}, ULONG{4095}}) {
    auto a = make(5, 777, alignment);
    std::vector<std::uintptr_t> frames;
    for (int i = 0; i < 5; ++i) {
      const auto p = reinterpret_cast<std::uintptr_t>(a->try_alloc().frame);
      EXPECT_EQ(p & alignment, 0u);
      frames.push_back(p);
    }
    std::sort(frames.begin(), frames.end());
    for (std::size_t i = 1; i < frames.size(); ++i)
      EXPECT_GE(frames[i] - frames[i - 1], 777u);
  }
}

// alloc() hands a ready frame out at once without calling the request back.
TEST(StreamAllocator, AllocIsImmediateWhileFramesAreReady) {
  auto a = make();
  Request r;
  const AllocOutcome outcome = a->alloc(r);
  EXPECT_EQ(outcome.status, STATUS_SUCCESS);
  EXPECT_NE(outcome.frame, nullptr);
  EXPECT_EQ(r.completions, 0);
  EXPECT_EQ(r.pendings, 0);
  EXPECT_EQ(a->counters().immediate, 1u);
}

// Pending requests are served oldest first, each exactly once, with no lock held.
TEST(StreamAllocator, PendingRequestsAreServedOldestFirst) {
  auto a = make(2);
  void* f0 = a->try_alloc().frame;
  void* f1 = a->try_alloc().frame;
  Request r1, r2, r3;
  for (Request* r : {&r1, &r2, &r3}) {
    EXPECT_EQ(a->alloc(*r).status, STATUS_PENDING);
    EXPECT_EQ(r->pendings, 1);
  }
  r1.during_completion = [&] { EXPECT_EQ(a->status().AllocatedFrames, 2u); };
  EXPECT_EQ(a->free(f1), STATUS_SUCCESS);
  EXPECT_EQ(a->free(f0), STATUS_SUCCESS);
  EXPECT_EQ(r1.completions, 1);
  EXPECT_EQ(r1.frame, f1);
  EXPECT_EQ(r2.completions, 1);
  EXPECT_EQ(r2.frame, f0);
  EXPECT_EQ(r3.completions, 0);
  EXPECT_EQ(a->occupancy().pending, 1u);
  a->close();
  EXPECT_EQ(r3.completions, 1);
  EXPECT_EQ(r3.status, STATUS_CANCELLED);
}

// cancel() is true only while the request pends; it then completes once, cancelled.
TEST(StreamAllocator, CancelOneRequest) {
  auto a = make(1);
  void* f = a->try_alloc().frame;
  Request r;
  ASSERT_EQ(a->alloc(r).status, STATUS_PENDING);
  EXPECT_TRUE(a->cancel(r));
  EXPECT_EQ(r.completions, 1);
  EXPECT_EQ(r.status, STATUS_CANCELLED);
  EXPECT_EQ(r.frame, nullptr);
  EXPECT_FALSE(a->cancel(r));
  EXPECT_EQ(a->free(f), STATUS_SUCCESS);
  EXPECT_EQ(r.completions, 1) << "a cancelled request gets no frame later";
  EXPECT_EQ(a->occupancy().ready, 1u);
  EXPECT_EQ(a->counters().cancelled, 1u);
}

// A completed request can be reused for a new ALLOC.
TEST(StreamAllocator, RequestIsReusableAfterCompletion) {
  auto a = make(1);
  void* f = a->try_alloc().frame;
  Request r;
  ASSERT_EQ(a->alloc(r).status, STATUS_PENDING);
  EXPECT_EQ(a->alloc(r).status, STATUS_INVALID_DEVICE_STATE) << "already pending";
  ASSERT_EQ(a->free(f), STATUS_SUCCESS);
  ASSERT_EQ(r.completions, 1);
  ASSERT_EQ(a->free(r.frame), STATUS_SUCCESS);
  EXPECT_EQ(a->alloc(r).status, STATUS_SUCCESS);
}

// cancel_owned_by reaches exactly the requests with that owner tag.
TEST(StreamAllocator, CancelByOwner) {
  auto a = make(1);
  a->try_alloc();
  Request mine1(7), theirs(8), mine2(7);
  for (Request* r : {&mine1, &theirs, &mine2})
    ASSERT_EQ(a->alloc(*r).status, STATUS_PENDING);
  EXPECT_EQ(a->cancel_owned_by(7), 2u);
  EXPECT_EQ(mine1.status, STATUS_CANCELLED);
  EXPECT_EQ(mine2.status, STATUS_CANCELLED);
  EXPECT_EQ(theirs.completions, 0);
  EXPECT_EQ(a->cancel_all(), 1u);
  EXPECT_EQ(theirs.status, STATUS_CANCELLED);
}

// After close every call is refused with the closed-handle status.
TEST(StreamAllocator, CloseRefusesEverything) {
  auto a = make();
  void* f = a->try_alloc().frame;
  a->close();
  Request r;
  EXPECT_EQ(a->alloc(r).status, kKsPolicy.closed_handle_status);
  EXPECT_EQ(a->try_alloc().status, kKsPolicy.closed_handle_status);
  EXPECT_EQ(a->free(f), kKsPolicy.closed_handle_status);
  FakeSource source;
  EXPECT_EQ(a->attach(source), kKsPolicy.closed_handle_status);
  EXPECT_EQ(r.completions, 0);
}

// Destroying an allocator cancels what still pends: exactly-once holds to the end.
TEST(StreamAllocator, DestructionCancelsPendingRequests) {
  Request r;
  {
    auto a = make(1);
    a->try_alloc();
    ASSERT_EQ(a->alloc(r).status, STATUS_PENDING);
  }
  EXPECT_EQ(r.completions, 1);
  EXPECT_EQ(r.status, STATUS_CANCELLED);
}

// FREE accepts exactly a held slot start; anything else is counted and changes nothing.
TEST(StreamAllocator, InvalidFreeChangesNothing) {
  auto a = make(2);
  auto* f = static_cast<unsigned char*>(a->try_alloc().frame);
  int foreign;
  for (void* p :
       {static_cast<void*>(f + 1), static_cast<void*>(&foreign), static_cast<void*>(nullptr)}) {
    EXPECT_EQ(a->free(p), kKsPolicy.invalid_free_status);
  }
  EXPECT_EQ(a->free(f), STATUS_SUCCESS);
  EXPECT_EQ(a->free(f), kKsPolicy.invalid_free_status) << "double free";
  EXPECT_EQ(a->counters().invalid_frees, 4u);
  const AllocatorOccupancy o = a->occupancy();
  EXPECT_EQ(o.held, 0u);
  EXPECT_EQ(o.ready, 2u);
}

// Counters and STATUS follow the life of requests; high_water is the peak held.
TEST(StreamAllocator, CountersAndStatus) {
  auto a = make(2);
  void* f0 = a->try_alloc().frame;
  void* f1 = a->try_alloc().frame;
  EXPECT_EQ(a->status().AllocatedFrames, 2u);
  Request served, cancelled;
  a->alloc(served);
  a->alloc(cancelled);
  a->free(f0);
  a->cancel(cancelled);
  a->free(f1);
  a->free(served.frame);
  const AllocatorCounters c = a->counters();
  EXPECT_EQ(c.immediate, 2u);
  EXPECT_EQ(c.pended, 2u);
  EXPECT_EQ(c.completed_after_pending, 1u);
  EXPECT_EQ(c.cancelled, 1u);
  EXPECT_EQ(c.failed, 0u);
  EXPECT_EQ(c.high_water, 2u);
  const KSSTREAMALLOCATOR_STATUS s = a->status();
  EXPECT_EQ(s.AllocatedFrames, 0u);
  EXPECT_EQ(s.Framing.Frames, 2u);
  EXPECT_EQ(s.Reserved, 0u);
}

// In pool mode a held frame has an all-zero FrameInfo; other pointers have none.
TEST(StreamAllocator, PoolModeFrameInfoIsZero) {
  auto a = make();
  void* f = a->try_alloc().frame;
  ASSERT_TRUE(a->frame_info(f).has_value());
  EXPECT_EQ(*a->frame_info(f), FrameInfo{});
  EXPECT_FALSE(a->frame_info(static_cast<char*>(f) + 1).has_value());
  a->free(f);
  EXPECT_FALSE(a->frame_info(f).has_value());
}

// attach() gives the source every frame not held by a client, and later every freed one.
TEST(StreamAllocator, AttachHandsFramesToTheSource) {
  auto a = make(3);
  void* held = a->try_alloc().frame;
  FakeSource source;
  ASSERT_EQ(a->attach(source), STATUS_SUCCESS);
  EXPECT_EQ(source.empty.size(), 2u);
  for (const FrameBuffer& b : source.empty) {
    EXPECT_NE(b.data, held);
    EXPECT_EQ(b.capacity, 1000u);
  }
  EXPECT_EQ(a->try_alloc().status, STATUS_PENDING) << "nothing is ready until delivered";
  ASSERT_EQ(a->free(held), STATUS_SUCCESS);
  ASSERT_EQ(source.empty.size(), 3u);
  EXPECT_EQ(source.empty.back().data, held);
  const AllocatorOccupancy o = a->occupancy();
  EXPECT_EQ(o.at_source, 3u);
  FakeSource other;
  EXPECT_EQ(a->attach(other), STATUS_INVALID_DEVICE_STATE);
}

// deliver() completes the oldest pending ALLOC with the frame and its FrameInfo.
TEST(StreamAllocator, DeliverCompletesTheOldestWaiter) {
  auto a = make(2);
  FakeSource source;
  a->attach(source);
  Request first, second;
  ASSERT_EQ(a->alloc(first).status, STATUS_PENDING);
  ASSERT_EQ(a->alloc(second).status, STATUS_PENDING);
  FrameInfo info;
  info.sequence = 41;
  info.drop_count = 2;
  info.data_used = 1000;
  info.flags = kFrameDiscontinuity | kFrameTimeValid;
  const FrameBuffer buffer = source.take();
  ASSERT_EQ(a->deliver(buffer, info), STATUS_SUCCESS);
  EXPECT_EQ(first.completions, 1);
  EXPECT_EQ(first.status, STATUS_SUCCESS);
  EXPECT_EQ(first.frame, buffer.data);
  EXPECT_EQ(second.completions, 0);
  EXPECT_EQ(a->frame_info(first.frame), info);
  EXPECT_EQ(a->counters().completed_after_pending, 1u);
  a->close();
}

// Delivered frames with nobody waiting are ready in delivery order.
TEST(StreamAllocator, DeliveredFramesAreReadyInOrder) {
  auto a = make(3);
  FakeSource source;
  a->attach(source);
  std::vector<FrameBuffer> delivered;
  for (int i = 0; i < 3; ++i) {
    FrameInfo info;
    info.sequence = i;
    delivered.push_back(source.take());
    ASSERT_EQ(a->deliver(delivered.back(), info), STATUS_SUCCESS);
  }
  for (int i = 0; i < 3; ++i) {
    void* f = a->try_alloc().frame;
    EXPECT_EQ(f, delivered[i].data);
    EXPECT_EQ(a->frame_info(f)->sequence, i);
  }
}

// deliver() refuses a buffer that is not a frame at the source.
TEST(StreamAllocator, DeliverRejectsFramesNotAtTheSource) {
  auto a = make(2);
  void* held = a->try_alloc().frame;
  FakeSource source;
  a->attach(source);
  const FrameBuffer at_source = source.take();
  EXPECT_EQ(a->deliver(FrameBuffer{at_source.slot, static_cast<std::byte*>(held), 1000}, {}),
            STATUS_INVALID_PARAMETER);
  EXPECT_EQ(a->deliver(FrameBuffer{at_source.slot ^ 1, at_source.data, 1000}, {}),
            STATUS_INVALID_PARAMETER);
  ASSERT_EQ(a->deliver(at_source, {}), STATUS_SUCCESS);
  EXPECT_EQ(a->deliver(at_source, {}), STATUS_INVALID_PARAMETER) << "delivered twice";
  const AllocatorOccupancy o = a->occupancy();
  EXPECT_EQ(o.held + o.ready + o.at_source, 2u);
}

// disconnect() fails every waiter and every later would-pend ALLOC; ready frames still go out.
TEST(StreamAllocator, DisconnectFailsWaitersAndLaterAllocs) {
  auto a = make(2);
  FakeSource source;
  a->attach(source);
  ASSERT_EQ(a->deliver(source.take(), {}), STATUS_SUCCESS);
  void* ready = a->try_alloc().frame;
  ASSERT_NE(ready, nullptr);
  Request waiter;
  ASSERT_EQ(a->alloc(waiter).status, STATUS_PENDING);
  EXPECT_EQ(a->disconnect(STATUS_SUCCESS), STATUS_INVALID_PARAMETER);
  ASSERT_EQ(a->disconnect(STATUS_DEVICE_NOT_CONNECTED), STATUS_SUCCESS);
  EXPECT_EQ(waiter.completions, 1);
  EXPECT_EQ(waiter.status, STATUS_DEVICE_NOT_CONNECTED);
  Request later;
  EXPECT_EQ(a->alloc(later).status, STATUS_DEVICE_NOT_CONNECTED);
  EXPECT_EQ(later.completions, 0);
  EXPECT_EQ(a->counters().failed, 1u);
  // A frame still in flight comes back and is handed out.
  ASSERT_EQ(a->deliver(source.take(), {}), STATUS_SUCCESS);
  EXPECT_EQ(a->try_alloc().status, STATUS_SUCCESS);
}

// "Sequence gaps equal drops" is checked in the order ALLOC hands frames out
// (real-time clients on their threads see them in another order): a gap with
// the drops counted passes, frames without a number (handed back at STOP) are
// not numbered, and a gap that DropCount does not explain is the break found.
TEST(StreamAllocator, HandOutOrderKeepsSequenceGapsEqualToDrops) {
  auto a = make(3);
  FakeSource source;
  a->attach(source);
  const auto hand_out = [&](std::int64_t picture_number, std::int64_t drop_count) {
    FrameInfo info;
    info.sequence = picture_number;
    info.drop_count = drop_count;
    ASSERT_EQ(a->deliver(source.take(), info), STATUS_SUCCESS);
    void* frame = a->try_alloc().frame;
    ASSERT_NE(frame, nullptr);
    ASSERT_EQ(a->free(frame), STATUS_SUCCESS);
  };
  hand_out(1, 0);
  hand_out(3, 1);  // frame 2 dropped, and counted
  hand_out(0, 0);  // handed back unfilled: no number
  hand_out(4, 1);
  EXPECT_EQ(a->sequence_break(), std::nullopt);
  hand_out(6, 1);  // frame 5 missing, DropCount still 1
  EXPECT_EQ(a->sequence_break(),
            "sequence gaps equal drops: PictureNumber went from 4 to 6 (1 missing) while "
            "DropCount went from 1 to 1");
  hand_out(2, 1);
  EXPECT_THAT(*a->sequence_break(), ::testing::HasSubstr("went from 4 to 6")) << "the first stays";
}

// After the numbering restarts (a pin entering ACQUIRE), the frames that were
// ready still carry the old numbers: they are not checked against the new
// numbering, which starts again at PictureNumber 1.
TEST(StreamAllocator, RestartedNumberingSkipsFramesReadyBefore) {
  auto a = make(3);
  FakeSource source;
  a->attach(source);
  for (std::int64_t n = 41; n <= 42; ++n) {
    FrameInfo info;
    info.sequence = n;
    info.drop_count = 40;
    ASSERT_EQ(a->deliver(source.take(), info), STATUS_SUCCESS);
  }
  a->restart_numbering();
  FrameInfo fresh;
  fresh.sequence = 1;
  ASSERT_EQ(a->deliver(source.take(), fresh), STATUS_SUCCESS);
  for (std::int64_t expected : {41, 42, 1}) {
    void* frame = a->try_alloc().frame;
    ASSERT_NE(frame, nullptr);
    EXPECT_EQ(a->frame_info(frame)->sequence, expected);
  }
  EXPECT_EQ(a->sequence_break(), std::nullopt);
}

}  // namespace
}  // namespace hilcap
