// SIGINT (Ctrl-C) and SIGTERM as a request to stop a real-time run: while an
// InterruptSignal exists, the first one sets a flag instead of killing the
// process (a second one kills it), and the run polls it, stops its threads
// and still writes its report. The previous disposition comes back when it
// goes. One at a time per process.
#pragma once

#include <atomic>

namespace hilcap::sim {

class InterruptSignal {
 public:
  InterruptSignal();   // installs the handler, clears the flag
  ~InterruptSignal();  // restores the previous disposition
  InterruptSignal(const InterruptSignal&) = delete;
  InterruptSignal& operator=(const InterruptSignal&) = delete;

  // SIGINT or SIGTERM arrived since construction.
  bool raised() const;
  // The flag itself, for loops that take a stop flag.
  const std::atomic<bool>* flag() const;
  // An InterruptSignal is catching SIGINT now (tests wait for it before raising).
  static bool catching();
};

}  // namespace hilcap::sim
