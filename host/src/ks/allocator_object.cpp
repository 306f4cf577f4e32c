#include "allocator_object.h"

#include <hilcap/ks_extensions.h>

#include <cstring>

#include "handle_table.h"
#include "ks_automation.h"

namespace hilcap::ks {
namespace {

// A pended ALLOC: owns itself from the moment it pends until it completes.
class PendingAlloc final : public AllocRequest {
 public:
  PendingAlloc(const IoctlCall& call, std::shared_ptr<AllocatorObject::ObserverCell> observer)
      : AllocRequest(IoctlCall::issuing_thread_id()),
        completion_(call.completion),
        frame_out_(call.output),
        observer_(std::move(observer)) {}

  const IoCompletion& completion() const { return completion_.get(); }

 private:
  void on_pending() override { completion_.mark_pending(); }

  void on_complete(NTSTATUS status, void* frame) override {
    IoOutcome outcome{status, 0};
    if (status == STATUS_SUCCESS) {
      std::memcpy(frame_out_, &frame, sizeof(frame));
      outcome.information = sizeof(PVOID);
    }
    completion_.complete_pended(outcome, observer_->observer.load(std::memory_order_acquire));
    delete this;
  }

  RetainedCompletion completion_;
  void* frame_out_;
  std::shared_ptr<AllocatorObject::ObserverCell> observer_;
};

bool in_scope(const AllocRequest& request, const CancelScope& scope) {
  // Requests queued through the C++ API are not I/O on the handle.
  const auto* pending = dynamic_cast<const PendingAlloc*>(&request);
  if (pending == nullptr) return false;
  switch (scope.kind) {
    case CancelScope::Kind::kOverlapped:
      return pending->completion().overlapped() == scope.overlapped;
    case CancelScope::Kind::kThread:
      return pending->owner() == scope.thread_id;
    case CancelScope::Kind::kAll:
      return true;
    case CancelScope::Kind::kThreadSynchronous:
      return pending->owner() == scope.thread_id && pending->completion().is_synchronous();
  }
  return false;
}

// The direct-call interface. The FILE_OBJECT is the allocator HANDLE, so a
// table kept past CloseHandle reaches nothing.
HandleTable::Ref<AllocatorObject> allocator_of(PFILE_OBJECT file) {
  return HandleTable::instance().lookup_as<AllocatorObject>(file);
}

NTSTATUS allocate_frame(PFILE_OBJECT file, PVOID* frame) {
  *frame = nullptr;
  const auto object = allocator_of(file);
  if (!object) return kKsPolicy.closed_handle_status;
  const AllocOutcome outcome = object->allocator()->try_alloc();
  if (outcome.status == STATUS_PENDING) return kKsPolicy.allocate_frame_empty_status;
  *frame = outcome.frame;
  return outcome.status;
}

void free_frame(PFILE_OBJECT file, PVOID frame) {
  // FreeFrame is VOID: an invalid frame is dropped as an invalid FREE would be.
  if (const auto object = allocator_of(file)) object->allocator()->free(frame);
}

bool denied_to_requestor(bool policy_denies) {
  return policy_denies && !is_kernel_mode_requestor();
}

const KsMethodItem<AllocatorObject> kAllocatorMethods[] = {
    {KSMETHOD_STREAMALLOCATOR_ALLOC, KSMETHOD_TYPE_WRITE, sizeof(KSMETHOD), sizeof(PVOID),
     &AllocatorObject::alloc},
    {KSMETHOD_STREAMALLOCATOR_FREE, KSMETHOD_TYPE_READ, sizeof(KSMETHOD), sizeof(PVOID),
     &AllocatorObject::free},
};

const KsPropertyItem<AllocatorObject> kAllocatorProperties[] = {
    {KSPROPERTY_STREAMALLOCATOR_FUNCTIONTABLE, sizeof(KSPROPERTY),
     sizeof(KSSTREAMALLOCATOR_FUNCTIONTABLE), &AllocatorObject::get_function_table, nullptr},
    {KSPROPERTY_STREAMALLOCATOR_STATUS, sizeof(KSPROPERTY), sizeof(KSSTREAMALLOCATOR_STATUS),
     &AllocatorObject::get_status, nullptr},
};

const KsItemSet<KsMethodItem<AllocatorObject>> kAllocatorMethodSets[] = {
    {&KSMETHODSETID_StreamAllocator, kAllocatorMethods},
};

const KsPropertyItem<AllocatorObject> kHilcapFrameProperties[] = {
    {KSPROPERTY_HILCAP_FRAME_HEADER, sizeof(KSP_HILCAP_FRAME), sizeof(KSHILCAP_FRAME_HEADER),
     &AllocatorObject::get_frame_header, nullptr},
};

const KsItemSet<KsPropertyItem<AllocatorObject>> kAllocatorPropertySets[] = {
    {&KSPROPSETID_StreamAllocator, kAllocatorProperties},
    {&KSPROPSETID_HilcapFrame, kHilcapFrameProperties},
};

const KsAutomationTable<AllocatorObject> kAllocatorAutomation{kAllocatorMethodSets,
                                                              kAllocatorPropertySets};

}  // namespace

AllocatorObject::AllocatorObject(std::shared_ptr<StreamAllocator> allocator)
    : KernelObject(kType),
      allocator_(std::move(allocator)),
      file_event_(std::make_shared<Event>(Event::ResetMode::kManual, false)) {}

IoOutcome AllocatorObject::device_io_control(const IoctlCall& call) {
  // ALLOC and FREE are a client's per-frame calls: a request that the table
  // walk would route to one of them (a KSMETHOD of the stream allocator set,
  // no support query, buffers of at least the item's sizes) goes to it
  // directly, checked against the same items. Everything else, every
  // malformed request included, takes the walk.
  if (call.code == IOCTL_KS_METHOD && call.input != nullptr &&
      call.input_size >= sizeof(KSMETHOD) && call.output != nullptr) {
    KSMETHOD method;
    std::memcpy(&method, call.input, sizeof(method));
    constexpr ULONG kSupportQuery = KSMETHOD_TYPE_SETSUPPORT | KSMETHOD_TYPE_BASICSUPPORT;
    if ((method.Flags & kSupportQuery) == 0 &&
        same_guid(method.Set, KSMETHODSETID_StreamAllocator)) {
      for (const KsMethodItem<AllocatorObject>& item : kAllocatorMethods) {
        if (item.id == method.Id && call.input_size >= item.min_method &&
            call.output_size >= item.min_data &&
            (!kKsPolicy.method_flags_must_match_item ||
             (method.Flags & KSMETHOD_TYPE_MODIFY) == (item.flags & KSMETHOD_TYPE_MODIFY))) {
          return (this->*(item.handler))(call);
        }
      }
    }
  }
  return dispatch_ks_ioctl(*this, kAllocatorAutomation, call);
}

bool AllocatorObject::cancel_io(const CancelScope& scope) {
  return allocator_->cancel_if(
             [&scope](const AllocRequest& request) { return in_scope(request, scope); }) > 0;
}

void AllocatorObject::close() {
  allocator_->close();
}

IoOutcome AllocatorObject::alloc(const IoctlCall& call) {
  if (denied_to_requestor(kKsPolicy.deny_user_mode_alloc_free)) {
    return {kKsPolicy.user_mode_denied_status, 0};
  }
  // The fast path allocates nothing; the request object exists only to pend.
  AllocOutcome outcome = allocator_->try_alloc();
  if (outcome.status == STATUS_PENDING) {
    auto request = std::make_unique<PendingAlloc>(call, observer_);
    outcome = allocator_->alloc(*request);
    if (outcome.status == STATUS_PENDING) {
      request.release();  // completes (and deletes) itself
      return {STATUS_PENDING, 0};
    }
  }
  if (outcome.status != STATUS_SUCCESS) return {outcome.status, 0};
  std::memcpy(call.output, &outcome.frame, sizeof(PVOID));
  return {STATUS_SUCCESS, sizeof(PVOID)};
}

IoOutcome AllocatorObject::free(const IoctlCall& call) {
  if (denied_to_requestor(kKsPolicy.deny_user_mode_alloc_free)) {
    return {kKsPolicy.user_mode_denied_status, 0};
  }
  void* frame;
  std::memcpy(&frame, call.output, sizeof(frame));
  const NTSTATUS status = allocator_->free(frame);
  return {status, status == STATUS_SUCCESS ? kKsPolicy.free_bytes_returned : 0};
}

IoOutcome AllocatorObject::get_function_table(const IoctlCall& call) {
  if (denied_to_requestor(kKsPolicy.deny_user_mode_function_table)) {
    return {kKsPolicy.user_mode_denied_status, 0};
  }
  const KSSTREAMALLOCATOR_FUNCTIONTABLE table{&allocate_frame, &free_frame};
  return reply(call, &table, sizeof(table));
}

IoOutcome AllocatorObject::get_status(const IoctlCall& call) {
  const KSSTREAMALLOCATOR_STATUS status = allocator_->status();
  return reply(call, &status, sizeof(status));
}

IoOutcome AllocatorObject::get_frame_header(const IoctlCall& call) {
  KSP_HILCAP_FRAME request;
  std::memcpy(&request, call.input, sizeof(request));
  const std::optional<FrameInfo> info = allocator_->frame_info(request.Frame);
  if (!info) return {kKsPolicy.unknown_frame_status, 0};
  const KSHILCAP_FRAME_HEADER header =
      ks_frame_header(*info, request.Frame, allocator_->framing().FrameSize);
  return reply(call, &header, sizeof(header));
}

}  // namespace hilcap::ks

namespace hilcap {

bool set_ks_completion_observer(HANDLE allocator, KsCompletionObserver* observer) {
  const auto object = ks::HandleTable::instance().lookup_as<ks::AllocatorObject>(allocator);
  if (!object) return false;
  object->set_completion_observer(observer);
  return true;
}

}  // namespace hilcap
