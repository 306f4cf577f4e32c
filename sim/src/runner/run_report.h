// The report of a run: every figure registered from the scenario before the
// run starts (so that an `expect` block can be checked against the report's
// shape before anything runs), filled from the run's totals at its end.
//
// Figures (see configs/README.md for their meaning): seed, virtual_time_s,
// events; frames.{due, produced, delivered, received, ok, short, error,
// corrupt, returned_unfilled, in_flight_at_end, dropped.total,
// dropped.by_reason.*}; requests.{immediate, pended, completed, cancelled,
// failed, refused, pending_at_end}; pending_latency_us (distribution);
// allocator.*; device.*; host.*; clients.<name>.*; script.* (with a script).
#pragma once

#include <hilcap/capture_pin.h>
#include <hilcap/stream_allocator.h>

#include <string>
#include <vector>

#include "clients/ks_client.h"
#include "device_stats.h"
#include "report/report.h"
#include "scenario/scenario.h"
#include "scenario/scenario_error.h"
#include "script/script_player.h"

namespace hilcap::sim {

// Everything a report is made of, read at the end of the run.
struct RunTotals {
  TimeNs virtual_time_ns = 0;
  std::uint64_t events = 0;
  device::DeviceStats device;
  device::PinState state = device::PinState::kStop;
  bool connected = true;
  CapturePinStats pin;
  AllocatorCounters allocator;
  AllocatorOccupancy occupancy;
  bool allocator_open = true;
  std::vector<ClientFigures> clients;  // in the scenario's client order
  ScriptFigures script;
};

class RunReport {
 public:
  explicit RunReport(const Scenario& scenario);

  // Pending-ALLOC latencies (ns), recorded as the run goes.
  Distribution& pending_latency() { return *latency_; }

  void fill(const RunTotals& totals);
  Report take() { return std::move(report_); }

 private:
  const Scenario& scenario_;
  Report report_;
  Distribution* latency_;
};

// The problems of a scenario's `expect` block against the report's shape: a
// figure the report does not have (with the nearest one), or a group of
// figures where one figure is needed. Empty when every key names a figure.
std::vector<ScenarioError> check_expect_figures(const Scenario& scenario);

}  // namespace hilcap::sim
