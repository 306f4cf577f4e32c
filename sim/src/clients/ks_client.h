// A KS client of the simulated allocator, talking to it exactly as a Windows
// client does: overlapped DeviceIoControl(IOCTL_KS_METHOD, ALLOC) with an
// OVERLAPPED and an event, FREE with the frame pointer in the output buffer,
// CancelIoEx, CloseHandle. In virtual time nothing blocks: a pended ALLOC
// is learnt about through the KS completion observer (CompletionRouter),
// which calls the client back as an event at the completion's time.
//
// KsClient is the common part (the calls, the client's figures, the run's
// ClientEvents); ClientModel and the script's ScriptedClient decide what to
// do when.
#pragma once

#include <hilcap/ks.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <type_traits>

#include "scheduler/scheduler.h"

namespace hilcap::sim {

class KsClient;

// One overlapped ALLOC. The OVERLAPPED comes first so that the completion
// observer, given the OVERLAPPED pointer, finds its request (the Windows
// CONTAINING_RECORD idiom).
struct KsRequest {
  OVERLAPPED overlapped{};
  PVOID frame = nullptr;  // ALLOC's output buffer
  KsClient* client = nullptr;
  // Issued and pended; cleared the moment it completes. Atomic: in real-time
  // runs the host's completion path clears it on its own thread.
  std::atomic<bool> pending{false};
  TimeNs issued_at = 0;
  // When the completion path completed it (the start of its wake latency):
  // kept here rather than in the event that hands it back to its client, so
  // that event's capture fits std::function's inline storage (no heap
  // allocation per frame; issue 15 section 3).
  TimeNs completed_at = 0;
  EventId cancel_timer = 0;
  std::uint64_t serial = 0;  // unique in the run (trace ids)

  static KsRequest* from(OVERLAPPED* overlapped) {
    return reinterpret_cast<KsRequest*>(overlapped);
  }
};
static_assert(std::is_standard_layout_v<KsRequest> && offsetof(KsRequest, overlapped) == 0,
              "KsRequest::from needs the OVERLAPPED at offset 0");

// What a client counts; the report shows them under clients.<name>.
struct ClientFigures {
  std::uint64_t frames = 0;               // frames received (ALLOC at once or completed)
  std::uint64_t immediate = 0;            // ALLOCs answered with a frame at once
  std::uint64_t pended = 0;               // ALLOCs that pended
  std::uint64_t completed = 0;            // pended ALLOCs that ended with a frame
  std::uint64_t cancelled = 0;            // pended ALLOCs that ended with STATUS_CANCELLED
  std::uint64_t failed = 0;               // pended ALLOCs that ended with another error
  std::uint64_t refused = 0;              // ALLOCs that failed at once
  std::uint64_t frees = 0;                // FREEs that succeeded
  std::uint64_t invalid_frees = 0;        // FREEs that failed
  std::uint64_t cancels = 0;              // CancelIoEx calls that found a request
  std::uint64_t discontinuities = 0;      // frames flagged DATADISCONTINUITY (frame_headers)
  std::uint64_t error_frames = 0;         // frames flagged as errors (frame_headers)
  std::uint64_t header_reads_failed = 0;  // frame property requests refused (frame_headers)
};

// What clients tell the run: the runner checks ownership and exactly-once,
// records latencies and draws the trace from these.
class ClientEvents {
 public:
  virtual ~ClientEvents() = default;
  // An ALLOC was issued: STATUS_SUCCESS (frame at once), STATUS_PENDING, or a failure.
  virtual void alloc_issued(const KsClient& client, const KsRequest& request, NTSTATUS status) = 0;
  // A pended ALLOC ended (its latency is now - request.issued_at).
  virtual void alloc_completed(const KsClient& client, const KsRequest& request,
                               NTSTATUS status) = 0;
  virtual void frame_received(const KsClient& client, void* frame) = 0;
  virtual void frame_freed(const KsClient& client, void* frame, NTSTATUS status) = 0;
  // request null: CancelIoEx for every request on the handle.
  virtual void cancel_issued(const KsClient& client, const KsRequest* request, bool found) = 0;
  virtual void allocator_closed(const KsClient& client, NTSTATUS status) = 0;
  // Something the KS layer must never do (a request ending twice...): stops the run.
  virtual void violation(std::string what) = 0;
};

// What every client of a run shares.
struct ClientEnvironment {
  Scheduler& scheduler;
  HANDLE allocator;  // the pin's allocator; stays the same value after CloseHandle
  ClientEvents& events;
  std::uint64_t next_serial = 1;  // request serial numbers, unique in the run
};

class KsClient {
 public:
  KsClient(std::string name, ClientEnvironment& environment);
  virtual ~KsClient();
  KsClient(const KsClient&) = delete;
  KsClient& operator=(const KsClient&) = delete;

  const std::string& name() const { return name_; }
  const ClientFigures& figures() const { return figures_; }
  // The scheduler the client's own events run on (its thread in real time).
  Scheduler& scheduler() { return environment_.scheduler; }

  // Called by the CompletionRouter, as an event at the completion's time,
  // once the request's OVERLAPPED holds the final status.
  void request_ended(KsRequest& request);

 protected:
  // DeviceIoControl(ALLOC) with `request`'s OVERLAPPED: STATUS_SUCCESS with
  // request.frame set, STATUS_PENDING, or the failure (the NTSTATUS behind
  // GetLastError()).
  NTSTATUS alloc(KsRequest& request);
  // DeviceIoControl(FREE); the NTSTATUS of the outcome.
  NTSTATUS free(void* frame);
  // CancelIoEx(allocator, request's OVERLAPPED, or all when null): true when a request was found.
  bool cancel(KsRequest* request);
  // CloseHandle(allocator).
  NTSTATUS close_allocator();
  // From now on, read every frame's KSSTREAM_HEADER + KS_FRAME_INFO (the
  // allocator's hilcap frame property) as it arrives, counting
  // discontinuities and error frames.
  void read_frame_headers() { frame_headers_ = true; }

  // A pended request ended: STATUS_SUCCESS with request.frame, or a failure.
  virtual void on_request_ended(KsRequest& request, NTSTATUS status) = 0;

  ClientEvents& events() { return environment_.events; }
  // A new request's serial number (unique in the run, for traces).
  std::uint64_t next_serial() { return environment_.next_serial++; }

  ClientFigures figures_;

 private:
  std::string name_;
  // A frame arrived: tell the run, and read its header when asked to.
  void received(void* frame);

  ClientEnvironment& environment_;
  HANDLE free_event_;  // the OVERLAPPED event of FREE calls (they never pend)
  bool frame_headers_ = false;
};

}  // namespace hilcap::sim
