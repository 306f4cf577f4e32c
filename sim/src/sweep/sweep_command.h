// `hilcap sweep SCENARIO --vary POINTER=VALUES... [--seeds N] [--metric
// NAME...] [--jobs N] [--shard I/N] [--out DIR]` runs the grid in virtual
// time on N threads and says where each metric is zero; with --out, writes
// DIR/sweep.csv, DIR/sweep.json and DIR/sweep.html. `hilcap sweep --merge
// DIR... --out DIR` joins shards' outputs into the same three files.
#pragma once

#include <CLI/CLI.hpp>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "cli/cli_context.h"

namespace hilcap::sim {

struct SweepArguments {
  CLI::App* command = nullptr;
  std::filesystem::path scenario;
  std::vector<std::string> vary;
  unsigned seeds = 1;
  std::vector<std::string> metrics;
  unsigned jobs = 0;  // 0: not given, one thread per processor
  std::string shard;
  std::filesystem::path out;
  std::vector<std::filesystem::path> merge;
};

// The metrics a sweep reports without --metric.
inline const std::vector<std::string> kDefaultSweepMetrics = {
    "frames.dropped.total", "frames.received", "pending_latency_us.max"};

void add_sweep_command(CLI::App& app, SweepArguments& arguments);

// The exit status of `hilcap sweep` when it was the command parsed.
std::optional<int> run_sweep_command(const SweepArguments& arguments, CliContext& context);

}  // namespace hilcap::sim
