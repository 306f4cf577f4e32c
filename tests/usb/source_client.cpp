#include "source_client.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace hilcap::testing {

std::optional<AllocOutcome> WaitableAlloc::wait(std::chrono::milliseconds limit) {
  std::unique_lock lock(mutex_);
  done_.wait_for(lock, limit, [&] { return outcome_.has_value(); });
  return outcome_;
}

void WaitableAlloc::reset() {
  std::lock_guard lock(mutex_);
  outcome_.reset();
}

void WaitableAlloc::on_complete(NTSTATUS status, void* frame) {
  // Notified under the lock: the waiter may destroy this request as soon as it returns.
  std::lock_guard lock(mutex_);
  outcome_ = AllocOutcome{status, frame};
  done_.notify_all();
}

std::shared_ptr<StreamAllocator> allocator_for(const uvc::UvcSource& source, std::uint32_t frames) {
  KSALLOCATOR_FRAMING framing{};
  framing.Frames = frames;
  framing.FrameSize = source.frame_size();
  framing.FileAlignment = 63;
  auto created = StreamAllocator::create(framing);
  if (!created.allocator) throw std::runtime_error(created.error);
  return created.allocator;
}

ClientRun take_frames(StreamAllocator& allocator, const uvc::UvcSource& source, std::size_t count,
                      std::chrono::milliseconds limit) {
  ClientRun run;
  WaitableAlloc request;
  while (run.frames.size() < count) {
    request.reset();
    AllocOutcome outcome = allocator.alloc(request);
    if (outcome.status == STATUS_PENDING) {
      const auto waited = request.wait(limit);
      if (!waited) {
        allocator.cancel(request);
        request.wait(limit);  // the cancel (or a frame just in time) completes it
        run.last_status = STATUS_TIMEOUT;
        return run;
      }
      outcome = *waited;
    }
    run.last_status = outcome.status;
    if (outcome.status != STATUS_SUCCESS) return run;
    ClientFrame f;
    f.info = allocator.frame_info(outcome.frame).value_or(FrameInfo{});
    f.verdict = device::verify_frame(
        std::span(static_cast<const std::byte*>(outcome.frame), f.info.data_used));
    f.record = source.frame_record(outcome.frame);
    run.frames.push_back(f);
    EXPECT_EQ(allocator.free(outcome.frame), STATUS_SUCCESS);
  }
  return run;
}

void expect_sequence_invariant(const std::vector<ClientFrame>& frames) {
  for (std::size_t i = 1; i < frames.size(); ++i) {
    const FrameInfo& a = frames[i - 1].info;
    const FrameInfo& b = frames[i].info;
    EXPECT_GT(b.sequence, a.sequence) << "frame " << i;
    EXPECT_EQ(b.sequence - a.sequence - 1, b.drop_count - a.drop_count) << "frame " << i;
    if (b.drop_count > a.drop_count) {
      EXPECT_NE(b.flags & kFrameDiscontinuity, 0u) << "frame " << i;
    }
  }
}

}  // namespace hilcap::testing
