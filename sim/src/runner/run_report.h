// The report of a run, the one report builder of every run: every figure
// registered from the scenario before the run starts (so that an `expect`
// block can be checked against the report's shape before anything runs),
// filled from the run's totals at its end.
//
// Figures (see configs/README.md for their meaning), for every run: seed,
// events; frames.{due, produced, delivered, received, ok, short, error,
// returned_unfilled, in_flight_at_end, dropped.total,
// dropped.by_reason.starvation}; requests.{immediate, pended, completed,
// cancelled, failed, refused, pending_at_end}; pending_latency_us
// (distribution); allocator.*; device.{connected_at_end, state_at_end};
// clients.<name>.*; script.* (with a script); realtime.* (on the wall clock).
// The simulated device adds what only a simulation has: virtual_time_s,
// frames.corrupt, the other drop reasons, device.{interrupts, faults.*},
// host.*. A camera adds what a camera has: frames.damaged.*, arrival.*
// (interval, jitter and latency at the host, gaps, stalls) and usb.*.
#pragma once

#include <hilcap/capture_pin.h>
#include <hilcap/stream_allocator.h>
#include <hilcap/uvc/uvc_source.h>

#include <string>
#include <vector>

#include "clients/ks_client.h"
#include "device_stats.h"
#include "report/report.h"
#include "runner/arrival_timing.h"
#include "scenario/scenario.h"
#include "scenario/scenario_error.h"
#include "script/script_player.h"

namespace hilcap::sim {

// What a camera run measured of the camera.
struct CameraTotals {
  uvc::SourceCounters source;
  ArrivalFigures arrival;
};

// Everything a report is made of, read at the end of the run.
struct RunTotals {
  TimeNs virtual_time_ns = 0;  // the simulated device's clock at the end
  std::uint64_t events = 0;
  device::DeviceStats device;  // the simulated device
  CameraTotals camera;         // a camera
  device::PinState state = device::PinState::kStop;
  bool connected = true;
  CapturePinStats pin;
  KSALLOCATOR_FRAMING framing{};  // as the allocator was created
  AllocatorCounters allocator;
  AllocatorOccupancy occupancy;
  bool allocator_open = true;
  std::vector<ClientFigures> clients;  // in the scenario's client order
  ScriptFigures script;
};

class RunReport {
 public:
  // `wall_clock`: the run is on the wall clock (its realtime.* figures).
  explicit RunReport(const Scenario& scenario, bool wall_clock = false);

  // Pending-ALLOC latencies (ns), recorded as the run goes.
  Distribution& pending_latency() { return *latency_; }

  void fill(const RunTotals& totals);
  Report take() { return std::move(report_); }

 private:
  void fill_simulated_device(const RunTotals& totals);
  void fill_camera(const RunTotals& totals);

  const Scenario& scenario_;
  Report report_;
  Distribution* latency_;
};

// The problems of a scenario's `expect` block against the report's shape: a
// figure the report does not have (with the nearest one), or a group of
// figures where one figure is needed. Empty when every key names a figure.
std::vector<ScenarioError> check_expect_figures(const Scenario& scenario);

}  // namespace hilcap::sim
