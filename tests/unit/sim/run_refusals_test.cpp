// Issue 12: `validate` finds every problem `run` refuses, at the same
// pointer. `validate` accepted allocator.frames above device.ring_depth,
// which only `run` refused (KsCreateAllocator on the pin, naming /allocator).
// Here every scenario of a sweep around each limit the run path enforces
// (the pin's framing rules, the allocator's, the device's own validation,
// the pool limit), the shipped scenarios and the scenario fuzz corpus go
// through both `run` and `validate`: `run` refuses exactly what `validate`
// refuses, with the same messages, so no refusal is left to the run path.
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "cli/scenario_runner.h"
#include "ks_policy.h"
#include "scenario/run_limits.h"

namespace hilcap::sim {
namespace {

namespace fs = std::filesystem;

// The loader's ceiling for limits.max_pool_bytes is the KS allocator's own.
static_assert(kKsMaxPoolBytes == kKsPolicy.max_pool_bytes);

fs::path source_dir(const char* variable, const char* fallback) {
  const char* dir = std::getenv(variable);
  return dir != nullptr ? fs::path(dir) : fs::path(fallback);
}

class RunRefusals : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) / ("hilcap-refusals-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    runner_ = make_scenario_runner();
    ASSERT_NE(runner_, nullptr);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Runs `file` and validates it; checks that both refuse it, with the same
  // messages, or neither does. Returns whether it was refused.
  bool refused_alike(const fs::path& file, const std::string& what) {
    std::vector<std::string> validated;
    for (const ScenarioError& e : runner_->validate(file))
      validated.push_back(e.to_string());
    const ScenarioOutcome outcome = runner_->run(file, RunOptions{});
    const bool run_refused = outcome.status == ScenarioOutcome::Status::kInvalid;
    EXPECT_EQ(run_refused, !validated.empty())
        << what << "\nrun: " << (outcome.errors.empty() ? "" : outcome.errors.front())
        << "\nvalidate: " << (validated.empty() ? "" : validated.front());
    if (run_refused) {
      EXPECT_EQ(outcome.errors, validated) << what;
    }
    return run_refused;
  }

  bool refused_alike(const std::string& text) {
    const fs::path file = dir_ / "s.json";
    std::ofstream(file, std::ios::trunc) << text;
    return refused_alike(file, text);
  }

  fs::path dir_;
  std::unique_ptr<ScenarioRunner> runner_;
};

// The capture pin's framing rules (Frames <= ring depth, FrameSize >= one
// frame), the allocator's (alignment masks) and the pool limit, on both
// sides of each bound.
TEST_F(RunRefusals, FramingSweep) {
  int refused = 0;
  int accepted = 0;
  // GREY 16x16: 256-byte frames.
  for (const int depth : {1, 2, 8}) {
    for (int frames = std::max(1, depth - 1); frames <= depth + 1; ++frames) {
      for (const int frame_size : {255, 256, 257}) {
        for (const int alignment : {0, 63, 4095}) {
          const std::string text = fmt::format(
              R"({{"duration_s": 0.01, "device": {{"format": "GREY", "width": 16, "height": 16,
                 "ring_depth": {}}}, "allocator": {{"frames": {}, "frame_size": {},
                 "file_alignment": {}}}, "clients": [{{"name": "c"}}]}})",
              depth, frames, frame_size, alignment);
          (refused_alike(text) ? refused : accepted) += 1;
        }
      }
    }
  }
  // GREY 512x512 (256 KiB frames) around a pool limit of 1 MiB.
  for (const int frames : {3, 4, 5}) {
    const std::string text = fmt::format(
        R"({{"duration_s": 0.01, "device": {{"format": "GREY", "width": 512, "height": 512,
           "ring_depth": 8}}, "allocator": {{"frames": {}}}, "limits": {{"max_pool_bytes": 1048576}}}})",
        frames);
    (refused_alike(text) ? refused : accepted) += 1;
  }
  EXPECT_GT(refused, 0);
  EXPECT_GT(accepted, 0);
}

// The device's own validation, the client and script rules, the real-time
// limit and the event estimate: each refusal is made before the run.
TEST_F(RunRefusals, DeviceClientScriptAndLimits) {
  for (const char* text : {
           R"({"duration_s": 0.01, "device": {"format": "NV12", "width": 641}})",
           R"({"duration_s": 0.01, "device": {"timing": {"fps": 30, "bursts": [
                {"at_frame": 0, "count": 2, "interval_us": 40000}]}}})",
           R"({"duration_s": 0.01, "device": {"timing": {"interval_us": 0.0001}}})",
           R"({"duration_s": 0.01, "device": {"faults": [{"kind": "short", "at_frame": 1,
                "bytes": 99999999}]}})",
           R"({"duration_s": 0.01, "clients": [{"overlapped": false}]})",
           R"({"duration_s": 0.01, "clients": [{"name": "a"}, {"name": "a"}]})",
           R"({"duration_s": 0.01, "script": [{"at_ms": 5, "do": "free", "frame_of": "x"}]})",
           R"({"duration_s": 7200, "clock": "realtime"})",
           R"({"duration_s": 10000000, "device": {"timing": {"fps": 1000000000}}})",
           R"({"duration_s": 0.01, "expect": {"frames.prodused": 1}})",
           R"({"duration_s": 1e309})",
       }) {
    EXPECT_TRUE(refused_alike(text)) << text;
  }
}

// The shipped scenarios, the regression suite and the fuzz corpus: what
// runs, validates; what `run` refuses, `validate` refuses alike. (Real-time
// scenarios are validated only: they would run on the wall clock.)
TEST_F(RunRefusals, ShippedScenariosAndFuzzCorpus) {
  const fs::path configs = source_dir("HILCAP_CONFIGS", "configs");
  std::vector<fs::path> files;
  for (const fs::path& dir : {configs, configs.parent_path() / "tests" / "scenarios",
                              configs.parent_path() / "tests" / "fuzz" / "corpus" / "scenario"}) {
    for (const auto& entry : fs::directory_iterator(dir)) {
      if (entry.path().extension() == ".json") files.push_back(entry.path());
    }
  }
  ASSERT_GT(files.size(), 20u);
  for (const fs::path& file : files) {
    std::stringstream text;
    text << std::ifstream(file).rdbuf();
    if (text.str().find("\"realtime\"") != std::string::npos) continue;
    refused_alike(file, file.string());
  }
}

}  // namespace
}  // namespace hilcap::sim
