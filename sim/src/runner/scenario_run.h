// One run of a loaded scenario in virtual time: the bench (device, capture
// pin, allocator), the clients and the script on one scheduler, until the
// scenario's duration (events at that instant do not run). Invariants are
// checked after every event in checked builds and at the end always; the
// first violation stops the run.
#pragma once

#include "cli/scenario_runner.h"
#include "scenario/scenario.h"

namespace hilcap::sim {

// `options.seed` replaces the scenario's seed; the outcome's report is whole
// unless the run stopped (then it shows the run up to the stop).
ScenarioOutcome run_scenario(Scenario scenario, const RunOptions& options);

}  // namespace hilcap::sim
