// hilcap's additions to the Windows KS surface of <hilcap/ks.h>, for the
// simulator and tests (C++ only; Windows has no equivalent).
#pragma once

#include <hilcap/ks.h>
#include <hilcap/stream_allocator.h>

#include <memory>

namespace hilcap {

// The StreamAllocator behind an allocator HANDLE; nullptr for any other value.
std::shared_ptr<StreamAllocator> stream_allocator_from_handle(HANDLE allocator);

// Told about every overlapped request that completes after it pended: on the
// completing thread, after the OVERLAPPED was written and its event signalled,
// with no lock held. A virtual-time run reacts here instead of waiting. The
// OVERLAPPED pointer identifies the request; it may already be reused.
class KsCompletionObserver {
 public:
  virtual ~KsCompletionObserver() = default;
  virtual void request_completed(HANDLE file, OVERLAPPED* overlapped, NTSTATUS status) = 0;
};

// Installs `observer` process-wide (nullptr removes it); returns the previous.
KsCompletionObserver* set_ks_completion_observer(KsCompletionObserver* observer);

// While alive, the calling thread's KS requests are kernel-mode requests (the
// simulator's clients play kernel clients): e.g. the FUNCTIONTABLE property,
// denied to user mode, can be read.
class KernelModeScope {
 public:
  KernelModeScope();
  ~KernelModeScope();
  KernelModeScope(const KernelModeScope&) = delete;
  KernelModeScope& operator=(const KernelModeScope&) = delete;

 private:
  bool previous_;
};

}  // namespace hilcap
