// Real-time runs (`hilcap run --realtime`): device, host completion path and
// clients on their own threads. Behaviour only, never speed: every request
// ends exactly once, frames are conserved, the report is written, and the run
// stops cleanly at its end, under a cancel storm and on SIGINT.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>

#include "cli/cli.h"
#include "cli/scenario_runner.h"
#include "runner/interrupt_signal.h"

namespace hilcap::sim {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using Json = nlohmann::json;

class RealtimeRun : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           ("hilcap-realtime-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
    runner_ = make_scenario_runner();
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path write(const std::string& name, const Json& scenario) {
    const fs::path file = dir_ / name;
    std::ofstream(file) << scenario.dump(2);
    return file;
  }

  ScenarioOutcome run(const fs::path& file, bool realtime_flag = true) {
    RunOptions options;
    options.realtime = realtime_flag;
    return runner_->run(file, options);
  }

  // Every ALLOC that pended ended once: completed, cancelled, failed, or was
  // still pending at the stop and then cancelled by the close.
  static void expect_every_request_ended_once(const Json& r) {
    const Json& q = r["requests"];
    EXPECT_EQ(q["pended"].get<std::uint64_t>(),
              q["completed"].get<std::uint64_t>() + q["cancelled"].get<std::uint64_t>() +
                  q["failed"].get<std::uint64_t>() + q["pending_at_end"].get<std::uint64_t>())
        << r.dump(2);
    EXPECT_EQ(r["realtime"]["cancelled_at_stop"], q["pending_at_end"]);
    EXPECT_EQ(r["realtime"]["pending_after_stop"], 0);
  }
  // Every frame due was delivered, dropped or still on its way at the stop;
  // every frame the clients received came from the host.
  static void expect_frames_conserved(const Json& r) {
    const Json& f = r["frames"];
    EXPECT_EQ(f["due"].get<std::uint64_t>(), f["delivered"].get<std::uint64_t>() +
                                                 f["dropped"]["total"].get<std::uint64_t>() +
                                                 f["in_flight_at_end"].get<std::uint64_t>())
        << r.dump(2);
    EXPECT_LE(f["received"].get<std::uint64_t>(), f["delivered"].get<std::uint64_t>());
  }

  fs::path dir_;
  std::unique_ptr<ScenarioRunner> runner_;
};

Json short_stream() {
  return Json{
      {"duration_s", 0.3},
      {"device", {{"timing", {{"fps", 200}}}, {"payload", "header-only"}}},
      {"clients", Json::array({Json{{"name", "fast"}, {"outstanding", 2}},
                               Json{{"name", "slow"}, {"hold", 3}, {"think", 1}}})},
  };
}

// A short real-time run ends by itself, every request ends once, frames are
// conserved and the real-time figures are there.
TEST_F(RealtimeRun, ShortRunConservesFramesAndEndsEveryRequestOnce) {
  const ScenarioOutcome outcome = run(write("short.json", short_stream()));
  ASSERT_EQ(outcome.status, ScenarioOutcome::Status::kCompleted)
      << (outcome.errors.empty() ? "" : outcome.errors.front());
  const Json r = outcome.report.to_json(WallTime::kOmit);
  expect_every_request_ended_once(r);
  expect_frames_conserved(r);
  EXPECT_GT(r["frames"]["received"].get<std::uint64_t>(), 0U);
  EXPECT_EQ(r["realtime"]["stopped_by"], "end");
  EXPECT_GT(r["realtime"]["frame_lateness_us"]["count"].get<std::uint64_t>(), 0U);
  EXPECT_TRUE(r["realtime"].contains("pending_completion_latency_us"));
  for (const char* thread : {"device", "host"})
    EXPECT_TRUE(r["realtime"]["cpu_s"].contains(thread)) << thread;
  EXPECT_TRUE(r["realtime"]["cpu_s"]["clients"].contains("fast"));
  EXPECT_TRUE(r["realtime"]["cpu_s"]["clients"].contains("slow"));
}

// Sequence gaps equal drops is checked in real time again, where the
// allocator hands frames out (clients on their own threads see them in
// another order): a device starved by slow clients drops frames and the run
// has no violation; the trace is on the wall clock and says so.
TEST_F(RealtimeRun, DropsInRealTimeKeepSequenceGapsEqualToDrops) {
  const Json scenario{
      {"duration_s", 0.3},
      {"allocator", {{"frames", 2}}},
      {"device", {{"timing", {{"fps", 200}}}, {"payload", "header-only"}}},
      {"clients", Json::array({Json{{"name", "slow"}, {"count", 2}, {"hold", 20}},
                               Json{{"name", "quick"}, {"outstanding", 2}, {"hold", 1}}})},
  };
  RunOptions options;
  options.realtime = true;
  options.trace = dir_ / "realtime.trace.json";
  const ScenarioOutcome outcome = runner_->run(write("drops.json", scenario), options);
  ASSERT_EQ(outcome.status, ScenarioOutcome::Status::kCompleted)
      << (outcome.errors.empty() ? "" : outcome.errors.front());
  const Json r = outcome.report.to_json(WallTime::kOmit);
  EXPECT_GT(r["frames"]["dropped"]["by_reason"]["starvation"].get<std::uint64_t>(), 0U);
  expect_frames_conserved(r);
  const Json trace = Json::parse(std::ifstream(options.trace));
  EXPECT_EQ(trace["otherData"]["clock"], "wall");
}

// "clock": "realtime" in the scenario selects the wall clock without the flag.
TEST_F(RealtimeRun, ScenarioClockSelectsRealtime) {
  Json scenario = short_stream();
  scenario["clock"] = "realtime";
  scenario["duration_s"] = 0.1;
  const ScenarioOutcome outcome = run(write("clock.json", scenario), /*realtime_flag=*/false);
  ASSERT_EQ(outcome.status, ScenarioOutcome::Status::kCompleted);
  EXPECT_TRUE(outcome.report.to_json(WallTime::kOmit).contains("realtime"));
}

// A real-time run longer than an hour is refused at /duration_s.
TEST_F(RealtimeRun, OverlongRealtimeScenarioIsRejected) {
  Json scenario = short_stream();
  scenario["clock"] = "realtime";
  scenario["duration_s"] = 3601;
  const std::vector<ScenarioError> errors = runner_->validate(write("long.json", scenario));
  ASSERT_EQ(errors.size(), 1U);
  EXPECT_THAT(errors.front().to_string(), HasSubstr("/duration_s"));
  EXPECT_THAT(errors.front().to_string(), HasSubstr("3600 s"));
}

// Many clients cancelling their pending ALLOCs while completions race them:
// no request ends twice, nothing is left pending, the run stops cleanly.
TEST_F(RealtimeRun, CancelStormShutsDownCleanly) {
  const Json scenario{
      {"duration_s", 0.3},
      {"device", {{"timing", {{"fps", 100}}}, {"payload", "header-only"}}},
      {"clients", Json::array({Json{{"name", "storm"},
                                    {"count", 4},
                                    {"outstanding", 4},
                                    {"cancel_after_ms", 0.2},
                                    {"think", 0.1},
                                    {"hold", 0.5}}})},
  };
  const ScenarioOutcome outcome = run(write("storm.json", scenario));
  ASSERT_EQ(outcome.status, ScenarioOutcome::Status::kCompleted)
      << (outcome.errors.empty() ? "" : outcome.errors.front());
  const Json r = outcome.report.to_json(WallTime::kOmit);
  expect_every_request_ended_once(r);
  expect_frames_conserved(r);
  EXPECT_GT(r["requests"]["cancelled"].get<std::uint64_t>(), 0U);
}

// SIGINT in the middle of a run stops it: threads joined, every request
// ended, and `hilcap run --realtime --report` still writes the report and
// exits with the interrupted status, 130 (as capture and a virtual-time run).
TEST_F(RealtimeRun, SigintStopsTheRunAndTheReportIsStillWritten) {
  Json scenario = short_stream();
  scenario["duration_s"] = 60;
  const fs::path file = write("long.json", scenario);
  const fs::path report = dir_ / "report.json";

  std::thread interrupter([] {
    while (!InterruptSignal::catching())
      std::this_thread::yield();
    // Into the run, not at its first instant (placement, not a timing check).
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    std::raise(SIGINT);
  });
  std::ostringstream out;
  std::ostringstream err;
  CliContext context = process_cli_context(runner_.get());
  context.out = &out;
  context.err = &err;
  const std::string scenario_arg = file.string();
  const std::string report_arg = report.string();
  const char* argv[] = {"hilcap",          "run", "--realtime", scenario_arg.c_str(), "--report",
                        report_arg.c_str()};
  const int status = run_cli(6, argv, context);
  interrupter.join();

  EXPECT_EQ(status, 130);
  EXPECT_THAT(err.str(), HasSubstr("interrupted by SIGINT"));
  ASSERT_TRUE(fs::exists(report));
  const Json r = Json::parse(std::ifstream(report));
  EXPECT_EQ(r["realtime"]["stopped_by"], "SIGINT");
  EXPECT_LT(r["virtual_time_s"].get<double>(), 60.0);
  expect_every_request_ended_once(r);
  expect_frames_conserved(r);
  EXPECT_FALSE(InterruptSignal::catching());
}

}  // namespace
}  // namespace hilcap::sim
