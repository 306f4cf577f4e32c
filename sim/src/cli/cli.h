// The `hilcap` command line: run, validate, test (CLI11).
#pragma once

#include <filesystem>
#include <string>

#include "cli/cli_context.h"
#include "cli/output_files.h"

namespace hilcap::sim {

// Parses `argv` and runs the chosen command; returns the exit status.
int run_cli(int argc, const char* const* argv, CliContext& context);

// The context main() uses: stdout/stderr, the process environment, steady_clock.
CliContext process_cli_context(ScenarioRunner* runner);

// How a command that ran a scenario (run, capture) shows its outcome.
struct OutcomeOutput {
  std::string command;                // "run", "capture": in messages
  std::filesystem::path report;       // --report FILE; empty: none
  std::filesystem::path html;         // --html FILE; empty: none
  bool no_wall_time = false;          // --no-wall-time
  std::string ended;                  // a line after the table ("capture ended: ..."); empty: none
  bool interrupt_is_success = false;  // SIGINT ends the command normally (capture)
};

// Prints the run's notes (stderr), its errors, the headline and the figures
// by part, step failures and the expectations; writes the report file (with
// the headline as "headline") and the HTML report. Returns the exit status:
// 0, 1 (invalid, stopped, a failure or an unmet expectation), 2 (the device
// could not be opened, the report or the page could not be written).
int show_outcome(ScenarioOutcome& outcome, double wall_seconds, const OutcomeOutput& output,
                 CliContext& context);

// Says on stderr (as `hilcap COMMAND: --html FILE: cannot write there: ...`)
// each output file that cannot be written; true when all can.
bool outputs_writable(std::string_view command, const std::vector<OutputFile>& files,
                      CliContext& context);

}  // namespace hilcap::sim
