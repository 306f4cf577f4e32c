// What a run came to, in the few lines a person reads first (the console
// report opens with it, the HTML report shows it at the top of each run,
// the HTML report's data carry it as JSON):
//   default (configs/default.json): virtual clock, 10.000 s, seed 1
//     frames        300 due, 300 delivered, 300 received, 0 dropped
//     requests      301 ALLOCs: 190 at once, 111 pended; worst pending wait 22.186 ms (p99 21.903
//     ms) expectations  4/4 met
// Read from the report's figures, the scenario's expect block and the
// run's identity; a figure the report does not have (a served camera has no
// requests) leaves its part out.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace hilcap::sim {

// Which run it was: what the report's figures do not say.
struct RunIdentity {
  std::string file;        // the scenario file, as given
  std::string clock;       // "virtual" or "wall"; empty when unknown
  std::string stopped_by;  // why the run ended early ("violation", "SIGINT"...); empty: its end
};

struct RunHeadline {
  std::string scenario;  // the file's name without .json
  RunIdentity identity;
  std::optional<double> duration_s;  // virtual_time_s, or realtime.elapsed_s on the wall clock
  std::optional<std::uint64_t> seed;
  std::optional<std::uint64_t> frames_due;
  std::optional<std::uint64_t> frames_delivered;
  std::optional<std::uint64_t> frames_received;
  std::optional<std::uint64_t> frames_dropped;
  std::vector<std::pair<std::string, std::uint64_t>> dropped_by_reason;  // non-zero ones
  std::optional<std::uint64_t> allocs;  // immediate + pended + refused
  std::uint64_t allocs_immediate = 0;
  std::uint64_t allocs_pended = 0;
  std::optional<double> worst_wait_ms;  // pending_latency_us.max
  std::optional<double> p99_wait_ms;
  // The expect block's keys and the script steps' expectations.
  std::size_t expectations_met = 0;
  std::size_t expectations_total = 0;
};

RunHeadline make_headline(const nlohmann::json& report, const nlohmann::json& expect,
                          const RunIdentity& identity);

// The lines above, each ending in a newline.
std::string headline_text(const RunHeadline& headline);

// {"scenario", "file", "clock", "duration_s", "seed", "frames": {"due",
// "delivered", "received", "dropped", "dropped_by_reason"}, "requests":
// {"allocs", "immediate", "pended", "worst_pending_wait_ms",
// "p99_pending_wait_ms"}, "expectations": {"met", "total"}, "stopped_by"}.
nlohmann::json headline_json(const RunHeadline& headline);

}  // namespace hilcap::sim
