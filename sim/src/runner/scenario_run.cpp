#include "runner/scenario_run.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <optional>
#include <vector>

#include "clients/client_model.h"
#include "clients/completion_router.h"
#include "pin_state_machine.h"
#include "progress/progress_line.h"
#include "runner/capture_stack.h"
#include "runner/checked.h"
#include "runner/clock_policy.h"
#include "runner/interrupt_signal.h"
#include "runner/invariants.h"
#include "runner/model_stack.h"
#include "runner/run_monitor.h"
#include "runner/run_report.h"
#include "scenario/json_units.h"
#include "scenario/status_names.h"
#include "script/script_player.h"
#include "trace/trace_writer.h"
#include "usb/camera_stack.h"

namespace hilcap::sim {
namespace {

// A run that never started: the scenario (or an output file) was refused.
ScenarioOutcome invalid_outcome(std::vector<std::string> errors) {
  ScenarioOutcome outcome;
  outcome.status = ScenarioOutcome::Status::kInvalid;
  outcome.errors = std::move(errors);
  return outcome;
}

// The run's outputs: the trace when --trace names a file, the progress line
// when asked for (drawn only on a terminal).
struct RunOutputs {
  std::unique_ptr<TraceWriter> trace;
  std::unique_ptr<ProgressLine> progress;
};

// Opened once the device is: a run that cannot start leaves the user's
// trace file as it was. Null with `error` set when the trace cannot be opened.
std::unique_ptr<TraceWriter> open_trace(const RunOptions& options, const ClockPolicy& clock,
                                        std::string& error) {
  if (options.trace.empty()) return nullptr;
  return TraceWriter::open(options.trace, error, clock.name());
}

std::unique_ptr<ProgressLine> open_progress(const RunOptions& options, TimeNs duration_ns,
                                            const ClockPolicy& clock) {
  if (!options.progress) return nullptr;
  return std::make_unique<ProgressLine>(stderr, ::isatty(::fileno(stderr)) == 1, duration_ns,
                                        ProgressLine::WallClock{}, clock.wall_clock());
}

// Puts the pin into the scenario's initial state (through
// KSPROPERTY_CONNECTION_STATE); a refusal is a violation.
void set_initial_state(CaptureStack& stack, const Scenario& scenario, RunMonitor& monitor) {
  if (scenario.host.initial_state == device::PinState::kStop) return;
  const NTSTATUS status = stack.set_state(scenario.host.initial_state);
  if (status != STATUS_SUCCESS) {
    monitor.violation(fmt::format("the pin refused the initial state {}: {}",
                                  to_string(scenario.host.initial_state), status_name(status)));
  }
}

// Every client of the run, models first, then scripted: the scenario's order.
std::vector<const KsClient*> all_clients(const std::vector<std::unique_ptr<ClientModel>>& models,
                                         const ScriptPlayer& script) {
  std::vector<const KsClient*> clients;
  for (const auto& model : models)
    clients.push_back(model.get());
  for (const KsClient* c : script.clients())
    clients.push_back(c);
  return clients;
}

// At the end of a run that had no violation yet: frame conservation, the
// hand-out sequence, then request accounting; the first broken one becomes
// the run's violation.
void check_end_of_run(const CaptureStack& stack, RunMonitor& monitor,
                      const CompletionRouter& router, const std::vector<const KsClient*>& clients) {
  if (monitor.first_violation()) return;
  if (auto broken = check_conservation(stack, monitor, router.frames_in_transit())) {
    monitor.violation("at the end of the run: " + *broken);
  } else if (auto sequence = check_sequence(stack)) {
    monitor.violation("at the end of the run: " + *sequence);
  } else if (auto unaccounted =
                 check_request_accounting(stack, clients, router.requests_in_transit())) {
    monitor.violation("at the end of the run: " + *unaccounted);
  }
}

RunTotals gather_totals(const CaptureStack& stack, const std::vector<const KsClient*>& clients,
                        const ScriptPlayer& script) {
  RunTotals totals;
  totals.pin = stack.pin().stats();
  totals.framing = stack.allocator().framing();
  totals.allocator = stack.allocator().counters();
  totals.occupancy = stack.allocator().occupancy();
  totals.allocator_open = stack.allocator_open();
  for (const KsClient* c : clients)
    totals.clients.push_back(c->figures());
  totals.script = script.figures();
  stack.gather(totals);
  return totals;
}

std::string at_time(TimeNs t) {
  return fmt::format("at t={:.3f} s", static_cast<double>(t) / kNsPerS);
}

}  // namespace

ScenarioOutcome run_scenario(Scenario scenario, const RunOptions& options) {
  // SIGINT / SIGTERM from here on stop the run in order (the command that
  // called holds a guard of its own for its whole life).
  const InterruptSignal interrupt;
  if (options.seed) scenario.reseed(*options.seed);
  const bool wall_clock = options.realtime || scenario.clock == RunClock::kRealtime;
  const std::unique_ptr<ClockPolicy> clock =
      wall_clock ? make_realtime_clock() : make_virtual_clock(scenario.duration_ns);

  RunOutputs outputs;
  RunReport report(scenario, wall_clock);
  // Made once the device is open (its trace with it); before the stack, so
  // that the stack, which may tell it things as it closes, goes first.
  std::optional<RunMonitor> monitor_place;
  CaptureStack::Created created =
      scenario.camera
          ? open_camera_stack(scenario, options, clock->epoch_ns())
          : ModelStack::create(scenario, clock->device_scheduler(), clock->host_scheduler());
  if (!created.stack) {
    ScenarioOutcome outcome = invalid_outcome(std::move(created.errors));
    outcome.device_unavailable = created.unavailable;
    return outcome;
  }
  CaptureStack& stack = *created.stack;
  {
    std::string error;
    outputs.trace = open_trace(options, *clock, error);
    if (!options.trace.empty() && !outputs.trace) {
      ScenarioOutcome outcome = invalid_outcome({});
      outcome.output_errors.push_back("--trace " + error);
      return outcome;
    }
  }
  outputs.progress = open_progress(options, scenario.duration_ns, *clock);
  TraceWriter* const trace = outputs.trace.get();
  ProgressLine* const progress = outputs.progress.get();
  // The progress line: drawn by the monitor on every frame in virtual time,
  // by the clock's coordinating thread in real time.
  RunMonitor& monitor = monitor_place.emplace(clock->clock(), report.pending_latency(), trace,
                                              wall_clock ? nullptr : progress, wall_clock);
  monitor.attach(stack);
  if (const RealtimeScheduler* device = clock->realtime_device(); device && !scenario.camera) {
    monitor.measure_frame_lateness(*device);
  }
  if (wall_clock || trace || progress || kChecked || scenario.camera) stack.observe(&monitor);

  ClientEnvironment router_environment{clock->host_scheduler(), stack.allocator_handle(), monitor};
  CompletionRouter router(router_environment);
  if (Distribution* wake_latency = clock->wake_latency())
    router.measure_wake_latency(*wake_latency);
  std::vector<std::unique_ptr<ClientModel>> models;
  for (const ClientSpec& spec : scenario.clients) {
    if (spec.scripted) continue;
    models.push_back(std::make_unique<ClientModel>(
        spec, clock->environment("clients." + spec.name, stack.allocator_handle(), monitor, true)));
  }
  ScriptPlayer script(
      scenario.script, scenario.clients,
      clock->environment("script", stack.allocator_handle(), monitor, !scenario.script.empty()),
      stack);

  set_initial_state(stack, scenario, monitor);
  if (auto reason = stack.cannot_stream()) {
    // A camera the pin could not start: nothing ran, the environment is why.
    ScenarioOutcome outcome = invalid_outcome({std::move(*reason)});
    outcome.device_unavailable = true;
    outcome.notes = stack.notes();
    return outcome;
  }
  for (auto& model : models)
    model->start();
  script.start();

  const StopCheck poll = [&]() -> std::optional<RunEnd> {
    if (clock->wall_clock()) {
      monitor.catch_up();
      if (auto sequence = check_sequence(stack)) monitor.violation(*sequence);
    } else if (auto broken = check_conservation(stack, monitor, router.frames_in_transit())) {
      monitor.violation(std::move(*broken));
    } else if (auto sequence = check_sequence(stack)) {
      monitor.violation(std::move(*sequence));
    }
    if (monitor.first_violation()) return RunEnd::kViolation;
    if (options.frame_limit != 0 && monitor.frames_received() >= options.frame_limit) {
      return RunEnd::kFrameLimit;
    }
    if (stack.ended()) return RunEnd::kDeviceGone;
    return std::nullopt;
  };
  const auto show_progress = [&](TimeNs now) {
    if (progress == nullptr) return;
    const DeviceFlow flow = stack.flow();
    progress->update_now(now, flow.due, flow.dropped);
  };
  RunEnd end = clock->run(scenario.duration_ns, stack.runs_on_run_schedulers(), interrupt.flag(),
                          poll, show_progress);
  const TimeNs stopped_at = clock->stopped_at();
  stack.quiesce(stopped_at);
  monitor.catch_up();
  if (progress) progress->finish();
  if (end == RunEnd::kEnd && monitor.first_violation()) end = RunEnd::kViolation;

  const std::vector<const KsClient*> clients = all_clients(models, script);
  check_end_of_run(stack, monitor, router, clients);
  script.finish();

  RunTotals totals = gather_totals(stack, clients, script);
  totals.virtual_time_ns = stopped_at;
  totals.events = clock->events_run();
  report.fill(totals);

  // Teardown: the handle closes while every OVERLAPPED is alive, so that
  // each pending ALLOC ends (cancelled) before its client goes; in real time
  // nobody runs the clients' callbacks any more.
  const std::uint64_t cancelled_before = stack.allocator().counters().cancelled;
  stack.close_allocator();
  stack.observe(nullptr);

  // The trace is complete once the run is: closed before the report goes out.
  std::vector<std::string> output_errors;
  if (outputs.trace) {
    std::string error;
    if (!outputs.trace->close(error)) output_errors.push_back("--trace " + error);
  }

  // What stopped the run, in the report's words: the signal's name for an
  // interruption ("SIGINT", "SIGTERM").
  const std::string stopped_by =
      end == RunEnd::kInterrupted ? signal_name(interrupt.signal()) : to_string(end);
  ScenarioOutcome outcome;
  outcome.report = report.take();
  if (clock->wall_clock()) {
    Report& r = outcome.report;
    clock->add_figures(r);
    if (!scenario.camera) {
      r.distribution("realtime.frame_lateness_us", SampleScale::kNsToUs) = monitor.frame_lateness();
    }
    r.set("realtime.cancelled_at_stop", stack.allocator().counters().cancelled - cancelled_before);
    r.set("realtime.pending_after_stop", stack.allocator().occupancy().pending);
    r.set("realtime.stopped_by", stopped_by);
  }
  outcome.expect = scenario.expect;
  outcome.failures = script.failures();
  for (std::string& problem : stack.write_outputs())
    output_errors.push_back(std::move(problem));
  outcome.output_errors = std::move(output_errors);
  outcome.notes = stack.notes();
  outcome.stopped_by = stopped_by;
  if (end == RunEnd::kInterrupted) {
    outcome.status = ScenarioOutcome::Status::kStopped;
    outcome.errors.push_back(fmt::format("interrupted by {} {}", stopped_by, at_time(stopped_at)));
  }
  if (end == RunEnd::kDeviceGone) {
    outcome.status = ScenarioOutcome::Status::kStopped;
    outcome.errors.push_back(fmt::format("{} {}: pending ALLOCs ended with {}", *stack.ended(),
                                         at_time(stopped_at),
                                         status_name(STATUS_DEVICE_NOT_CONNECTED)));
  }
  if (auto violation = monitor.first_violation()) {
    outcome.status = ScenarioOutcome::Status::kStopped;
    outcome.errors.push_back(std::move(*violation));
  }
  return outcome;
}

}  // namespace hilcap::sim
