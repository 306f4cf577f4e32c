// The scenario layer plugs into the CLI here. The integration step (scenario
// schema, client models, device + allocator wiring) returns its
// ScenarioRunner from this function; until then there is none, and `hilcap`
// says so instead of pretending to run anything.
#include "cli/scenario_runner.h"

namespace hilcap::sim {

std::unique_ptr<ScenarioRunner> make_scenario_runner() {
  return nullptr;
}

}  // namespace hilcap::sim
