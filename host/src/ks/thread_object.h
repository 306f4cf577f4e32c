// A thread as a kernel object: what OpenThread returns and what a blocking
// (non-overlapped) DeviceIoControl sleeps on, so that CancelSynchronousIo from
// another thread can reach the call.
#pragma once

#include <memory>
#include <mutex>

#include "event.h"
#include "kernel_object.h"

namespace hilcap::ks {

class ThreadObject final : public KernelObject {
 public:
  // The calling thread's object, created and registered on first use.
  static std::shared_ptr<ThreadObject> current();
  // The object of a thread that has used the KS API; nullptr otherwise.
  static std::shared_ptr<ThreadObject> find(DWORD thread_id);

  explicit ThreadObject(DWORD thread_id);

  DWORD id() const { return id_; }

  // Woken when the thread's blocking request completes.
  Event& io_completed() { return io_completed_; }

  // Brackets a blocking call on `file`.
  void begin_synchronous_io(std::shared_ptr<KernelObject> file);
  void end_synchronous_io();
  // Cancels the blocking call in progress; false when there is none (or it
  // has not pended yet, or already completed).
  bool cancel_synchronous_io();

 private:
  const DWORD id_;
  Event io_completed_{Event::ResetMode::kAuto, false};
  // Held while cancelling, so a returning call cannot end its request's
  // lifetime under the canceller.
  std::mutex mutex_;
  std::shared_ptr<KernelObject> synchronous_file_;
};

}  // namespace hilcap::ks
