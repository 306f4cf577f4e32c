// What the CLI commands run against: the scenario layer, the output streams,
// the environment and the wall clock. main() passes the real ones; tests pass
// a fake runner, string streams and a fixed environment.
#pragma once

#include <functional>
#include <ostream>

#include "cli/scenario_runner.h"

namespace hilcap::sim {

struct CliContext {
  ScenarioRunner* runner = nullptr;  // null: this build cannot run scenarios
  std::ostream* out = nullptr;
  std::ostream* err = nullptr;
  // Reads an environment variable (GTEST_TOTAL_SHARDS...); null when unset.
  std::function<const char*(const char*)> getenv;
  // Monotonic wall-clock seconds, for the time each scenario takes.
  std::function<double()> wall_seconds;
  bool progress = false;  // stderr is a terminal: `run` may draw a progress line
};

// Exit statuses of every command (cli.h: kExitStatusHelp); an interrupted
// command's is interrupted_status() (runner/interrupt_signal.h): 130, 143.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;  // a scenario is invalid, stopped, or missed its expectations
inline constexpr int kExitUsage = 2;   // bad arguments or environment, unwritable output, no runner

}  // namespace hilcap::sim
