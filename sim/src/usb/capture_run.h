// One `hilcap capture`: a UVC device streaming through the libusb source
// into a capture-mode StreamAllocator, with a scenario's KS client models
// ALLOCing and FREEing on the wall clock, and the same report as a scenario
// run (configs/README.md), plus the UVC causes of drops and damage:
//   frames.due        frames the device began sending
//   frames.produced   those that got an allocator frame
//   frames.delivered  those handed to the allocator (ok + short + error)
//   frames.short      delivered incomplete (UVC: cut short, no EOF...)
//   frames.error      delivered with the UVC error bit, a failed packet or an overflow
//   frames.dropped.by_reason.{no_free_frame,error_payload,overflow,incomplete}
//   usb.*             transfers, stalls, payloads of the source
// so that frames.due = frames.delivered + frames.dropped.total + frames.in_flight_at_end.
#pragma once

#include <hilcap/uvc/uvc_source.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "report/report.h"
#include "scenario/scenario.h"

namespace hilcap::sim {

struct CaptureSettings {
  uvc::DeviceSelector device;
  uvc::SourceOptions source;
  TimeNs duration_ns = 0;    // 0: no time limit
  std::uint64_t frames = 0;  // stop once clients received this many; 0: no limit
  // Its clients (models; scripted clients and the script are not used), its
  // allocator frame count and its seed. The device section does not apply.
  Scenario scenario;
  std::filesystem::path record_timing;             // empty: none
  bool progress = false;                           // draw a progress line on stderr
  const std::atomic<bool>* interrupted = nullptr;  // Ctrl-C: ends the capture cleanly
};

struct CaptureOutcome {
  std::optional<uvc::SourceError> error;  // the capture could not start
  std::vector<std::string> stream;        // what was negotiated, readable
  std::optional<Report> report;           // when it ran
  std::string ended;                      // why it ended
  std::vector<std::string> problems;      // invariant violations, an unwritable timing file
};

CaptureOutcome run_capture(std::shared_ptr<uvc::UsbContext> usb, const CaptureSettings& settings);

}  // namespace hilcap::sim
