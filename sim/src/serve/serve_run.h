// One `hilcap serve`: the scenario's device as a UVC camera (ModelCamera:
// its format, size, frame rate, timing and faults, presented as the
// scenario's "device.uvc" says), served in real time over usbredir to one
// peer (QEMU's usb-redir device) until the peer closes the connection, the
// duration elapses or Ctrl-C / SIGTERM (`interrupted`), then reported like a
// scenario run (interrupted while waiting for a peer too).
#pragma once

#include <atomic>
#include <filesystem>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "report/report.h"
#include "scenario/scenario.h"
#include "socket_address.h"
#include "timeline/run_timeline.h"

namespace hilcap::sim {

struct ServeSettings {
  Scenario scenario;
  bus::SocketAddress address;
  bool listen = true;                 // wait for the peer to connect; otherwise connect to it
  std::optional<TimeNs> duration_ns;  // from the connection; none: until it closes
  std::filesystem::path trace;        // empty: none
  bool progress = false;              // a progress line on stderr
  const std::atomic<bool>* interrupted = nullptr;
  std::ostream* log = nullptr;  // the readable event lines (stderr)
  // The frames over time in this many buckets (ServeOutcome::timeline, for
  // `--html`); 0: none recorded.
  std::size_t timeline_buckets = 0;
};

struct ServeOutcome {
  std::vector<std::string> errors;  // it could not start: nothing was served
  bool scenario_invalid = false;    // because of the scenario (else the address, the trace)
  // When it started: also when a signal came before any peer connected.
  std::optional<Report> report;
  std::string ended;                       // why it ended
  std::vector<std::string> problems;       // the connection failed
  std::vector<std::string> output_errors;  // the trace could not be written
  // Frames due, dropped by reason and their lateness over time, when
  // ServeSettings::timeline_buckets asked for it.
  std::shared_ptr<const RunTimeline> timeline;
};

ServeOutcome run_serve(const ServeSettings& settings);

}  // namespace hilcap::sim
