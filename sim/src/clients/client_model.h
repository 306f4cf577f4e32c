// A KS client model: keeps `outstanding` overlapped ALLOCs going; holds each
// frame it gets for a drawn hold time, FREEs it, waits a drawn think time and
// ALLOCs again. Optionally cancels (CancelIoEx) an ALLOC still pending after
// cancel_after, and closes the allocator handle at close_at. An ALLOC that
// fails (closed handle, disconnected device) ends that request's loop.
#pragma once

#include <memory>
#include <vector>

#include "clients/ks_client.h"
#include "clients/random_stream.h"
#include "scenario/scenario.h"

namespace hilcap::sim {

class ClientModel final : public KsClient {
 public:
  ClientModel(const ClientSpec& spec, ClientEnvironment& environment);

  // Schedules the client's first ALLOCs (at start_at) and its close.
  void start();

  // Requests still pending (for the end-of-run figures).
  std::size_t pending() const;

 private:
  void on_request_ended(KsRequest& request, NTSTATUS status) override;
  // ALLOC, and while frames come at once with no hold and no think time,
  // FREE and ALLOC again; otherwise schedules what comes next.
  void cycle(KsRequest& request);
  // Holds the frame `request` got, then FREE; returns true when the next
  // ALLOC is due at once.
  bool hold(KsRequest& request);
  void release(KsRequest& request);
  void after_think(KsRequest& request);
  void cancel_if_pending(KsRequest& request);

  const ClientSpec spec_;
  RandomStream random_;
  std::vector<std::unique_ptr<KsRequest>> requests_;
};

}  // namespace hilcap::sim
