// StreamAllocator: a pool of frames with Windows Kernel Streaming allocator
// semantics (KSMETHOD_STREAMALLOCATOR_ALLOC / FREE, the STATUS property).
//
// ALLOC hands out a ready frame at once; when none is ready the request pends
// and is served, oldest first, when a frame becomes ready. Every pending
// request completes exactly once: with a frame, with STATUS_CANCELLED (cancel,
// close), or with the status given to disconnect(). Any thread may call any
// member; completion callbacks never run under the allocator's lock.
//
// Where ready frames come from is the allocator's mode:
// - pool mode (default): FREE makes a frame ready again;
// - capture mode (after attach): FREE hands the frame to the FrameSource, and
//   the source's deliver() makes it ready, with its FrameInfo.
// <hilcap/ks.h> exposes the same object to Windows-style clients.
#pragma once

#include <hilcap/frame_info.h>
#include <hilcap/frame_source.h>
#include <hilcap/ks.h>

#include <boost/intrusive/list_hook.hpp>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace hilcap {

// The answer to an ALLOC.
struct AllocOutcome {
  // STATUS_SUCCESS: `frame` is the caller's. STATUS_PENDING: no frame is ready
  // (alloc() queued the request; try_alloc() queued nothing). Anything else:
  // the allocator refused (closed, disconnected).
  NTSTATUS status = STATUS_SUCCESS;
  void* frame = nullptr;
};

// A caller-owned ALLOC that may pend: the allocator's "IRP". It must stay
// alive until on_complete has run (or alloc() did not return STATUS_PENDING).
// It may be reused after completion.
class AllocRequest {
 public:
  // `owner` tags the request for cancel_owned_by (the KS layer stores the
  // issuing thread's id there, for CancelIo).
  explicit AllocRequest(std::uintptr_t owner = 0) : owner_(owner) {}
  AllocRequest(const AllocRequest&) = delete;
  AllocRequest& operator=(const AllocRequest&) = delete;
  virtual ~AllocRequest() = default;

  std::uintptr_t owner() const { return owner_; }

 protected:
  // Runs under the allocator's lock just before the request joins the pending
  // queue, so that nothing can complete it first (the KS layer marks the
  // OVERLAPPED pending here). Must be cheap; must not call the allocator.
  virtual void on_pending() {}

  // Runs exactly once per pended request, never under the allocator's lock:
  // STATUS_SUCCESS with the frame, or a failure status with nullptr.
  virtual void on_complete(NTSTATUS status, void* frame) = 0;

 private:
  friend class StreamAllocator;

  boost::intrusive::list_member_hook<> hook_;
  std::uintptr_t owner_;
  const void* queued_on_ = nullptr;  // the allocator whose queue holds it
  NTSTATUS result_status_ = STATUS_PENDING;
  void* result_frame_ = nullptr;
};

// Lifetime totals, for reports. Pended requests end as exactly one of
// completed_after_pending, cancelled or failed (or are still pending).
struct AllocatorCounters {
  std::uint64_t immediate = 0;                // ALLOCs served at once
  std::uint64_t pended = 0;                   // ALLOCs that had to wait
  std::uint64_t completed_after_pending = 0;  // waits that ended with a frame
  std::uint64_t cancelled = 0;                // waits that ended with STATUS_CANCELLED
  std::uint64_t failed = 0;                   // waits ended by disconnect()
  std::uint64_t invalid_frees = 0;            // FREEs of a pointer that was not held
  std::uint32_t high_water = 0;               // most frames held by clients at once
};

// Where every frame is right now: held + ready + at_source == frames.
struct AllocatorOccupancy {
  std::uint32_t frames = 0;
  std::uint32_t held = 0;       // handed out, not yet freed
  std::uint32_t ready = 0;      // waiting for an ALLOC
  std::uint32_t at_source = 0;  // capture mode: with the FrameSource
  std::uint32_t pending = 0;    // ALLOC requests waiting for a frame
};

class StreamAllocator {
 public:
  struct Created {
    NTSTATUS status = STATUS_SUCCESS;
    std::string error;  // names the framing field, what was expected and found
    std::shared_ptr<StreamAllocator> allocator;
  };

  // Validates `framing` (see kKsPolicy) and builds a pool-mode allocator whose
  // frames are pre-faulted and aligned to FileAlignment + 1. On failure
  // nothing is created.
  static Created create(const KSALLOCATOR_FRAMING& framing);

  StreamAllocator(const StreamAllocator&) = delete;
  StreamAllocator& operator=(const StreamAllocator&) = delete;
  // Cancels whatever is still pending.
  ~StreamAllocator();

  AllocOutcome alloc(AllocRequest& request);
  // ALLOC that never pends (the direct-call AllocateFrame).
  AllocOutcome try_alloc();
  // STATUS_SUCCESS, or the invalid-FREE status (kKsPolicy) with nothing
  // changed when `frame` is not exactly a frame held by a client.
  NTSTATUS free(void* frame);

  // True when `request` was pending here; it then completes with
  // STATUS_CANCELLED. False when it already completed (or is completing).
  bool cancel(AllocRequest& request);
  // Cancels every pending request `match` accepts (called under the lock:
  // must be cheap); returns how many.
  std::size_t cancel_if(const std::function<bool(const AllocRequest&)>& match);
  std::size_t cancel_owned_by(std::uintptr_t owner);
  std::size_t cancel_all();
  // Cancels everything pending and refuses all later calls with the
  // closed-handle status (kKsPolicy). Frames still held stay invalid.
  void close();
  bool closed() const;

  // Framing as created, AllocatedFrames per kKsPolicy, Reserved 0.
  KSSTREAMALLOCATOR_STATUS status() const;
  const KSALLOCATOR_FRAMING& framing() const;
  AllocatorCounters counters() const;
  AllocatorOccupancy occupancy() const;
  // The FrameInfo of a frame a client holds; nullopt for any other pointer.
  std::optional<FrameInfo> frame_info(const void* frame) const;

  // --- capture mode ---
  // Switches to capture mode: hands `source` every frame not held by a client
  // (and later every freed frame). `source` must outlive the allocator.
  NTSTATUS attach(FrameSource& source);
  // The same, and the allocator keeps `source` alive (for a source whose
  // owner, e.g. a capture pin, may go away first).
  NTSTATUS attach(std::shared_ptr<FrameSource> source);
  // A filled frame comes back from the source: it completes the oldest
  // pending ALLOC or becomes ready. STATUS_INVALID_PARAMETER when the buffer
  // is not a frame currently at the source.
  NTSTATUS deliver(const FrameBuffer& buffer, const FrameInfo& info);
  // The source's counters restart (a capture pin entering ACQUIRE): the frames
  // ready now were numbered before, the next ones count from PictureNumber 1.
  void restart_numbering();
  // "Sequence gaps equal drops" (DESIGN.md), checked on every frame in the
  // order ALLOC hands frames out: each numbered frame's PictureNumber follows
  // the previous one's with a gap equal to the growth of DropCount (frames
  // without a number, e.g. handed back at STOP, are not numbered). The first
  // frame that did not, described; nothing while every one did.
  std::optional<std::string> sequence_break() const;
  // The source is gone (e.g. STATUS_DEVICE_NOT_CONNECTED): every pending ALLOC
  // completes with `status`, and every later ALLOC that would pend fails with
  // it at once. Ready frames are still handed out. `status` must be an error
  // (NT_ERROR), else STATUS_INVALID_PARAMETER and nothing changes.
  NTSTATUS disconnect(NTSTATUS status);

 private:
  struct State;
  explicit StreamAllocator(std::unique_ptr<State> state);

  std::unique_ptr<State> state_;
};

}  // namespace hilcap
