// Where the final status of a request goes: the caller's OVERLAPPED and event,
// or the stack of a thread blocked in a non-overlapped call.
//
// The OVERLAPPED contract (reference §5): a request that pends has Internal =
// STATUS_PENDING and its event reset before anything can complete it; the
// completion writes the output, then InternalHigh, then Internal (release),
// then signals the event. A failure that did not pend touches nothing.
//
// A request that completes at once runs entirely under the caller's handle
// lookups, so an IoCompletion only points at the event and thread (it is
// trivially copyable: building one costs nothing); a request that pends keeps
// a RetainedCompletion, which also holds strong references, as the I/O manager
// references the event object of a queued IRP.
#pragma once

#include <atomic>
#include <memory>
#include <type_traits>

#include "event.h"
#include "kernel_object.h"
#include "thread_object.h"

namespace hilcap {
class KsCompletionObserver;
}  // namespace hilcap

namespace hilcap::ks {

// The result slot of a blocking call, on the blocked thread's stack.
struct SynchronousResult {
  std::atomic<bool> done{false};
  IoOutcome outcome;
};

class IoCompletion {
 public:
  IoCompletion() = default;
  static IoCompletion overlapped(HANDLE file, OVERLAPPED* overlapped, Event* event) {
    return IoCompletion(file, overlapped, event, nullptr, nullptr);
  }
  // A blocking call of the calling thread on `file` (CancelSynchronousIo's
  // target), whose result goes to `result`.
  static IoCompletion synchronous(KernelObject& file, SynchronousResult* result) {
    return IoCompletion(nullptr, nullptr, nullptr, &file, result);
  }

  bool is_synchronous() const { return result_ != nullptr; }
  const OVERLAPPED* overlapped() const { return overlapped_; }

  // The request is about to pend: Internal = STATUS_PENDING, event reset; a
  // blocking call becomes reachable by CancelSynchronousIo.
  void mark_pending() const;
  // A request that did not pend succeeded (or warned): the I/O manager still
  // writes the OVERLAPPED and signals the event. Overlapped calls only.
  void complete_at_once(const IoOutcome& outcome) const;
  // A request that pended completes; tells `observer`, or without one the
  // process-wide KsCompletionObserver. After this the caller's OVERLAPPED
  // and output belong to the caller again. Only through a
  // RetainedCompletion (which keeps the thread alive).
  void complete_pended(const IoOutcome& outcome, KsCompletionObserver* observer = nullptr) const;

 private:
  friend class RetainedCompletion;
  IoCompletion(HANDLE file, OVERLAPPED* overlapped, Event* event, KernelObject* synchronous_file,
               SynchronousResult* result)
      : file_(file),
        overlapped_(overlapped),
        event_(event),
        synchronous_file_(synchronous_file),
        result_(result) {}
  void write_overlapped(const IoOutcome& outcome) const;

  HANDLE file_ = nullptr;
  OVERLAPPED* overlapped_ = nullptr;
  Event* event_ = nullptr;
  ThreadObject* thread_ = nullptr;
  KernelObject* synchronous_file_ = nullptr;
  SynchronousResult* result_ = nullptr;
};
static_assert(std::is_trivially_copyable_v<IoCompletion>);

// The completion of a request that pends: the same destination, holding the
// event and the blocked thread alive until it completes.
class RetainedCompletion {
 public:
  // On the issuing thread.
  explicit RetainedCompletion(const IoCompletion& completion);

  const IoCompletion& get() const { return completion_; }
  void mark_pending() const { completion_.mark_pending(); }
  void complete_pended(const IoOutcome& outcome, KsCompletionObserver* observer = nullptr) const {
    completion_.complete_pended(outcome, observer);
  }

 private:
  IoCompletion completion_;
  std::shared_ptr<KernelObject> event_owner_;
  std::shared_ptr<KernelObject> thread_owner_;
};

// What DeviceIoControl hands an object.
struct IoctlCall {
  HANDLE handle = nullptr;
  DWORD code = 0;
  const void* input = nullptr;
  DWORD input_size = 0;
  void* output = nullptr;
  DWORD output_size = 0;
  IoCompletion completion;

  // The issuing thread (CancelIo's scope): handlers run on it. Looked up only
  // by a request that pends.
  static DWORD issuing_thread_id() { return ThreadObject::current().id(); }
};

// Whether the calling thread issues requests as a kernel-mode client.
bool is_kernel_mode_requestor();

}  // namespace hilcap::ks
