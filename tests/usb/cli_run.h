// Runs the hilcap CLI in this process (the fake devices live here) and
// captures what it printed.
#pragma once

#include <string>
#include <vector>

namespace hilcap::testing {

struct CliRun {
  int status = -1;
  std::string out;
  std::string err;
};

// `args` without the program name; the default scenario runner is the real one.
CliRun run_hilcap(std::vector<std::string> args);

}  // namespace hilcap::testing
