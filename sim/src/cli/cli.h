// The `hilcap` command line: run, validate, test (CLI11).
#pragma once

#include "cli/cli_context.h"

namespace hilcap::sim {

// Parses `argv` and runs the chosen command; returns the exit status.
int run_cli(int argc, const char* const* argv, CliContext& context);

// The context main() uses: stdout/stderr, the process environment, steady_clock.
CliContext process_cli_context(ScenarioRunner* runner);

}  // namespace hilcap::sim
