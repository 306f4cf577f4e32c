#include "cli_run.h"

#include <cstdlib>
#include <sstream>

#include "cli/cli.h"
#include "cli/scenario_runner.h"

namespace hilcap::testing {

CliRun run_hilcap(std::vector<std::string> args) {
  args.insert(args.begin(), "hilcap");
  std::vector<const char*> argv;
  for (const std::string& a : args)
    argv.push_back(a.c_str());
  std::ostringstream out, err;
  const std::unique_ptr<sim::ScenarioRunner> runner = sim::make_scenario_runner();
  sim::CliContext context;
  context.runner = runner.get();
  context.out = &out;
  context.err = &err;
  context.getenv = [](const char* name) -> const char* { return std::getenv(name); };
  context.wall_seconds = [] { return 0.0; };
  CliRun run;
  run.status = sim::run_cli(static_cast<int>(argv.size()), argv.data(), context);
  run.out = out.str();
  run.err = err.str();
  return run;
}

}  // namespace hilcap::testing
