// A KS client of a StreamAllocator fed by a UvcSource, for the USB and the
// hardware tests: ALLOC (waiting when it pends), verify the frame against the
// device model's in-band header, FREE; and the checks every run shares.
#pragma once

#include <hilcap/device/frame_header.h>
#include <hilcap/stream_allocator.h>
#include <hilcap/uvc/uvc_source.h>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

namespace hilcap::testing {

// An ALLOC that a test thread can wait for.
class WaitableAlloc : public AllocRequest {
 public:
  // Waits up to `limit` for the completion; nullopt on timeout.
  std::optional<AllocOutcome> wait(std::chrono::milliseconds limit);
  void reset();

 private:
  void on_complete(NTSTATUS status, void* frame) override;

  std::mutex mutex_;
  std::condition_variable done_;
  std::optional<AllocOutcome> outcome_;
};

// One frame as a client saw it.
struct ClientFrame {
  FrameInfo info;
  device::FrameVerdict verdict;  // against the device model's header (real cameras have none)
  std::optional<uvc::UvcFrameRecord> record;
};

struct ClientRun {
  std::vector<ClientFrame> frames;
  NTSTATUS last_status = STATUS_SUCCESS;  // how the last ALLOC ended (STATUS_TIMEOUT: waited out)
};

// A capture-mode allocator of `frames` frames sized for `source`.
std::shared_ptr<StreamAllocator> allocator_for(const uvc::UvcSource& source,
                                               std::uint32_t frames = 4);

// ALLOC, verify and FREE `count` frames; fewer when an ALLOC fails or waits longer than `limit`.
ClientRun take_frames(StreamAllocator& allocator, const uvc::UvcSource& source, std::size_t count,
                      std::chrono::milliseconds limit = std::chrono::seconds(5));

// Consecutive delivered frames keep the KS invariant: sequence numbers increase, their gaps
// equal the growth of the drop count, and a frame after a drop is marked a discontinuity.
void expect_sequence_invariant(const std::vector<ClientFrame>& frames);

}  // namespace hilcap::testing
