// Issue 12: loading a scenario is linear in its size. `hilcap validate` of
// a script of 100,000 steps (the schema's maximum) took 9.6 s, and about 15
// minutes for 10^6: the JSON reader rescanned the parent array on every
// closing brace. Now it builds the document from the parser's events.
//
// Measured here, in one process, each repeat running every variant once in
// a rotating order (harness.h):
//   - everything `hilcap validate` does (syntax, schema, rules, limits, the
//     expect block's figure names) on a 100,000-step script;
//   - the same on a 10,000-step script, ten times: linear loading makes the
//     two equal (ratio ~1), quadratic loading made the first ~10x longer;
//   - a plain nlohmann::json::parse of the 100,000-step text: the floor.
// Usage: validate_bench [repeats].
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>

#include "harness.h"
#include "runner/run_report.h"
#include "scenario/scenario_loader.h"

namespace {

using namespace hilcap;
using namespace hilcap::sim;

// A script of `steps` steps of every kind that needs no device state: allocs
// with a completion window, frees of them, pin state changes and dropped
// frame reads with expectations, 0.05 ms apart.
std::string script_scenario(int steps) {
  nlohmann::json script = nlohmann::json::array();
  for (int i = 0; i < steps; ++i) {
    const double at_ms = i * 0.05;
    switch (i % 4) {
      case 0:
        script.push_back({{"at_ms", at_ms},
                          {"do", "alloc"},
                          {"id", "a" + std::to_string(i)},
                          {"expect", {{"status", "STATUS_PENDING"}}}});
        break;
      case 1:
        script.push_back(
            {{"at_ms", at_ms}, {"do", "free"}, {"frame_of", "a" + std::to_string(i - 1)}});
        break;
      case 2:
        script.push_back({{"at_ms", at_ms}, {"do", "set_state"}, {"state", "run"}});
        break;
      default:
        script.push_back({{"at_ms", at_ms},
                          {"do", "dropped_frames"},
                          {"expect", {{"picture_number", 0}, {"drop_count", 0}}}});
        break;
    }
  }
  const nlohmann::json doc = {{"duration_s", 10},
                              {"clients", {{{"name", "reader"}}}},
                              {"script", script},
                              {"expect", {{"frames.delivered", {{"min", 1}}}}}};
  return doc.dump(1);
}

double seconds_to_validate(const std::string& text, int times) {
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < times; ++i) {
    LoadedScenario loaded = parse_scenario(text, "bench.json", ".", disk_file_reader(),
                                           {.expect_figures = check_expect_figures});
    if (!loaded.scenario) {
      for (const auto& e : loaded.errors)
        std::fprintf(stderr, "%s\n", e.to_string().c_str());
      std::exit(2);
    }
    bench::keep(loaded.scenario->script.size());
  }
  return bench::seconds_since(start);
}

}  // namespace

int main(int argc, char** argv) {
  const int repeats = argc > 1 ? std::atoi(argv[1]) : 5;
  const std::string large = script_scenario(100'000);
  const std::string small = script_scenario(10'000);
  std::printf("100,000-step scenario: %zu bytes; 10,000-step: %zu bytes\n", large.size(),
              small.size());

  bench::Suite suite("Validating a scenario of 100,000 script steps", "seconds", repeats);
  suite.add("validate 100000 steps", [&] { return seconds_to_validate(large, 1); });
  suite.add("validate 10000 steps x10", [&] { return seconds_to_validate(small, 10); });
  suite.add("json parse 100000 steps", [&] {
    const auto start = std::chrono::steady_clock::now();
    bench::keep(nlohmann::json::parse(large).size());
    return bench::seconds_since(start);
  });
  // Linear: ten times the steps cost ten times as much, no more.
  suite.compare({"validate 100000 steps", "validate 10000 steps x10", 1.5, true});
  suite.compare({"validate 100000 steps", "json parse 100000 steps", 0, true});
  suite.run();
  return suite.print() ? 0 : 1;
}
