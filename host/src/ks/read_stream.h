// IOCTL_KS_READ_STREAM on a capture pin: frames captured into the client's
// own buffers, described by a list of KSSTREAM_HEADERs (docs/ks-win32.md).
//
// It sits on the pin's public capture path, whatever the backend: the pin
// makes a capture-mode allocator for itself when it leaves KSSTATE_STOP
// without one of the client's, and keeps an ALLOC pending on it for every
// frame (a "tap"). Each frame the source delivers completes a tap, here:
// copied into the oldest read's next header (PresentationTime, Duration,
// DataUsed, OptionsFlags, KS_FRAME_INFO), or, with no read waiting, dropped
// and counted, as avshws drops a frame it has no buffer for; then freed
// back to the source at once and the tap issued again. So the device never
// starves, and a late client shows as DropCount and DATADISCONTINUITY.
//
// Every read ends exactly once: filled (all its headers), or with the status
// of what ended it first: CancelIo / CancelIoEx / CancelSynchronousIo, the pin
// entering KSSTATE_STOP or closing (kKsPolicy.read_stream_stop_status), or
// the device going away (kKsPolicy.device_gone_status). A read leaves the
// queue under the one mutex, so two of those never both complete it.
//
// Threads: frames arrive on the pin's completion path (one at a time: the
// pin serialises its deliveries); reads, cancels and state changes come from
// any thread. The mutex is a leaf: completions run without it.
#pragma once

#include <hilcap/stream_allocator.h>

#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <vector>

#include "io_completion.h"
#include "kernel_object.h"

namespace hilcap::ks {

class ReadStream {
 public:
  ReadStream();
  ~ReadStream();
  ReadStream(const ReadStream&) = delete;
  ReadStream& operator=(const ReadStream&) = delete;

  // The pin left KSSTATE_STOP with `allocator`, its own capture-mode
  // allocator whose frames are all with the source: reads are taken from now
  // on, and the drop count restarts (with the device's counters).
  void start(std::shared_ptr<StreamAllocator> allocator);
  // No reads are taken; a later read fails at once with `status`.
  void refuse(NTSTATUS status);
  // Ends every pending read with `ended` and refuses later ones with
  // `refused`; closes the allocator (ending its taps). Call only once the pin
  // delivers no more frames to it (the device stopped, or the pin closed).
  void stop(NTSTATUS ended, NTSTATUS refused);

  // A new stream (the pin entered KSSTATE_RUN through KSSTATE_PAUSE from
  // ACQUIRE): PresentationTime counts from `origin_ns`, in the clock of the
  // device's timestamps.
  void set_time_origin(std::int64_t origin_ns);

  // IOCTL_KS_READ_STREAM: checks the header list and queues the read
  // (STATUS_PENDING), or refuses it.
  IoOutcome read(const IoctlCall& call);
  // Ends the reads in `scope` with STATUS_CANCELLED; true when there was one.
  bool cancel(const CancelScope& scope);

  // Frames dropped here since start() (no read waiting, or a buffer too
  // small): KSPROPERTY_DROPPEDFRAMES_CURRENT adds them to the device's.
  std::uint64_t dropped_frames() const;

 private:
  struct PendingRead;
  class FrameTap;

  // A tap completed: with a frame (deliver it, free it, issue it again) or
  // with a failure (the allocator closed, or the device is gone).
  void tap_completed(FrameTap& tap, NTSTATUS status, void* frame);
  void deliver(StreamAllocator& allocator, void* frame);
  // With mutex_ held: copies the frame into the read's next header.
  void fill_next_header(PendingRead& read, const FrameInfo& info, const void* frame);
  // Ends every queued read with `status`; later reads are refused with it.
  void end_all(NTSTATUS ended, NTSTATUS refused);

  mutable std::mutex mutex_;
  std::deque<std::unique_ptr<PendingRead>> reads_;  // oldest first
  NTSTATUS refusal_;                                // STATUS_SUCCESS while reads are taken
  std::uint64_t dropped_ = 0;
  bool discontinuity_ = false;  // the next frame filled follows a drop here
  std::int64_t time_origin_ns_ = 0;

  // Written only while no tap is pending (start/stop on the control path).
  std::shared_ptr<StreamAllocator> allocator_;
  std::vector<std::unique_ptr<FrameTap>> taps_;
};

}  // namespace hilcap::ks
