// The steps a scenario run takes whatever its clock: open the trace and the
// progress line, check the end-of-run invariants, gather the totals for the
// report, close the trace. run_scenario (virtual time) and
// run_scenario_realtime share them so that both report the same way.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "progress/progress_line.h"
#include "runner/scenario_run.h"
#include "trace/trace_writer.h"

namespace hilcap::sim {

class CaptureStack;
class ClientEvents;
class ClientModel;
class CompletionRouter;
class KsClient;
class RunMonitor;
class ScriptPlayer;
struct RunTotals;

// A run that never started: the scenario (or an output file) was refused.
ScenarioOutcome invalid_outcome(std::vector<std::string> errors);

// The run's outputs: the trace when --trace names a file, the progress line
// when asked for (drawn only on a terminal).
struct RunOutputs {
  std::unique_ptr<TraceWriter> trace;
  std::unique_ptr<ProgressLine> progress;
  std::vector<std::string> errors;  // why an output could not be opened
};
RunOutputs open_run_outputs(const RunOptions& options, TimeNs duration_ns);

// Puts the pin into the scenario's initial state (through
// KSPROPERTY_CONNECTION_STATE); a refusal is a violation reported to `events`.
void set_initial_state(CaptureStack& stack, const Scenario& scenario, ClientEvents& events);

// Every client of the run, models first, then scripted: the scenario's order.
std::vector<const KsClient*> all_clients(const std::vector<std::unique_ptr<ClientModel>>& models,
                                         const ScriptPlayer& script);

// At the end of a run that had no violation yet: frame conservation, then
// request accounting; the first broken one becomes the run's violation.
void check_end_of_run(CaptureStack& stack, RunMonitor& monitor, const CompletionRouter& router,
                      const std::vector<const KsClient*>& clients);

// Every figure of the stack, the clients and the script; the caller sets the
// time and the event count, which depend on the clock.
RunTotals gather_totals(CaptureStack& stack, const std::vector<const KsClient*>& clients,
                        const ScriptPlayer& script);

// Closes the trace, if any, and records a failure to write it.
void close_trace(RunOutputs& outputs, const RunOptions& options, ScenarioOutcome& outcome);

}  // namespace hilcap::sim
