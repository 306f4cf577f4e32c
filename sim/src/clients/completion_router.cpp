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
  if (!request->pending) {
    environment_.events.violation(fmt::format(
        "exactly-once: request #{} of client \"{}\" completed with {} but was not pending",
        request->serial, request->client->name(), status_name(status)));
    return;
  }
  request->pending = false;
  if (status == STATUS_SUCCESS) {
    ++frames_in_transit_;
    environment_.scheduler.schedule_at(environment_.scheduler.now(), [this, request] {
      --frames_in_transit_;
      request->client->request_ended(*request);
    });
  } else {
    environment_.scheduler.schedule_at(environment_.scheduler.now(),
                                       [request] { request->client->request_ended(*request); });
  }
}

}  // namespace hilcap::sim
