// The file object behind an allocator HANDLE: the KS stream-allocator method
// and property sets (reference §3) on top of a StreamAllocator.
#pragma once

#include <hilcap/stream_allocator.h>

#include <atomic>
#include <memory>

#include "io_completion.h"
#include "kernel_object.h"

namespace hilcap::ks {

class AllocatorObject final : public KernelObject {
 public:
  static constexpr ObjectType kType = ObjectType::kAllocator;

  explicit AllocatorObject(std::shared_ptr<StreamAllocator> allocator);

  const std::shared_ptr<StreamAllocator>& allocator() const { return allocator_; }

  // Where the ALLOCs that pend from now on report their completion (null:
  // the process-wide observer). A cell of its own, which every pended ALLOC
  // shares, so that a completion after the object went reads null.
  struct ObserverCell {
    std::atomic<KsCompletionObserver*> observer{nullptr};
  };
  void set_completion_observer(KsCompletionObserver* observer) {
    observer_->observer.store(observer, std::memory_order_release);
  }

  IoOutcome device_io_control(const IoctlCall& call) override;
  bool cancel_io(const CancelScope& scope) override;
  void close() override;
  Event* signal_event() override { return file_event_.get(); }

  // Handlers of the automation table.
  IoOutcome alloc(const IoctlCall& call);
  IoOutcome free(const IoctlCall& call);
  IoOutcome get_function_table(const IoctlCall& call);
  IoOutcome get_status(const IoctlCall& call);
  IoOutcome get_frame_header(const IoctlCall& call);

 private:
  std::shared_ptr<StreamAllocator> allocator_;
  std::shared_ptr<ObserverCell> observer_ = std::make_shared<ObserverCell>();
  // Signalled when a request without an event completes (the file object's
  // own event, which GetOverlappedResult waits on when hEvent is NULL).
  std::shared_ptr<Event> file_event_;
};

}  // namespace hilcap::ks
