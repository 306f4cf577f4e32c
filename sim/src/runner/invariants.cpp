#include "runner/invariants.h"

#include <fmt/format.h>

namespace hilcap::sim {

std::optional<std::string> check_conservation(const CaptureStack& stack, const RunMonitor& monitor,
                                              std::uint32_t in_transit) {
  if (stack.allocator_open()) {
    const AllocatorOccupancy occupancy = stack.allocator().occupancy();
    const std::uint32_t at_device = stack.pin().frames_at_device();
    if (occupancy.held + occupancy.ready + at_device != occupancy.frames) {
      return fmt::format("conservation: {} held + {} ready + {} at the device != {} frames",
                         occupancy.held, occupancy.ready, at_device, occupancy.frames);
    }
    if (occupancy.held != monitor.frames_held() + in_transit) {
      return fmt::format(
          "conservation: the allocator counts {} frames held, the clients hold {} (and {} on "
          "their way to them)",
          occupancy.held, monitor.frames_held(), in_transit);
    }
  }
  const DeviceFlow flow = stack.flow();
  if (flow.due != flow.delivered + flow.dropped + flow.in_flight) {
    return fmt::format(
        "every frame delivered or dropped: {} due != {} delivered + {} dropped + {} in flight",
        flow.due, flow.delivered, flow.dropped, flow.in_flight);
  }
  if (flow.drained > flow.delivered || flow.delivered > flow.drained + flow.undrained) {
    return fmt::format(
        "every frame delivered reaches the host: the device delivered {}, the host drained {} "
        "with {} completion(s) not yet drained",
        flow.delivered, flow.drained, flow.undrained);
  }
  return std::nullopt;
}

std::optional<std::string> check_sequence(const CaptureStack& stack) {
  return stack.allocator().sequence_break();
}

std::optional<std::string> check_request_accounting(
    const CaptureStack& stack, const std::vector<const KsClient*>& clients,
    const CompletionRouter::RequestsInTransit& in_transit) {
  ClientFigures sum;
  sum.completed = in_transit.completed;
  sum.cancelled = in_transit.cancelled;
  sum.failed = in_transit.failed;
  for (const KsClient* client : clients) {
    const ClientFigures& f = client->figures();
    sum.immediate += f.immediate;
    sum.pended += f.pended;
    sum.completed += f.completed;
    sum.cancelled += f.cancelled;
    sum.failed += f.failed;
  }
  const AllocatorCounters counters = stack.allocator().counters();
  const std::uint32_t pending = stack.allocator().occupancy().pending;
  if (sum.immediate != counters.immediate || sum.pended != counters.pended ||
      sum.completed != counters.completed_after_pending || sum.cancelled != counters.cancelled ||
      sum.failed != counters.failed) {
    return fmt::format(
        "exactly-once: the clients saw {} immediate, {} pended, {} completed, {} cancelled, {} "
        "failed (with those in transit to them); the allocator counted {}, {}, {}, {}, {}",
        sum.immediate, sum.pended, sum.completed, sum.cancelled, sum.failed, counters.immediate,
        counters.pended, counters.completed_after_pending, counters.cancelled, counters.failed);
  }
  if (counters.pended !=
      counters.completed_after_pending + counters.cancelled + counters.failed + pending) {
    return fmt::format(
        "exactly-once: {} ALLOCs pended but {} completed + {} cancelled + {} failed + {} still "
        "pending",
        counters.pended, counters.completed_after_pending, counters.cancelled, counters.failed,
        pending);
  }
  return std::nullopt;
}

}  // namespace hilcap::sim
