// The scenario layer plugged into the CLI: scenarios loaded and checked by
// scenario_loader, run by run_scenario on their clock and device.
#include "cli/scenario_runner.h"
#include "runner/run_report.h"
#include "runner/scenario_run.h"
#include "scenario/scenario_loader.h"
#include "scenario/scenario_overrides.h"

namespace hilcap::sim {
namespace {

class ScenarioLayerRunner final : public ScenarioRunner {
 public:
  std::filesystem::path default_scenario() const override { return HILCAP_DEFAULT_SCENARIO; }

  std::vector<ScenarioError> validate(const std::filesystem::path& file) override {
    return load_scenario(file, disk_file_reader(), {.expect_figures = check_expect_figures}).errors;
  }

  ScenarioOutcome run(const std::filesystem::path& file, const RunOptions& options) override {
    // --set / a sweep's point: the scenario file is read with its values
    // changed; the files it names are read as they are.
    const FileReader disk = disk_file_reader();
    const FileReader reader =
        options.overrides.empty()
            ? disk
            : FileReader([&](const std::filesystem::path& path,
                             std::string& error) -> std::optional<std::string> {
                std::optional<std::string> text = disk(path, error);
                if (!text || path != file) return text;
                return apply_overrides(*text, options.overrides, error);
              });
    LoadedScenario loaded = load_scenario(file, reader,
                                          {.realtime = options.realtime,
                                           .allow_long_run = options.allow_long_run,
                                           .expect_figures = check_expect_figures});
    // The DMA ring carries uncompressed frames only; MJPEG is a USB camera's.
    if (loaded.scenario && loaded.scenario->uvc.mjpeg) {
      loaded.errors.push_back({ScenarioError::Kind::kValue, file.string(), "/device/format",
                               "YUY2, NV12 or GREY for the DMA-ring device of `hilcap run` and "
                               "`hilcap test` (MJPEG is served over USB only: `hilcap serve`)",
                               "\"MJPEG\""});
      loaded.scenario.reset();
    }
    if (!loaded.scenario) {
      ScenarioOutcome outcome;
      outcome.status = ScenarioOutcome::Status::kInvalid;
      for (const ScenarioError& e : loaded.errors)
        outcome.errors.push_back(e.to_string());
      return outcome;
    }
    return run_scenario(std::move(*loaded.scenario), options);
  }
};

}  // namespace

std::unique_ptr<ScenarioRunner> make_scenario_runner() {
  return std::make_unique<ScenarioLayerRunner>();
}

}  // namespace hilcap::sim
