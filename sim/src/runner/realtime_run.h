// One run of a loaded scenario on the wall clock (`hilcap run --realtime`,
// or "clock": "realtime"): the same bench, clients and script as in virtual
// time, each part on its own thread behind a RealtimeScheduler sharing one
// epoch:
//   device     the device model's events, slept to their absolute due times
//              (frame k at start + k * interval: lateness does not accumulate);
//   host       the pin's completion path, woken by the device's interrupt line
//              (the line schedules it after the DPC latency);
//   client <n> each client model: its ALLOCs, holds, thinks and cancels; a
//              pended ALLOC's completion wakes it through the KS completion
//              observer;
//   script     the script's steps and scripted clients (when there is a script).
// The calling thread coordinates: progress line, and the stop at the end of
// the scenario, on SIGINT or on the first invariant violation. Stopping stops
// the device first, then the host's completion path, then the clients; it
// joins every thread, checks conservation and request accounting, fills the
// report, and closes the allocator, which completes (cancels) every request
// still pending. The report adds realtime.*: frame lateness, pending-completion
// latency (completion to client running) and each thread's CPU time.
#pragma once

#include "cli/scenario_runner.h"
#include "scenario/scenario.h"

namespace hilcap::sim {

ScenarioOutcome run_scenario_realtime(Scenario scenario, const RunOptions& options);

}  // namespace hilcap::sim
