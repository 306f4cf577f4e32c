// One run of a loaded scenario, the one runner of every run: the device
// under test (the device model, or a USB camera: capture_stack.h), the
// clients and the script, on a clock (virtual time or the wall clock:
// clock_policy.h), until the scenario's duration (events at that instant do
// not run). Invariants are checked as the run goes (per event in checked
// builds in virtual time, every few ms in real time) and at the end always;
// the first violation stops the run. A real-time run also stops on SIGINT,
// when the clients received RunOptions::frame_limit frames, and when a camera
// leaves the bus; it still reports.
#pragma once

#include "cli/scenario_runner.h"
#include "scenario/scenario.h"

namespace hilcap::sim {

// `options.seed` replaces the scenario's seed; the outcome's report is whole
// unless the run stopped (then it shows the run up to the stop).
ScenarioOutcome run_scenario(Scenario scenario, const RunOptions& options);

}  // namespace hilcap::sim
