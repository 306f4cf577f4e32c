#include "cli/cli.h"

int main(int argc, char** argv) {
  const auto runner = hilcap::sim::make_scenario_runner();
  hilcap::sim::CliContext context = hilcap::sim::process_cli_context(runner.get());
  return hilcap::sim::run_cli(argc, argv, context);
}
