// The frame source of a capture pin's allocator: the host side of the
// device's two descriptor rings.
//
// Submission: every frame the allocator hands over (recycle) is posted as a
// BufferDescriptor whose buffer_id is its pool slot, while the pin holds the
// device; otherwise it is kept until start_posting(). Completion: drain()
// pops the completion ring, maps each entry to a FrameInfo and its fate
// (completion_mapping.h) and delivers the frame to the allocator.
//
// Threads: recycle() runs under the allocator's lock; start/stop_posting()
// and retire() on the pin's control path; drain() on its completion path
// (one at a time: the pin serialises it). The source's own mutex serialises
// the submission ring's producers and the slot states; it is a leaf lock,
// never held while calling out (deliver runs without it).
#pragma once

#include <hilcap/capture_pin.h>
#include <hilcap/device/rings.h>
#include <hilcap/frame_source.h>
#include <hilcap/stream_allocator.h>

#include <boost/circular_buffer.hpp>
#include <cstdint>
#include <mutex>
#include <vector>

#include "../adaptive_mutex.h"
#include "capture_backend.h"
#include "completion_mapping.h"

namespace hilcap {

class DmaFrameSource final : public FrameSource {
 public:
  // A source for an allocator of `frames` frames (at most the rings' depth).
  DmaFrameSource(device::SubmissionRing& submission, device::CompletionRing& completion,
                 std::uint32_t frames, const MappingOptions& options);

  // FrameSource: posts the frame, or keeps it while not posting.
  void recycle(FrameBuffer buffer) override;

  // The pin holds the device: posts every kept frame, and later ones at once.
  void start_posting();
  // The pin gives the device up: frames recycled from now on are kept.
  void stop_posting();
  // The device is gone, or the pin closed: nothing is ever posted again.
  // With take_back_posted, also takes back the buffers still on the
  // submission ring (only once the device no longer reads it: disconnected).
  void retire(bool take_back_posted);

  // The completion path: pops every completion entry, delivering each frame
  // to `allocator` (kDisconnected buffers are kept instead). Returns the
  // entries popped.
  std::size_t drain(StreamAllocator& allocator, std::int64_t host_time_ns);

  // Frames the allocator handed over and did not get back (see
  // CapturePin::frames_at_device).
  std::uint32_t frames_held() const;
  // The counters of CapturePinStats that the source keeps (all but interrupts).
  CapturePinStats stats() const;
  // Bytes and frames with data delivered so far (for AverageFrameSize).
  DeliveredData data_totals() const;

 private:
  enum class SlotState : std::uint8_t {
    kAway,    // with the allocator (ready or held by a client)
    kPosted,  // on the submission ring, being filled, or its completion not drained
    kKept,    // waiting to be posted, or kept for good after retire()
  };

  // With mutex_ held.
  void post(std::uint32_t slot);
  void keep(std::uint32_t slot);
  void count(const FrameInfo& info);

  device::SubmissionRing& submission_;
  device::CompletionRing& completion_;
  const MappingOptions options_;

  mutable AdaptiveMutex mutex_;
  std::vector<FrameBuffer> buffers_;  // by slot, as last recycled
  std::vector<SlotState> states_;
  boost::circular_buffer<std::uint32_t> kept_;  // capacity: every frame
  std::uint32_t held_ = 0;
  bool posting_ = false;
  bool retired_ = false;
  CapturePinStats stats_;
  DeliveredData data_;
};

}  // namespace hilcap
