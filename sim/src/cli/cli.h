// The `hilcap` command line: run, validate, test (CLI11).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "cli/cli_context.h"
#include "cli/output_files.h"
#include "runner/interrupt_signal.h"

namespace hilcap::sim {

// Parses `argv` and runs the chosen command; returns the exit status.
int run_cli(int argc, const char* const* argv, CliContext& context);

// The context main() uses: stdout/stderr, the process environment, steady_clock.
CliContext process_cli_context(ScenarioRunner* runner);

// How a command that ran a scenario (run, capture) shows its outcome.
struct OutcomeOutput {
  std::string command;           // "run", "capture": in messages
  std::filesystem::path report;  // --report FILE; empty: none
  bool no_wall_time = false;     // --no-wall-time
  std::string ended;             // a line after the table ("capture ended: ..."); empty: none
};

// The exit statuses of every command, for --help (README.md has the same
// table). One table for run (virtual or real time), capture, serve, test.
inline constexpr std::string_view kExitStatusHelp =
    "Exit status:\n"
    "  0    ran to its end (its duration, --frames, the peer closing), every\n"
    "       expectation met, every output written\n"
    "  1    a scenario is invalid; a run stopped on a violation or a camera leaving\n"
    "       the bus; an expectation not met; serve: the connection failed\n"
    "  2    bad arguments; a device that cannot be opened; an output file that\n"
    "       cannot be written (refused before anything runs) or failed to write\n"
    "  130  interrupted by SIGINT (Ctrl-C), 143 by SIGTERM: the run stops in order,\n"
    "       its report and trace are written (later signals are ignored meanwhile),\n"
    "       then hilcap ends by that signal, as a shell expects";

// Says, one line each on stderr, which of `files` cannot be written (before
// anything runs); false when any cannot.
bool outputs_writable(std::string_view command, const std::vector<OutputFile>& files,
                      CliContext& context);

// A command's exit status once it is done: interrupted_status() of the
// signal when one interrupted it (whatever else it said), else `status`.
int command_status(int status, const InterruptSignal& interrupt);

// Prints the run's notes (stderr), its errors, the summary table, step
// failures and the expectations (checked when the run ran to its end);
// writes the report file. Returns the exit status: 0, 1 (invalid, stopped, a
// failure or an unmet expectation), 2 (the device could not be opened, the
// report or another output could not be written: said once on stderr).
int show_outcome(ScenarioOutcome& outcome, double wall_seconds, const OutcomeOutput& output,
                 CliContext& context);

}  // namespace hilcap::sim
