// Routes the KS layer's completion notices (KsCompletionObserver) for one
// allocator handle to the clients that issued the requests: the notice
// arrives inside the host's completion path, so the client is called back as
// a new event on its own scheduler (at that scheduler's now()), never
// re-entering the allocator or the capture pin. In virtual time that is the
// run's one scheduler; in real time each client's scheduler runs on the
// client's thread, and the notice wakes it.
//
// The router observes its own allocator handle only, so several runs (a
// sweep's threads) may go at once in one process.
#pragma once

#include <hilcap/ks_extensions.h>

#include <atomic>
#include <mutex>

#include "clients/ks_client.h"
#include "report/distribution.h"

namespace hilcap::sim {

class CompletionRouter final : public KsCompletionObserver {
 public:
  // Installs itself; every pended request on `environment.allocator` must be
  // a KsRequest.
  explicit CompletionRouter(ClientEnvironment& environment);
  ~CompletionRouter() override;  // uninstalls itself
  CompletionRouter(const CompletionRouter&) = delete;
  CompletionRouter& operator=(const CompletionRouter&) = delete;

  // From now on, records in `latency` (ns) how long each pended ALLOC that
  // ends with a frame takes from its completion (the notice, on the host's
  // completion path) to its client running with the frame: the real-time
  // wake-up latency. Set before any request pends.
  void measure_wake_latency(Distribution& latency) { wake_latency_ = &latency; }

  void request_completed(HANDLE file, OVERLAPPED* overlapped, NTSTATUS status) override;

  // Frames the allocator already handed to a client whose completion event
  // has not run yet: the client owns them, but does not know it yet.
  std::uint32_t frames_in_transit() const {
    return frames_in_transit_.load(std::memory_order_acquire);
  }
  // Requests the allocator ended whose client has not been told yet (in real
  // time a client's thread can stop with such a notice queued), by outcome.
  struct RequestsInTransit {
    std::uint64_t completed = 0;
    std::uint64_t cancelled = 0;
    std::uint64_t failed = 0;
  };
  RequestsInTransit requests_in_transit() const;

 private:
  ClientEnvironment& environment_;
  std::atomic<std::uint32_t> frames_in_transit_{0};  // = requests completed in transit
  std::atomic<std::uint64_t> cancelled_in_transit_{0};
  std::atomic<std::uint64_t> failed_in_transit_{0};
  Distribution* wake_latency_ = nullptr;
  std::mutex wake_latency_mutex_;  // clients record from their own threads
};

}  // namespace hilcap::sim
