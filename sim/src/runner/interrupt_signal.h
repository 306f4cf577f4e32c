// SIGINT (Ctrl-C) and SIGTERM as a request to stop a command in order. While
// an InterruptSignal exists, each of them sets a flag instead of ending the
// process, and the first one's number is kept. Later ones are absorbed: the
// orderly stop (threads joined, the camera stopped, the trace and the report
// written) is never cut short, whatever `timeout -s INT` or an impatient
// user sends (a stuck process still ends by SIGKILL, or Ctrl-\ = SIGQUIT).
//
// Guards nest: the outermost one clears the flag and installs the handler
// (whatever disposition the process inherited, SIG_IGN included), its end
// restores the previous dispositions; after a signal it leaves the handler
// absorbing later ones, on every thread, until end_process() ends the process
// by the first (or the next command's guard ends). Each command (run, capture, serve,
// test) holds one for its whole life, so that a signal while it starts or
// shuts down is caught as well as one during the run; run_scenario holds one
// for callers without (tests, benchmarks). Only the main thread makes them.
//
// After the command, end_process() (main()) ends the process by the signal
// it caught, with the signal's default action: a shell then reports 130
// (SIGINT) or 143 (SIGTERM), and a shell script looping over runs stops
// instead of going on to the next (as Python and git do after their cleanup).
#pragma once

#include <atomic>

namespace hilcap::sim {

class InterruptSignal {
 public:
  InterruptSignal();   // the outermost: clears the flag, installs the handler
  ~InterruptSignal();  // the outermost: restores the previous dispositions (not after a signal)
  InterruptSignal(const InterruptSignal&) = delete;
  InterruptSignal& operator=(const InterruptSignal&) = delete;

  // SIGINT or SIGTERM arrived since the outermost guard began.
  bool raised() const;
  // The first of them (SIGINT or SIGTERM); 0 when none arrived.
  int signal() const;
  // The flag itself, for loops that poll a stop flag (one relaxed load).
  const std::atomic<bool>& flag() const;

  // A guard is catching SIGINT now (tests wait for it before raising).
  static bool catching();
  // The signal the last command caught (0: none); kept after its guard ended.
  static int last_caught();
};

// "SIGINT", "SIGTERM".
const char* signal_name(int signal);

// The exit status of a command a signal interrupted, as a shell reports a
// process that signal ended: 128 + its number (130 for SIGINT, 143 SIGTERM).
int interrupted_status(int signal);

// What main() returns: `status`, unless the command was interrupted
// (status == interrupted_status(last_caught())): then the process ends here
// by that signal with its default action, everything having been written.
int end_process(int status);

}  // namespace hilcap::sim
