#include "io_completion.h"

#include <hilcap/ks_extensions.h>

namespace hilcap {
namespace {

std::atomic<KsCompletionObserver*> g_observer{nullptr};
thread_local bool t_kernel_mode = false;

}  // namespace

KsCompletionObserver* set_ks_completion_observer(KsCompletionObserver* observer) {
  return g_observer.exchange(observer, std::memory_order_acq_rel);
}

KernelModeScope::KernelModeScope() : previous_(t_kernel_mode) {
  t_kernel_mode = true;
}

KernelModeScope::~KernelModeScope() {
  t_kernel_mode = previous_;
}

namespace ks {

bool is_kernel_mode_requestor() {
  return t_kernel_mode;
}

RetainedCompletion::RetainedCompletion(const IoCompletion& completion) : completion_(completion) {
  if (completion_.event_ != nullptr) event_owner_ = completion_.event_->shared_from_this();
  if (completion_.result_ != nullptr) {
    completion_.thread_ = &ThreadObject::current();
    thread_owner_ = completion_.thread_->shared_from_this();
  }
}

void IoCompletion::mark_pending() const {
  if (result_ != nullptr) {
    thread_->begin_synchronous_io(synchronous_file_);
    return;
  }
  std::atomic_ref(overlapped_->Internal)
      .store(static_cast<ULONG>(STATUS_PENDING), std::memory_order_relaxed);
  if (event_ != nullptr) event_->reset();
}

void IoCompletion::write_overlapped(const IoOutcome& outcome) const {
  std::atomic_ref(overlapped_->InternalHigh).store(outcome.information, std::memory_order_relaxed);
  // Zero-extended, as HasOverlappedIoCompleted and the reference's tests read it.
  std::atomic_ref(overlapped_->Internal)
      .store(static_cast<ULONG>(outcome.status), std::memory_order_release);
}

void IoCompletion::complete_at_once(const IoOutcome& outcome) const {
  write_overlapped(outcome);
  if (event_ != nullptr) event_->set();
}

void IoCompletion::complete_pended(const IoOutcome& outcome, KsCompletionObserver* observer) const {
  if (result_ != nullptr) {
    // The blocked thread may return and pop `result_` as soon as `done` is
    // set: it is woken through the RetainedCompletion's reference to it.
    result_->outcome = outcome;
    result_->done.store(true, std::memory_order_release);
    thread_->io_completed().set();
    return;
  }
  OVERLAPPED* const overlapped = overlapped_;
  write_overlapped(outcome);
  if (event_ != nullptr) event_->set();
  if (observer == nullptr) observer = g_observer.load(std::memory_order_acquire);
  if (observer != nullptr) observer->request_completed(file_, overlapped, outcome.status);
}

}  // namespace ks
}  // namespace hilcap
