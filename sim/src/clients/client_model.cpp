#include "clients/client_model.h"

namespace hilcap::sim {

ClientModel::ClientModel(const ClientSpec& spec, ClientEnvironment& environment)
    : KsClient(spec.name, environment), spec_(spec), random_(spec.seed) {
  if (spec.frame_headers) read_frame_headers();
  for (std::uint32_t i = 0; i < spec.outstanding; ++i) {
    auto request = std::make_unique<KsRequest>();
    request->client = this;
    requests_.push_back(std::move(request));
  }
}

void ClientModel::start() {
  for (auto& request : requests_) {
    KsRequest* r = request.get();
    scheduler().schedule_at(spec_.start_at_ns, [this, r] { cycle(*r); });
  }
  if (spec_.close_at_ns) {
    scheduler().schedule_at(*spec_.close_at_ns, [this] { close_allocator(); });
  }
}

std::size_t ClientModel::pending() const {
  std::size_t n = 0;
  for (const auto& request : requests_)
    n += request->pending ? 1 : 0;
  return n;
}

void ClientModel::cycle(KsRequest& request) {
  for (;;) {
    const NTSTATUS status = alloc(request);
    if (status == STATUS_PENDING) {
      if (spec_.cancel_after_ns) {
        KsRequest* r = &request;
        request.cancel_timer = scheduler().schedule_after(*spec_.cancel_after_ns,
                                                          [this, r] { cancel_if_pending(*r); });
      }
      return;
    }
    if (status != STATUS_SUCCESS || !hold(request)) return;
  }
}

bool ClientModel::hold(KsRequest& request) {
  const TimeNs hold_ns = random_.draw(spec_.hold);
  if (hold_ns > 0) {
    KsRequest* r = &request;
    scheduler().schedule_after(hold_ns, [this, r] { release(*r); });
    return false;
  }
  free(request.frame);
  const TimeNs think_ns = random_.draw(spec_.think);
  if (think_ns == 0) return true;
  KsRequest* r = &request;
  scheduler().schedule_after(think_ns, [this, r] { cycle(*r); });
  return false;
}

void ClientModel::release(KsRequest& request) {
  free(request.frame);
  after_think(request);
}

void ClientModel::after_think(KsRequest& request) {
  const TimeNs think_ns = random_.draw(spec_.think);
  if (think_ns == 0) {
    cycle(request);
    return;
  }
  KsRequest* r = &request;
  scheduler().schedule_after(think_ns, [this, r] { cycle(*r); });
}

void ClientModel::cancel_if_pending(KsRequest& request) {
  request.cancel_timer = 0;
  if (request.pending) cancel(&request);
}

void ClientModel::on_request_ended(KsRequest& request, NTSTATUS status) {
  if (status == STATUS_SUCCESS) {
    if (hold(request)) cycle(request);
  } else if (status == STATUS_CANCELLED) {
    after_think(request);
  }
  // Any other status (a disconnected device...) ends this request's loop.
}

}  // namespace hilcap::sim
