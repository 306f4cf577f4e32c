// Where the final status of a request goes: the caller's OVERLAPPED and event,
// or the stack of a thread blocked in a non-overlapped call.
//
// The OVERLAPPED contract (reference §5): a request that pends has Internal =
// STATUS_PENDING and its event reset before anything can complete it; the
// completion writes the output, then InternalHigh, then Internal (release),
// then signals the event. A failure that did not pend touches nothing.
#pragma once

#include <atomic>
#include <memory>

#include "event.h"
#include "kernel_object.h"
#include "thread_object.h"

namespace hilcap::ks {

// The result slot of a blocking call, on the blocked thread's stack.
struct SynchronousResult {
  std::atomic<bool> done{false};
  IoOutcome outcome;
};

class IoCompletion {
 public:
  static IoCompletion overlapped(HANDLE file, OVERLAPPED* overlapped, std::shared_ptr<Event> event);
  static IoCompletion synchronous(std::shared_ptr<ThreadObject> thread, SynchronousResult* result);

  bool is_synchronous() const { return result_ != nullptr; }
  const OVERLAPPED* overlapped() const { return overlapped_; }

  // The request is about to pend: Internal = STATUS_PENDING, event reset.
  void mark_pending() const;
  // A request that did not pend succeeded (or warned): the I/O manager still
  // writes the OVERLAPPED and signals the event. Overlapped calls only.
  void complete_at_once(const IoOutcome& outcome) const;
  // A request that pended completes; tells the KsCompletionObserver. After
  // this the caller's OVERLAPPED and output belong to the caller again.
  void complete_pended(const IoOutcome& outcome) const;

 private:
  void write_overlapped(const IoOutcome& outcome) const;

  HANDLE file_ = nullptr;
  OVERLAPPED* overlapped_ = nullptr;
  std::shared_ptr<Event> event_;
  std::shared_ptr<ThreadObject> thread_;
  SynchronousResult* result_ = nullptr;
};

// What DeviceIoControl hands an object.
struct IoctlCall {
  HANDLE handle = nullptr;
  DWORD code = 0;
  const void* input = nullptr;
  DWORD input_size = 0;
  void* output = nullptr;
  DWORD output_size = 0;
  DWORD thread_id = 0;  // the issuing thread (CancelIo's scope)
  IoCompletion completion;
};

// Whether the calling thread issues requests as a kernel-mode client.
bool is_kernel_mode_requestor();

}  // namespace hilcap::ks
