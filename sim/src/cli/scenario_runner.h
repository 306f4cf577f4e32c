// What the `hilcap` CLI needs from the scenario layer, and the one function
// the integration provides to plug it in (make_scenario_runner, defined in
// sim/src/runner/). The CLI does the rest generically: argument parsing,
// progress and summary output, --report files, expectations, `test` suites
// with sharding and JUnit XML.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "report/report.h"
#include "scenario/scenario_error.h"

namespace hilcap::sim {

struct RunOptions {
  std::optional<std::uint64_t> seed;  // overrides the scenario's seed
  std::filesystem::path trace;        // Chrome trace to write; empty for none
  bool progress = false;              // progress line allowed (drawn only on a terminal)
  bool realtime = false;              // on the wall clock, whatever the scenario's "clock"
  bool allow_long_run = false;        // past the event estimate's bound (limits.max_events)
  // Ends the run once the clients received this many frames; 0: no limit
  // (hilcap capture --frames).
  std::uint64_t frame_limit = 0;
  // A camera run writes every frame's time there, in the replay format of
  // "device": {"timing": {"replay": ...}}; empty: nowhere (hilcap capture
  // --record-timing).
  std::filesystem::path record_timing;
};

struct ScenarioOutcome {
  enum class Status {
    kCompleted,  // ran to its end
    kInvalid,    // rejected before anything ran
    kStopped,    // stopped early, e.g. on an invariant violation
  };
  Status status = Status::kCompleted;
  // kInvalid: one per problem (ScenarioError::to_string()); kStopped: what
  // stopped the run (the event, the virtual time and the state).
  std::vector<std::string> errors;
  // kInvalid because the device could not be opened or started (a camera
  // not plugged in, no permission, a format not offered): the environment,
  // not the scenario (exit status 2).
  bool device_unavailable = false;
  // What was opened, for a person (a camera's negotiated stream), printed
  // before the report.
  std::vector<std::string> notes;
  // Why the run ended: "end", "SIGINT", "SIGTERM", "violation", "frames" (a
  // frame limit) or "device_gone".
  std::string stopped_by;
  // An output the run writes (the trace, a camera's timing recording) could
  // not be written, one message each naming the file and the reason: an
  // output error (exit status 2), never a failed expectation. With kInvalid:
  // the trace could not be opened, and nothing ran.
  std::vector<std::string> output_errors;
  // kCompleted or kStopped: expectations of the scenario's script steps that
  // were not met, one message each naming the step, what was expected and
  // what happened. Any of them fails the scenario.
  std::vector<std::string> failures;
  // What was measured: the whole run, or up to the stop. The CLI sets
  // wall_time_s.
  Report report;
  // The scenario's expect block (null when it has none); the CLI checks it.
  nlohmann::json expect;
};

class ScenarioRunner {
 public:
  virtual ~ScenarioRunner() = default;

  // The scenario `hilcap run` uses when none is given.
  virtual std::filesystem::path default_scenario() const = 0;
  // Every check `run` makes before it runs (schema, rules, limits, the
  // expect block's figure names), without running; empty when valid.
  virtual std::vector<ScenarioError> validate(const std::filesystem::path& scenario) = 0;
  // Validates and runs one scenario: in virtual time, or on the wall clock
  // (options.realtime or the scenario's "clock": "realtime").
  virtual ScenarioOutcome run(const std::filesystem::path& scenario, const RunOptions& options) = 0;
};

// The scenario layer of this build; null while there is none, and then the
// commands that need it say so and fail.
std::unique_ptr<ScenarioRunner> make_scenario_runner();

}  // namespace hilcap::sim
