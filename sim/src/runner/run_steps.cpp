#include "runner/run_steps.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <utility>

#include "clients/client_model.h"
#include "clients/completion_router.h"
#include "clients/ks_client.h"
#include "pin_state_machine.h"
#include "runner/capture_stack.h"
#include "runner/invariants.h"
#include "runner/run_monitor.h"
#include "runner/run_report.h"
#include "scenario/status_names.h"
#include "script/script_player.h"

namespace hilcap::sim {

ScenarioOutcome invalid_outcome(std::vector<std::string> errors) {
  ScenarioOutcome outcome;
  outcome.status = ScenarioOutcome::Status::kInvalid;
  outcome.errors = std::move(errors);
  return outcome;
}

RunOutputs open_run_outputs(const RunOptions& options, TimeNs duration_ns) {
  RunOutputs outputs;
  if (!options.trace.empty()) {
    std::string error;
    outputs.trace = TraceWriter::open(options.trace, error);
    if (!outputs.trace) {
      outputs.errors.push_back(
          fmt::format("{}: cannot write the trace: {}", options.trace.string(), error));
    }
  }
  if (options.progress) {
    outputs.progress =
        std::make_unique<ProgressLine>(stderr, ::isatty(::fileno(stderr)) == 1, duration_ns);
  }
  return outputs;
}

void set_initial_state(CaptureStack& stack, const Scenario& scenario, ClientEvents& events) {
  if (scenario.host.initial_state == device::PinState::kStop) return;
  const NTSTATUS status = stack.set_state(scenario.host.initial_state);
  if (status != STATUS_SUCCESS) {
    events.violation(fmt::format("the pin refused the initial state {}: {}",
                                 to_string(scenario.host.initial_state), status_name(status)));
  }
}

std::vector<const KsClient*> all_clients(const std::vector<std::unique_ptr<ClientModel>>& models,
                                         const ScriptPlayer& script) {
  std::vector<const KsClient*> clients;
  for (const auto& model : models)
    clients.push_back(model.get());
  for (const KsClient* c : script.clients())
    clients.push_back(c);
  return clients;
}

void check_end_of_run(CaptureStack& stack, RunMonitor& monitor, const CompletionRouter& router,
                      const std::vector<const KsClient*>& clients) {
  if (monitor.first_violation()) return;
  if (auto broken = check_conservation(stack, monitor, router.frames_in_transit())) {
    monitor.violation("at the end of the run: " + *broken);
  } else if (auto unaccounted =
                 check_request_accounting(stack, clients, router.requests_in_transit())) {
    monitor.violation("at the end of the run: " + *unaccounted);
  }
}

RunTotals gather_totals(CaptureStack& stack, const std::vector<const KsClient*>& clients,
                        const ScriptPlayer& script) {
  RunTotals totals;
  totals.device = stack.device().stats();
  totals.state = stack.device().state();
  totals.connected = stack.device().connected();
  totals.pin = stack.pin().stats();
  totals.allocator = stack.allocator().counters();
  totals.occupancy = stack.allocator().occupancy();
  totals.allocator_open = stack.allocator_open();
  for (const KsClient* c : clients)
    totals.clients.push_back(c->figures());
  totals.script = script.figures();
  return totals;
}

void close_trace(RunOutputs& outputs, const RunOptions& options, ScenarioOutcome& outcome) {
  if (!outputs.trace) return;
  std::string error;
  if (!outputs.trace->close(error)) {
    outcome.failures.push_back(
        fmt::format("{}: cannot write the trace: {}", options.trace.string(), error));
  }
}

}  // namespace hilcap::sim
