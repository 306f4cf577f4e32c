// `hilcap test PATH... [--junit FILE] [--html FILE]`: runs scenarios with
// their expectations, one line per scenario, a closing "N passed, N failed"
// line, and optionally JUnit XML and one HTML report of the suite (a
// section with the charts of each scenario). Honours GoogleTest's sharding variables so a CI
// farm splits a large suite the way it splits GoogleTest binaries.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "cli/cli_context.h"

namespace hilcap::sim {

struct Shard {
  std::size_t index = 0;
  std::size_t total = 1;
};

// From GTEST_TOTAL_SHARDS / GTEST_SHARD_INDEX: both unset is one shard; one
// without the other, a non-number, or an index outside [0, total) is an error
// (nullopt and `error` set), as in GoogleTest.
std::optional<Shard> shard_from_environment(const CliContext& context, std::string& error);

// Files as given; directories become their *.json files, sorted by name (not
// recursive). Arguments keep their order. A path that does not exist, or a
// directory without scenarios, is an error (nullopt and `error` set).
std::optional<std::vector<std::filesystem::path>> expand_scenario_paths(
    const std::vector<std::filesystem::path>& paths, std::string& error);

struct TestCommandOptions {
  std::vector<std::filesystem::path> paths;
  std::filesystem::path junit;  // empty: no JUnit XML
  std::filesystem::path html;   // empty: no HTML report
};

// Returns the exit status (kExitOk, kExitFailed or kExitUsage).
int run_test_command(const TestCommandOptions& options, CliContext& context);

}  // namespace hilcap::sim
