#include "cli/cli.h"
#include "runner/interrupt_signal.h"

int main(int argc, char** argv) {
  const auto runner = hilcap::sim::make_scenario_runner();
  hilcap::sim::CliContext context = hilcap::sim::process_cli_context(runner.get());
  // An interrupted command ends by its signal, once everything is written.
  return hilcap::sim::end_process(hilcap::sim::run_cli(argc, argv, context));
}
