// A hilcap command run as a child process for the signal tests: its output
// to files, what it catches (read from /proc), signals sent to it, and how
// it ended.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace hilcap::testing {

class ChildProcess {
 public:
  // Starts `argv` (argv[0] a path) with SIGINT and SIGTERM at their default
  // disposition and nothing blocked, stdout and stderr to `out` and `err`.
  ChildProcess(const std::vector<std::string>& argv, const std::filesystem::path& out,
               const std::filesystem::path& err);
  // Kills (SIGKILL) and reaps a child still running.
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  bool started() const { return pid_ > 0; }

  // The child has a handler for `signal` now (SigCgt in /proc/PID/status).
  bool catches(int signal) const;
  // Sends `signal`; a child that ended but is not reaped yet ignores it.
  void send(int signal) const;
  // Reaps the child if it ended; true then (wait_status() is its status).
  bool ended();
  int wait_status() const { return status_; }

 private:
  pid_t pid_ = -1;
  int status_ = -1;
  bool reaped_ = false;
};

// Polls `condition` (every 200 us) until it holds or `limit` passes; false
// then. A handshake with the child: what it polls is the child's own state.
bool wait_until(const std::function<bool()>& condition, std::chrono::milliseconds limit);

// "exited with status N" / "ended by signal SIGINT".
std::string describe_wait_status(int status);

}  // namespace hilcap::testing
