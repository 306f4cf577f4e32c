// The invariants of DESIGN.md that concern the whole state of a run, as
// opposed to single events (RunMonitor), for any device: checked after every
// event in checked builds (virtual time), now and then in real time, and at
// the end of every run. They read the CaptureStack interface only. Each
// returns what is broken, with the numbers, or nothing.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "clients/completion_router.h"
#include "clients/ks_client.h"
#include "runner/capture_stack.h"
#include "runner/run_monitor.h"

namespace hilcap::sim {

// Conservation: every frame of the pool is held by a client, ready, or with
// the pin (posted, being filled, completed and not yet drained):
// held + ready + at the device == Frames, and the clients' own count of the
// frames they hold, with those completed to them and not yet seen
// (`in_transit`), agrees. Every frame due is delivered, dropped with a
// reason, or still in flight; the host drained no more frames than the
// device delivered, and at most what is still to be drained less.
std::optional<std::string> check_conservation(const CaptureStack& stack, const RunMonitor& monitor,
                                              std::uint32_t in_transit);

// Sequence gaps equal drops, in the order the allocator handed frames out.
std::optional<std::string> check_sequence(const CaptureStack& stack);

// Exactly-once, in totals: the ALLOCs the clients saw answered at once,
// pended, completed, cancelled and failed, with those ended and not yet told
// to their client (`in_transit`), are the allocator's own counts, and every
// pended ALLOC has ended once or is still pending.
std::optional<std::string> check_request_accounting(
    const CaptureStack& stack, const std::vector<const KsClient*>& clients,
    const CompletionRouter::RequestsInTransit& in_transit);

}  // namespace hilcap::sim
