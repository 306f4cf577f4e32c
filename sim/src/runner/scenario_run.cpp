#include "runner/scenario_run.h"

#include <unistd.h>

#include <cstdio>
#include <memory>
#include <vector>

#include "clients/client_model.h"
#include "clients/completion_router.h"
#include "runner/capture_stack.h"
#include "runner/checked.h"
#include "runner/invariants.h"
#include "runner/run_monitor.h"
#include "runner/run_report.h"
#include "runner/run_steps.h"
#include "scheduler/virtual_scheduler.h"
#include "script/script_player.h"

namespace hilcap::sim {
namespace {

// Runs the scheduler to `end`, checking the conservation invariants after
// every event in checked builds.
void run_events(VirtualScheduler& scheduler, TimeNs end, CaptureStack& stack, RunMonitor& monitor,
                const CompletionRouter& router) {
  if constexpr (kChecked) {
    while (scheduler.run_one_until(end)) {
      if (auto broken = check_conservation(stack, monitor, router.frames_in_transit())) {
        monitor.violation(std::move(*broken));
      }
    }
  } else {
    scheduler.run_until(end);
  }
}

}  // namespace

ScenarioOutcome run_scenario(Scenario scenario, const RunOptions& options) {
  if (options.seed) scenario.reseed(*options.seed);

  RunOutputs outputs = open_run_outputs(options, scenario.duration_ns);
  if (!outputs.errors.empty()) return invalid_outcome(std::move(outputs.errors));
  TraceWriter* const trace = outputs.trace.get();
  ProgressLine* const progress = outputs.progress.get();

  VirtualScheduler scheduler;
  // The end of the run is the first event at its instant, so nothing else
  // due then runs.
  scheduler.schedule_at(scenario.duration_ns, [&scheduler] { scheduler.stop(); });

  RunReport report(scenario);
  RunMonitor monitor(scheduler, report.pending_latency(), trace, progress);
  CaptureStack::Created created = CaptureStack::create(scenario, scheduler);
  if (!created.stack) return invalid_outcome(std::move(created.errors));
  CaptureStack& stack = *created.stack;
  monitor.attach(stack);
  if (trace || progress || kChecked) stack.device().set_observer(&monitor);
  if (trace)
    stack.on_service([&monitor](TimeNs now, std::size_t n) { monitor.service_ran(now, n); });

  ClientEnvironment environment{scheduler, stack.allocator_handle(), monitor};
  CompletionRouter router(environment);
  std::vector<std::unique_ptr<ClientModel>> models;
  for (const ClientSpec& spec : scenario.clients) {
    if (!spec.scripted) models.push_back(std::make_unique<ClientModel>(spec, environment));
  }
  ScriptPlayer script(scenario.script, scenario.clients, environment, stack);

  ScenarioOutcome outcome;
  set_initial_state(stack, scenario, monitor);
  for (auto& model : models)
    model->start();
  script.start();

  run_events(scheduler, scenario.duration_ns, stack, monitor, router);
  if (progress) progress->finish();

  const std::vector<const KsClient*> clients = all_clients(models, script);
  check_end_of_run(stack, monitor, router, clients);
  script.finish();

  RunTotals totals = gather_totals(stack, clients, script);
  totals.virtual_time_ns = scheduler.now();
  totals.events = scheduler.events_run();
  report.fill(totals);

  // Teardown: the handle closes while every OVERLAPPED is alive, so that
  // each pending ALLOC ends (cancelled) before its client goes.
  stack.close_allocator();
  stack.device().set_observer(nullptr);

  outcome.report = report.take();
  outcome.expect = scenario.expect;
  outcome.failures = script.failures();
  if (monitor.first_violation()) {
    outcome.status = ScenarioOutcome::Status::kStopped;
    outcome.errors.push_back(*monitor.first_violation());
  }
  close_trace(outputs, options, outcome);
  return outcome;
}

}  // namespace hilcap::sim
