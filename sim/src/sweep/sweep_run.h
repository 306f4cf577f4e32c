// Runs a sweep's rows (one shard of the grid) on N threads, each row one
// run of the scenario with its point's values set (RunOptions::overrides)
// and its seed, in virtual time: runs share nothing but the process (each
// run's completions go to its own allocator's observer), so N threads run
// N rows at once.
#pragma once

#include <atomic>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "cli/scenario_runner.h"
#include "sweep/sweep_table.h"

namespace hilcap::sim {

struct SweepPlan {
  std::filesystem::path scenario;
  SweepGrid grid;
  std::vector<std::string> metrics;
  Shard shard;
  unsigned jobs = 1;
};

// The shard's rows, in row order. Rows not started when `stop` is set are
// left out (a missing row, as a shard not merged). `progress(done, total)`
// is called from the worker threads (serialised) after each row.
SweepTable run_sweep(ScenarioRunner& runner, const SweepPlan& plan, const std::atomic<bool>& stop,
                     const std::function<void(std::size_t, std::size_t)>& progress);

// `hilcap run FILE --seed S --set P=V ...`, quoted for a POSIX shell.
std::string rerun_command(const std::filesystem::path& scenario, std::uint64_t seed,
                          const std::vector<ScenarioOverride>& changes);

}  // namespace hilcap::sim
