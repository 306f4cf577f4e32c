#include "clients/completion_router.h"

#include <fmt/format.h>

#include "scenario/status_names.h"

namespace hilcap::sim {

CompletionRouter::CompletionRouter(ClientEnvironment& environment) : environment_(environment) {
  set_ks_completion_observer(environment_.allocator, this);
}

CompletionRouter::~CompletionRouter() {
  // The handle may be closed already: then nothing completes on it any more.
  set_ks_completion_observer(environment_.allocator, nullptr);
}

void CompletionRouter::request_completed(HANDLE file, OVERLAPPED* overlapped, NTSTATUS status) {
  if (file != environment_.allocator) return;  // not an ALLOC of this run's allocator
  KsRequest* request = KsRequest::from(overlapped);
  if (!request->pending.exchange(false, std::memory_order_acq_rel)) {
    environment_.events.violation(fmt::format(
        "exactly-once: request #{} of client \"{}\" completed with {} but was not pending",
        request->serial, request->client->name(), status_name(status)));
    return;
  }
  Scheduler& client_scheduler = request->client->scheduler();
  const TimeNs noticed = client_scheduler.now();
  if (status == STATUS_SUCCESS) {
    frames_in_transit_.fetch_add(1, std::memory_order_acq_rel);
    request->completed_at = noticed;
    client_scheduler.schedule_at(noticed, [this, request] {
      frames_in_transit_.fetch_sub(1, std::memory_order_acq_rel);
      if (wake_latency_ != nullptr) {
        const TimeNs woke = request->client->scheduler().now();
        const std::lock_guard lock(wake_latency_mutex_);
        wake_latency_->record(woke - request->completed_at);
      }
      request->client->request_ended(*request);
    });
  } else {
    std::atomic<std::uint64_t>& in_transit =
        status == STATUS_CANCELLED ? cancelled_in_transit_ : failed_in_transit_;
    in_transit.fetch_add(1, std::memory_order_acq_rel);
    client_scheduler.schedule_at(noticed, [request, &in_transit] {
      in_transit.fetch_sub(1, std::memory_order_acq_rel);
      request->client->request_ended(*request);
    });
  }
}

CompletionRouter::RequestsInTransit CompletionRouter::requests_in_transit() const {
  return {frames_in_transit_.load(std::memory_order_acquire),
          cancelled_in_transit_.load(std::memory_order_acquire),
          failed_in_transit_.load(std::memory_order_acquire)};
}

}  // namespace hilcap::sim
