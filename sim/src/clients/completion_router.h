// Routes the KS layer's completion notices (KsCompletionObserver) for one
// allocator handle to the clients that issued the requests, in virtual time:
// the notice arrives inside the host's completion path, so the client is
// called back as a new event at the same virtual time, never re-entering
// the allocator or the capture pin.
//
// The observer is process-wide: one router (one run) at a time.
#pragma once

#include <hilcap/ks_extensions.h>

#include "clients/ks_client.h"

namespace hilcap::sim {

class CompletionRouter final : public KsCompletionObserver {
 public:
  // Installs itself; every pended request on `environment.allocator` must be
  // a KsRequest.
  explicit CompletionRouter(ClientEnvironment& environment);
  ~CompletionRouter() override;  // uninstalls itself
  CompletionRouter(const CompletionRouter&) = delete;
  CompletionRouter& operator=(const CompletionRouter&) = delete;

  void request_completed(HANDLE file, OVERLAPPED* overlapped, NTSTATUS status) override;

  // Frames the allocator already handed to a client whose completion event
  // has not run yet: the client owns them, but does not know it yet.
  std::uint32_t frames_in_transit() const { return frames_in_transit_; }

 private:
  ClientEnvironment& environment_;
  KsCompletionObserver* previous_;
  std::uint32_t frames_in_transit_ = 0;
};

}  // namespace hilcap::sim
