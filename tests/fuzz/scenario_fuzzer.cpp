// Fuzz target of the scenario loader: JSON syntax, the schema, the rules in
// code (also over documents the schema refused parts of), the device's own
// validation, the run's limits and the expect block against the report's
// shape, in one pass, i.e. everything `hilcap validate` does. Files a scenario
// names (a replay recording) are served from memory, so no input makes the
// loader touch the disk. Checks that a scenario either loads or is rejected
// with at least one error, never both, and that every message renders.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "fuzz_target.h"
#include "runner/run_report.h"
#include "scenario/scenario_loader.h"

namespace {

using hilcap::sim::FileReader;

// Any file name reads as this small recording (a short and an error frame).
const FileReader& recording_reader() {
  static const FileReader reader = [](const std::filesystem::path&,
                                      std::string&) -> std::optional<std::string> {
    return std::string("# fuzz\n0us\n33ms 100\n66.5ms error\n");
  };
  return reader;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const hilcap::sim::LoadedScenario loaded =
      hilcap::sim::parse_scenario(text, "fuzz.json", "fuzz", recording_reader(),
                                  {.expect_figures = hilcap::sim::check_expect_figures});
  if (loaded.scenario.has_value() == !loaded.errors.empty()) std::abort();
  std::size_t length = 0;
  for (const auto& e : loaded.errors)
    length += e.to_string().size();
  return length == static_cast<std::size_t>(-1) ? 1 : 0;
}
