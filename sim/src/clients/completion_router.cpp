#include "clients/completion_router.h"

#include <fmt/format.h>

#include "scenario/status_names.h"

namespace hilcap::sim {

CompletionRouter::CompletionRouter(ClientEnvironment& environment)
    : environment_(environment), previous_(set_ks_completion_observer(this)) {}

CompletionRouter::~CompletionRouter() {
  set_ks_completion_observer(previous_);
}

void CompletionRouter::request_completed(HANDLE file, OVERLAPPED* overlapped, NTSTATUS status) {
  if (file != environment_.allocator) {
    if (previous_ != nullptr) previous_->request_completed(file, overlapped, status);
    return;
  }
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
    client_scheduler.schedule_at(noticed, [this, request, noticed] {
      frames_in_transit_.fetch_sub(1, std::memory_order_acq_rel);
      if (wake_latency_ != nullptr) {
        const TimeNs woke = request->client->scheduler().now();
        const std::lock_guard lock(wake_latency_mutex_);
        wake_latency_->record(woke - noticed);
      }
      request->client->request_ended(*request);
    });
  } else {
    client_scheduler.schedule_at(noticed, [request] { request->client->request_ended(*request); });
  }
}

}  // namespace hilcap::sim
