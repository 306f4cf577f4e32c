// `hilcap serve SCENARIO (--listen | --connect) ADDRESS`: the scenario's
// device served as a USB Video Class camera over usbredir (serve_run.h).
#pragma once

#include <CLI/CLI.hpp>
#include <filesystem>
#include <optional>
#include <string>

#include "cli/cli_context.h"

namespace hilcap::sim {

struct ServeArguments {
  CLI::App* command = nullptr;
  std::filesystem::path scenario;
  std::string listen;
  std::string connect;
  double duration_s = 0;
  std::filesystem::path report;
  std::filesystem::path trace;
  std::filesystem::path html;
  bool no_wall_time = false;
};

void add_serve_command(CLI::App& app, ServeArguments& arguments);

// The exit status of `hilcap serve` when it was the command parsed.
std::optional<int> run_serve_command(const ServeArguments& arguments, CliContext& context);

}  // namespace hilcap::sim
