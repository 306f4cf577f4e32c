// A thread as a kernel object: what OpenThread returns and what a blocking
// (non-overlapped) DeviceIoControl sleeps on, so that CancelSynchronousIo from
// another thread can reach the call.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>

#include "event.h"
#include "kernel_object.h"

namespace hilcap::ks {

class ThreadObject final : public KernelObject {
 public:
  static constexpr ObjectType kType = ObjectType::kThread;

  // The calling thread's object, created and registered on first use; it
  // lives as long as the thread (and as long as anyone shares it).
  static ThreadObject& current();
  // The object of a thread that has used the KS API; nullptr otherwise.
  static std::shared_ptr<ThreadObject> find(DWORD thread_id);

  explicit ThreadObject(DWORD thread_id);

  DWORD id() const { return id_; }

  // Woken when the thread's blocking request completes.
  Event& io_completed() { return io_completed_; }

  // The thread's blocking call on `file` has pended (called while the request
  // joins its queue, possibly under the queue's lock: a single atomic store).
  // `file` must stay alive until end_synchronous_io() returns.
  void begin_synchronous_io(KernelObject* file);
  // The blocking call is over: waits for a CancelSynchronousIo in progress.
  void end_synchronous_io();
  // Cancels the blocking call in progress; false when there is none (or it
  // has not pended yet, or already completed).
  bool cancel_synchronous_io();

 private:
  const DWORD id_;
  Event io_completed_{Event::ResetMode::kAuto, false};
  std::mutex cancel_mutex_;  // one canceller at a time
  std::atomic<KernelObject*> synchronous_file_{nullptr};
  std::atomic<std::uint32_t> cancellers_{0};
};

}  // namespace hilcap::ks
