#include "cli/cli.h"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/property_tree/ptree.hpp>
#include <boost/property_tree/xml_parser.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli/argument_checks.h"
#include "cli/junit_xml.h"
#include "cli/test_command.h"

namespace hilcap::sim {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

// Behaves according to the scenario's file stem: "pass*", "miss*" (expectation
// not met), "stepmiss*" (a script step's expectation not met), "invalid*",
// "stopped*", "throws*", "outputerror*" (a trace asked for could not be written);
// records every call.
class FakeRunner : public ScenarioRunner {
 public:
  fs::path default_scenario() const override { return "default.json"; }

  std::vector<ScenarioError> validate(const fs::path& scenario) override {
    validated.push_back(scenario.filename().string());
    if (!scenario.stem().string().starts_with("invalid")) return {};
    return {{ScenarioError::Kind::kValue, scenario.string(), "/device/timing/fps", "a number > 0",
             "\"abc\""},
            {ScenarioError::Kind::kValue, scenario.string(), "/seed", "an integer >= 0", "-1"}};
  }

  ScenarioOutcome run(const fs::path& scenario, const RunOptions& options) override {
    ran.push_back(scenario.filename().string());
    last_options = options;
    const std::string stem = scenario.stem().string();
    ScenarioOutcome outcome;
    if (stem.starts_with("throws")) throw std::runtime_error("boom");
    if (stem.starts_with("invalid")) {
      outcome.status = ScenarioOutcome::Status::kInvalid;
      for (const auto& e : validate(scenario))
        outcome.errors.push_back(e.to_string());
      return outcome;
    }
    outcome.report.counter("frames.delivered") = 300;
    outcome.report.set("seed", options.seed.value_or(1));
    outcome.expect = {{"frames.delivered", stem.starts_with("miss") ? 301 : 300}};
    if (stem.starts_with("stepmiss")) {
      outcome.failures.push_back(
          "/script/2 (alloc \"a1\" at 100 ms): expected STATUS_PENDING, got STATUS_SUCCESS");
    }
    if (stem.starts_with("stopped")) {
      outcome.status = ScenarioOutcome::Status::kStopped;
      outcome.errors.push_back("conservation violated at t=1.5 s after event \"free <frame 3>\"");
    }
    if (stem.starts_with("outputerror") && !options.trace.empty()) {
      outcome.output_errors.push_back(
          "--trace /dev/full: writing the trace failed: No space left on device");
    }
    return outcome;
  }

  std::vector<std::string> validated;
  std::vector<std::string> ran;
  RunOptions last_options;
};

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           ("hilcap-cli-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "suite" / "nested");
    context_.runner = &runner_;
    context_.out = &out_;
    context_.err = &err_;
    context_.getenv = [this](const char* name) -> const char* {
      const auto it = env_.find(name);
      return it == env_.end() ? nullptr : it->second.c_str();
    };
    context_.wall_seconds = [this] { return clock_ += 0.25; };
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path make_suite(const std::vector<std::string>& names) {
    for (const auto& name : names)
      std::ofstream(dir_ / "suite" / name) << "{}";
    std::ofstream(dir_ / "suite" / "README.txt") << "not a scenario";
    std::ofstream(dir_ / "suite" / "nested" / "deeper.json") << "{}";
    return dir_ / "suite";
  }

  int cli(std::vector<std::string> args) {
    args.insert(args.begin(), "hilcap");
    std::vector<const char*> argv;
    for (const auto& a : args)
      argv.push_back(a.c_str());
    return run_cli(static_cast<int>(argv.size()), argv.data(), context_);
  }

  std::vector<std::string> out_lines() const {
    std::vector<std::string> lines;
    std::istringstream in(out_.str());
    for (std::string line; std::getline(in, line);)
      lines.push_back(line);
    return lines;
  }

  fs::path dir_;
  FakeRunner runner_;
  std::ostringstream out_;
  std::ostringstream err_;
  std::map<std::string, std::string> env_;
  double clock_ = 0;
  CliContext context_;
};

// `test` runs a directory's *.json in name order, one line each, then the closing count line.
TEST_F(CliTest, TestCommandReportsEachScenarioAndTotals) {
  const fs::path suite = make_suite({"pass-b.json", "miss-a.json", "pass-a.json", "invalid.json"});
  EXPECT_EQ(cli({"test", suite.string()}), kExitFailed);
  const std::string s = suite.generic_string();
  EXPECT_THAT(
      out_lines(),
      ElementsAre("FAIL " + s + "/invalid.json: " + s +
                      "/invalid.json: at /device/timing/fps: expected a number > 0, found \"abc\"",
                  "     " + s + "/invalid.json: at /seed: expected an integer >= 0, found -1",
                  "FAIL " + s + "/miss-a.json: frames.delivered: expected exactly 301, found 300",
                  "PASS " + s + "/pass-a.json (0.25 s)", "PASS " + s + "/pass-b.json (0.25 s)",
                  "2 passed, 2 failed"));
}

// All passing scenarios exit 0; a stopped run and a throwing runner count as failures, not crashes.
TEST_F(CliTest, TestCommandExitStatusAndRobustness) {
  const fs::path suite = make_suite({"pass-1.json", "pass-2.json"});
  EXPECT_EQ(cli({"test", suite.string()}), kExitOk);
  EXPECT_EQ(out_lines().back(), "2 passed, 0 failed");
  out_.str("");
  std::ofstream(suite / "stopped.json") << "{}";
  std::ofstream(suite / "throws.json") << "{}";
  EXPECT_EQ(cli({"test", suite.string()}), kExitFailed);
  EXPECT_THAT(out_.str(), HasSubstr("stopped.json: run stopped: conservation violated"));
  EXPECT_THAT(out_.str(), HasSubstr("throws.json: internal error: boom"));
  EXPECT_EQ(out_lines().back(), "2 passed, 2 failed");
}

// A script step's missed expectation fails the scenario in `test` and `run`,
// naming the step, even when every figure is as expected.
TEST_F(CliTest, StepExpectationFailuresFailTheScenario) {
  const fs::path suite = make_suite({"stepmiss.json"});
  EXPECT_EQ(cli({"test", suite.string()}), kExitFailed);
  EXPECT_THAT(out_lines(),
              ElementsAre("FAIL " + suite.generic_string() +
                              "/stepmiss.json: step expectation not met: /script/2 (alloc \"a1\" "
                              "at 100 ms): expected STATUS_PENDING, got STATUS_SUCCESS",
                          "0 passed, 1 failed"));
  out_.str("");
  EXPECT_EQ(cli({"run", (suite / "stepmiss.json").string()}), kExitFailed);
  EXPECT_THAT(out_.str(), HasSubstr("step expectation not met: /script/2 (alloc \"a1\" at 100 "
                                    "ms): expected STATUS_PENDING, got STATUS_SUCCESS\n"));
}

// Files given explicitly keep argument order, before/after directories as given.
TEST_F(CliTest, ExpandKeepsArgumentOrderAndSortsDirectories) {
  const fs::path suite = make_suite({"c.json", "a.json", "b.json"});
  std::string error;
  const auto files = expand_scenario_paths({suite / "c.json", suite}, error);
  ASSERT_TRUE(files) << error;
  std::vector<std::string> names;
  for (const auto& f : *files)
    names.push_back(f.filename().string());
  EXPECT_THAT(names, ElementsAre("c.json", "a.json", "b.json", "c.json"));
  EXPECT_FALSE(expand_scenario_paths({dir_ / "missing"}, error));
  EXPECT_THAT(error, HasSubstr("missing: no such file or directory"));
  EXPECT_FALSE(expand_scenario_paths({suite / "nested" / ".." / "nested" / "empty"}, error));
}

// Scenario i runs on shard i % total; the shards together run each scenario exactly once.
TEST_F(CliTest, ShardingSplitsTheSuiteAcrossShards) {
  const fs::path suite =
      make_suite({"pass-0.json", "pass-1.json", "pass-2.json", "pass-3.json", "pass-4.json"});
  std::vector<std::string> everything;
  for (int index = 0; index < 3; ++index) {
    runner_.ran.clear();
    out_.str("");
    env_ = {{"GTEST_TOTAL_SHARDS", "3"}, {"GTEST_SHARD_INDEX", std::to_string(index)}};
    EXPECT_EQ(cli({"test", suite.string()}), kExitOk);
    if (index == 1) {
      EXPECT_THAT(runner_.ran, ElementsAre("pass-1.json", "pass-4.json"));
      EXPECT_EQ(out_lines().front(), "shard 2 of 3: 2 of 5 scenarios");
      EXPECT_EQ(out_lines().back(), "2 passed, 0 failed");
    }
    everything.insert(everything.end(), runner_.ran.begin(), runner_.ran.end());
  }
  std::sort(everything.begin(), everything.end());
  EXPECT_THAT(everything, ElementsAre("pass-0.json", "pass-1.json", "pass-2.json", "pass-3.json",
                                      "pass-4.json"));
}

// A shard that gets no scenario still prints the closing line and succeeds.
TEST_F(CliTest, EmptyShardSucceeds) {
  const fs::path suite = make_suite({"pass-0.json"});
  env_ = {{"GTEST_TOTAL_SHARDS", "4"}, {"GTEST_SHARD_INDEX", "3"}};
  EXPECT_EQ(cli({"test", suite.string()}), kExitOk);
  EXPECT_TRUE(runner_.ran.empty());
  EXPECT_EQ(out_lines().back(), "0 passed, 0 failed");
}

// Inconsistent or malformed sharding variables are an error, as in GoogleTest.
TEST_F(CliTest, InvalidShardEnvironmentIsAnError) {
  const fs::path suite = make_suite({"pass-0.json"});
  const std::vector<std::map<std::string, std::string>> bad = {
      {{"GTEST_SHARD_INDEX", "0"}},
      {{"GTEST_TOTAL_SHARDS", "2"}},
      {{"GTEST_TOTAL_SHARDS", "2"}, {"GTEST_SHARD_INDEX", "2"}},
      {{"GTEST_TOTAL_SHARDS", "0"}, {"GTEST_SHARD_INDEX", "0"}},
      {{"GTEST_TOTAL_SHARDS", "two"}, {"GTEST_SHARD_INDEX", "0"}},
      {{"GTEST_TOTAL_SHARDS", "2"}, {"GTEST_SHARD_INDEX", "-1"}},
  };
  for (const auto& env : bad) {
    env_ = env;
    err_.str("");
    EXPECT_EQ(cli({"test", suite.string()}), kExitUsage);
    EXPECT_THAT(err_.str(), HasSubstr("invalid sharding"));
  }
  EXPECT_TRUE(runner_.ran.empty());
}

// A runner that supports sharding touches GTEST_SHARD_STATUS_FILE.
TEST_F(CliTest, TouchesShardStatusFile) {
  const fs::path suite = make_suite({"pass-0.json"});
  const fs::path status = dir_ / "shard-status";
  env_ = {{"GTEST_SHARD_STATUS_FILE", status.string()}};
  EXPECT_EQ(cli({"test", suite.string()}), kExitOk);
  EXPECT_TRUE(fs::exists(status));
}

// --junit writes well-formed XML with counts, per-case verdicts and escaped messages.
TEST_F(CliTest, JunitXmlIsWellFormedWithVerdicts) {
  const fs::path suite = make_suite({"pass.json", "miss.json", "invalid.json"});
  const fs::path junit = dir_ / "results.xml";
  EXPECT_EQ(cli({"test", suite.string(), "--junit", junit.string()}), kExitFailed);
  boost::property_tree::ptree xml;
  ASSERT_NO_THROW(boost::property_tree::read_xml(junit.string(), xml));
  const auto& testsuite = xml.get_child("testsuites.testsuite");
  EXPECT_EQ(testsuite.get<int>("<xmlattr>.tests"), 3);
  EXPECT_EQ(testsuite.get<int>("<xmlattr>.failures"), 1);
  EXPECT_EQ(testsuite.get<int>("<xmlattr>.errors"), 1);
  std::map<std::string, std::string> verdicts;
  for (const auto& [tag, node] : testsuite) {
    if (tag != "testcase") continue;
    const std::string name = node.get<std::string>("<xmlattr>.name");
    EXPECT_EQ(node.get<std::string>("<xmlattr>.time"), "0.250");
    verdicts[name] =
        node.count("failure") ? "failure: " + node.get<std::string>("failure.<xmlattr>.message")
        : node.count("error") ? "error: " + node.get<std::string>("error.<xmlattr>.message")
                              : "passed";
  }
  EXPECT_EQ(verdicts["pass"], "passed");
  EXPECT_EQ(verdicts["miss"], "failure: frames.delivered: expected exactly 301, found 300");
  EXPECT_THAT(verdicts["invalid"], HasSubstr("error: "));
  EXPECT_THAT(verdicts["invalid"], HasSubstr("found \"abc\""));  // quotes survived escaping
}

// Markup and control characters in names and messages cannot break the XML.
TEST(JunitXml, EscapesMarkupAndControlCharacters) {
  EXPECT_EQ(xml_escape("a<b>&\"c\"'\n\x01"), "a&lt;b&gt;&amp;&quot;c&quot;&apos;&#10;\xEF\xBF\xBD");
  const std::string xml = junit_xml("suite <1>", {{"dir/x&y.json",
                                                   ScenarioResult::Verdict::kFailed,
                                                   1.5,
                                                   {"p99 < 5 & \"so\"", "second\x02line"}}});
  std::istringstream in(xml);
  boost::property_tree::ptree tree;
  ASSERT_NO_THROW(boost::property_tree::read_xml(in, tree));
  EXPECT_EQ(tree.get<std::string>("testsuites.testsuite.<xmlattr>.name"), "suite <1>");
  EXPECT_EQ(tree.get<std::string>("testsuites.testsuite.testcase.<xmlattr>.name"), "x&y");
  EXPECT_EQ(tree.get<std::string>("testsuites.testsuite.testcase.<xmlattr>.classname"), "dir");
  EXPECT_EQ(tree.get<std::string>("testsuites.testsuite.testcase.failure.<xmlattr>.message"),
            "p99 < 5 & \"so\"");
}

// `run` prints the summary, writes the report (optionally without wall time) and checks
// expectations.
TEST_F(CliTest, RunWritesReportAndChecksExpectations) {
  const fs::path report = dir_ / "report.json";
  EXPECT_EQ(
      cli({"run", "pass.json", "--seed", "7", "--report", report.string(), "--trace", "t.json"}),
      kExitOk);
  EXPECT_THAT(runner_.ran, ElementsAre("pass.json"));
  EXPECT_EQ(runner_.last_options.seed, 7u);
  EXPECT_EQ(runner_.last_options.trace, "t.json");
  EXPECT_THAT(out_.str(), HasSubstr("frames.delivered"));
  EXPECT_THAT(out_.str(), HasSubstr("expectations: all 1 met"));
  std::stringstream written;
  written << std::ifstream(report).rdbuf();
  EXPECT_THAT(written.str(), HasSubstr("\"wall_time_s\": 0.25"));
  EXPECT_THAT(written.str(), HasSubstr("\"seed\": 7"));

  EXPECT_EQ(cli({"run", "pass.json", "--report", report.string(), "--no-wall-time"}), kExitOk);
  std::stringstream deterministic;
  deterministic << std::ifstream(report).rdbuf();
  EXPECT_EQ(deterministic.str(),
            "{\n  \"frames\": {\n    \"delivered\": 300\n  },\n  \"seed\": 1\n}\n");
}

// `run` without a scenario uses the runner's default; a missed expectation or a stop exits 1.
TEST_F(CliTest, RunDefaultScenarioAndFailures) {
  EXPECT_EQ(cli({"run"}), kExitOk);
  EXPECT_THAT(runner_.ran, ElementsAre("default.json"));
  EXPECT_FALSE(runner_.last_options.seed.has_value());
  EXPECT_EQ(cli({"run", "miss.json"}), kExitFailed);
  EXPECT_THAT(out_.str(),
              HasSubstr("expectation not met: frames.delivered: expected exactly 301, found 300"));
  EXPECT_EQ(cli({"run", "stopped.json"}), kExitFailed);
  EXPECT_THAT(err_.str(), HasSubstr("run stopped: conservation violated"));
  EXPECT_EQ(cli({"run", "invalid.json"}), kExitFailed);
  EXPECT_THAT(err_.str(), HasSubstr("invalid.json: at /seed: expected an integer >= 0, found -1"));
}

// `validate` prints OK per valid file and every error of invalid ones, exit 1 if any is invalid.
TEST_F(CliTest, ValidateReportsEveryFile) {
  EXPECT_EQ(cli({"validate", "pass.json", "invalid.json", "pass2.json"}), kExitFailed);
  EXPECT_THAT(runner_.validated, ElementsAre("pass.json", "invalid.json", "pass2.json"));
  EXPECT_EQ(out_.str(), "OK pass.json\nOK pass2.json\n");
  EXPECT_EQ(err_.str(),
            "invalid.json: at /device/timing/fps: expected a number > 0, found \"abc\"\n"
            "invalid.json: at /seed: expected an integer >= 0, found -1\n");
  EXPECT_EQ(cli({"validate", "pass.json"}), kExitOk);
}

// Without a scenario runner every command fails clearly instead of pretending.
TEST_F(CliTest, NoRunnerFailsClearly) {
  context_.runner = nullptr;
  EXPECT_EQ(cli({"run"}), kExitUsage);
  EXPECT_EQ(cli({"validate", "x.json"}), kExitUsage);
  EXPECT_EQ(cli({"test", "x.json"}), kExitUsage);
  EXPECT_THAT(err_.str(), HasSubstr("hilcap run: this build has no scenario runner"));
  EXPECT_THAT(err_.str(), HasSubstr("hilcap test: this build has no scenario runner"));
}

// --help lists the commands and exits 0; unknown options and missing arguments exit 2.
TEST_F(CliTest, HelpAndUsageErrors) {
  EXPECT_EQ(cli({"--help"}), kExitOk);
  EXPECT_THAT(out_.str(), HasSubstr("run"));
  EXPECT_THAT(out_.str(), HasSubstr("validate"));
  EXPECT_THAT(out_.str(), HasSubstr("Exit status"));
  out_.str("");
  EXPECT_EQ(cli({"test", "--help"}), kExitOk);
  EXPECT_THAT(out_.str(), HasSubstr("GTEST_TOTAL_SHARDS"));
  EXPECT_EQ(cli({}), kExitUsage);
  EXPECT_EQ(cli({"run", "--bogus"}), kExitUsage);
  EXPECT_EQ(cli({"validate"}), kExitUsage);
  EXPECT_EQ(cli({"run", "--seed", "abc"}), kExitUsage);
  EXPECT_TRUE(runner_.ran.empty());
}

// Issue 12: an unknown command said "A subcommand is required" without
// naming the word; it names it, with the nearest command or the list.
TEST_F(CliTest, UnknownCommandIsNamedWithWhatWasMeant) {
  EXPECT_EQ(cli({"frobnicate"}), kExitUsage);
  EXPECT_THAT(err_.str(), HasSubstr("hilcap: unknown command 'frobnicate'; did you mean one of: "
                                    "run, validate, test, devices, capture"));
  err_.str("");
  EXPECT_EQ(cli({"valdate", "x.json"}), kExitUsage);
  EXPECT_THAT(err_.str(), HasSubstr("hilcap: unknown command 'valdate'; did you mean 'validate'?"));
  EXPECT_TRUE(runner_.validated.empty());
  EXPECT_EQ(cli({"validate", "pass.json"}), kExitOk);
}

// Issue 12: `--seed -1` silently became 18446744073709551615. Numbers are
// checked as typed: refused, saying the range.
TEST_F(CliTest, NegativeOrOversizedSeedIsRefused) {
  for (const char* seed : {"-1", "18446744073709551616", "1.5", "1e3", ""}) {
    err_.str("");
    EXPECT_EQ(cli({"run", "pass.json", "--seed", seed}), kExitUsage) << seed;
    EXPECT_THAT(err_.str(), HasSubstr(fmt::format("--seed: expected a whole number in "
                                                  "0..18446744073709551615, found \"{}\"",
                                                  seed)));
  }
  EXPECT_TRUE(runner_.ran.empty());
  EXPECT_EQ(cli({"run", "pass.json", "--seed", "18446744073709551615"}), kExitOk);
  EXPECT_EQ(runner_.last_options.seed, UINT64_MAX);
}

// --allow-long-run reaches the runner (which lets the loader pass a run
// above limits.max_events); --realtime too (the real-time limit applies).
TEST_F(CliTest, RunOptionsReachTheRunner) {
  EXPECT_EQ(cli({"run", "pass.json"}), kExitOk);
  EXPECT_FALSE(runner_.last_options.allow_long_run);
  EXPECT_EQ(cli({"run", "pass.json", "--allow-long-run", "--realtime"}), kExitOk);
  EXPECT_TRUE(runner_.last_options.allow_long_run);
  EXPECT_TRUE(runner_.last_options.realtime);
}

// Issue 12: `capture --duration 1e308` overflowed a double-to-integer
// conversion (UBSan), 1e10 overflowed, nan was ignored; --frames -1 and
// --duration inf printed a 309-digit bound. Each is refused before anything
// is opened, with the bound as a person reads it. And a scenario with a
// number no double can hold no longer aborts capture (exit 134).
TEST_F(CliTest, CaptureNumbersAreCheckedAsTyped) {
  // Well-formed: capture gets as far as looking for the camera (none here).
  const fs::path camera = dir_ / "camera.json";
  std::ofstream(camera) << R"({"duration_s": 1, "clients": [{"name": "c"}]})";
  EXPECT_EQ(
      cli({"capture", "--device", "cafe:4011", "--duration", "1", "--scenario", camera.string()}),
      kExitUsage);
  if (err_.str().find("built without libusb") != std::string::npos) {
    GTEST_SKIP() << "this build has no capture command";
  }
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--duration", "1e308"},
       R"(--duration: expected a number of seconds > 0 and <= 3600, found "1e308")"},
      {{"--duration", "1e10"},
       R"(--duration: expected a number of seconds > 0 and <= 3600, found "1e10")"},
      {{"--duration", "nan"},
       R"(--duration: expected a number of seconds > 0 and <= 3600, found "nan")"},
      {{"--duration", "inf"},
       R"(--duration: expected a number of seconds > 0 and <= 3600, found "inf")"},
      {{"--duration", "0"},
       R"(--duration: expected a number of seconds > 0 and <= 3600, found "0")"},
      // A camera run is a real-time run: at most an hour, said of the flag.
      {{"--duration", "7200"},
       R"(--duration: expected a number of seconds > 0 and <= 3600, found "7200")"},
      {{"--frames", "-1"}, R"(--frames: expected a whole number in 1..1000000000000, found "-1")"},
      {{"--frames", "0"}, R"(--frames: expected a whole number in 1..1000000000000, found "0")"},
      {{"--fps", "-30"},
       R"(--fps: expected a number of frames per second > 0 and <= 1000000000, found "-30")"},
      {{"--transfers", "-1"}, R"(--transfers: expected a whole number in 1..64, found "-1")"},
  };
  for (const auto& [args, message] : cases) {
    err_.str("");
    out_.str("");
    std::vector<std::string> line = {"capture", "--device", "cafe:4011"};
    line.insert(line.end(), args.begin(), args.end());
    EXPECT_EQ(cli(line), kExitUsage) << args[1];
    EXPECT_THAT(err_.str(), HasSubstr(message));
    EXPECT_EQ(err_.str().find("17976931348623157"), std::string::npos) << err_.str();
  }

  const fs::path scenario = dir_ / "big.json";
  std::ofstream(scenario) << R"({"duration_s": 1e309})";
  err_.str("");
  // An invalid scenario: exit status 1, as for `hilcap run`.
  EXPECT_EQ(cli({"capture", "--device", "cafe:4011", "--scenario", scenario.string()}),
            kExitFailed);
  EXPECT_THAT(err_.str(), HasSubstr("big.json:1:16: at /duration_s: expected a number a double "
                                    "can hold"));
}

// Issue 12: an unwritable --report was found only after the whole run. Every
// output path of every command is checked before anything runs: exit 2,
// naming the flag, the path and why; the runner is never called.
TEST_F(CliTest, OutputPathsAreCheckedBeforeAnythingRuns) {
  const fs::path missing = dir_ / "missing" / "r.json";
  const fs::path not_a_directory = dir_ / "file.txt" / "t.json";
  std::ofstream(dir_ / "file.txt") << "a file";
  EXPECT_EQ(cli({"run", "pass.json", "--report", missing.string(), "--trace", dir_.string()}),
            kExitUsage);
  EXPECT_EQ(err_.str(),
            fmt::format("hilcap run: --report {}: cannot write there: the directory "
                        "{} does not exist\n"
                        "hilcap run: --trace {}: cannot write there: it is a "
                        "directory\n",
                        missing.string(), missing.parent_path().string(), dir_.string()));
  err_.str("");
  EXPECT_EQ(cli({"run", "pass.json", "--trace", not_a_directory.string()}), kExitUsage);
  EXPECT_THAT(err_.str(),
              HasSubstr(fmt::format("hilcap run: --trace {}: cannot write there: {} is "
                                    "not a directory",
                                    not_a_directory.string(), (dir_ / "file.txt").string())));
  err_.str("");
  EXPECT_EQ(cli({"test", make_suite({"a.json"}).string(), "--junit", missing.string()}),
            kExitUsage);
  EXPECT_THAT(err_.str(), HasSubstr("hilcap test: --junit " + missing.string()));
  EXPECT_TRUE(runner_.ran.empty());
  err_.str("");
  EXPECT_EQ(
      cli({"serve", "pass.json", "--listen", "unix:/tmp/x.sock", "--report", missing.string()}),
      kExitUsage);
  EXPECT_THAT(err_.str(), HasSubstr("hilcap serve: --report " + missing.string()));
  EXPECT_FALSE(fs::exists(dir_ / "missing"));
  // A path in the working directory, an existing file, a device: writable.
  EXPECT_EQ(cli({"run", "pass.json", "--trace", "t.json", "--report", "/dev/null"}), kExitOk);
}

// capture's three output files, before the camera is looked for.
TEST_F(CliTest, CaptureOutputPathsAreCheckedBeforeTheCamera) {
  const fs::path missing = dir_ / "missing" / "x";
  for (const char* flag : {"--report", "--trace", "--record-timing"}) {
    err_.str("");
    EXPECT_EQ(cli({"capture", "--device", "cafe:4011", flag, missing.string()}), kExitUsage);
    if (err_.str().find("built without libusb") != std::string::npos) {
      GTEST_SKIP() << "this build has no capture command";
    }
    EXPECT_EQ(err_.str(), fmt::format("hilcap capture: {} {}: cannot write there: the directory {} "
                                      "does not exist\n",
                                      flag, missing.string(), missing.parent_path().string()));
  }
}

// Issue 12: a report that cannot be written at the end (a full disk) is an
// output error: said once on stderr with the reason, exit 2; the run's own
// results are still shown.
TEST_F(CliTest, ReportWriteErrorIsAnOutputError) {
  EXPECT_EQ(cli({"run", "pass.json", "--report", "/dev/full"}), kExitUsage);
  EXPECT_EQ(err_.str(),
            "hilcap run: --report /dev/full: cannot write the report: No space left "
            "on device\n");
  EXPECT_THAT(out_.str(), HasSubstr("expectations: all 1 met"));
}

// Issue 12: a trace write error came out as "step expectation not met" on
// stdout, then "all 4 met", exit 1. It is an output error: stderr, once, exit 2.
TEST_F(CliTest, TraceWriteErrorIsAnOutputError) {
  EXPECT_EQ(cli({"run", "outputerror.json", "--trace", "/dev/full"}), kExitUsage);
  EXPECT_EQ(err_.str(),
            "hilcap run: --trace /dev/full: writing the trace failed: No space left "
            "on device\n");
  EXPECT_THAT(out_.str(), Not(HasSubstr("not met")));
  EXPECT_EQ(cli({"test", make_suite({"outputerror.json"}).string()}), kExitOk);  // no trace there
}

// --help gives the one table of exit statuses, for every command.
TEST_F(CliTest, HelpListsEveryExitStatus) {
  for (const char* command : {"run", "capture", "serve", "test"}) {
    out_.str("");
    EXPECT_EQ(cli({command, "--help"}), kExitOk) << command;
    for (const char* line : {"  0    ran to its end", "  1    a scenario is invalid",
                             "  2    bad arguments", "  130  interrupted by SIGINT (Ctrl-C), 143"})
      EXPECT_THAT(out_.str(), HasSubstr(line)) << command;
  }
}

// Issue 12: capture loads its scenario as `hilcap run` loads a camera
// scenario (LoadOptions: the wall clock, the expect block's figure names):
// a misspelled figure was found only after the whole capture; a long
// capture is not refused by the virtual-time event estimate.
TEST_F(CliTest, CaptureChecksItsScenarioAsRunDoes) {
  const fs::path misspelled = dir_ / "misspelled.json";
  std::ofstream(misspelled) << R"({"duration_s": 1, "clients": [{"name": "c"}],
    "expect": {"frames.recieved": {"min": 1}}})";
  EXPECT_EQ(cli({"capture", "--device", "cafe:4011", "--scenario", misspelled.string()}),
            kExitFailed);
  if (err_.str().find("built without libusb") != std::string::npos) {
    GTEST_SKIP() << "this build has no capture command";
  }
  EXPECT_THAT(err_.str(), HasSubstr("misspelled.json: at /expect/frames.recieved: expected the "
                                    "dotted path of one figure of the report"));
  const fs::path long_capture = dir_ / "long.json";
  std::ofstream(long_capture) << R"({"duration_s": 3600,
    "device": {"timing": {"fps": 1000000000}},
    "clients": [{"name": "c", "count": 8, "outstanding": 8, "cancel_after_ms": 0.001}]})";
  err_.str("");
  // Past the loader: the camera is looked for (none here, or no USB at all).
  EXPECT_EQ(cli({"capture", "--device", "cafe:4011", "--scenario", long_capture.string()}),
            kExitUsage);
  EXPECT_THAT(err_.str(), Not(HasSubstr("events")));
  EXPECT_THAT(err_.str(), HasSubstr("hilcap capture: "));
}

// The shared checks of numeric arguments accept what they should.
TEST(ArgumentChecks, AcceptInRangeRefuseTheRest) {
  std::string text;
  auto check = [&text](const CLI::Validator& v, std::string value) {
    text = std::move(value);
    return v(text);
  };
  const CLI::Validator count = whole_number(1, 10);
  EXPECT_EQ(check(count, "1"), "");
  EXPECT_EQ(check(count, "10"), "");
  EXPECT_EQ(check(count, "11"), R"(expected a whole number in 1..10, found "11")");
  EXPECT_EQ(check(count, "+3"), R"(expected a whole number in 1..10, found "+3")");
  EXPECT_EQ(check(count, "3 "), R"(expected a whole number in 1..10, found "3 ")");
  const CLI::Validator seconds = positive_number(60, "seconds");
  EXPECT_EQ(check(seconds, "0.5"), "");
  EXPECT_EQ(check(seconds, "60"), "");
  EXPECT_EQ(check(seconds, "2.5e1"), "");
  for (const char* bad : {"60.001", "-0", "nan", "-inf", "1e-400x", "ten"}) {
    EXPECT_EQ(check(seconds, bad),
              fmt::format("expected a number of seconds > 0 and <= 60, found \"{}\"", bad));
  }
  const std::string long_number = check(seconds, std::string(100, '9'));
  EXPECT_THAT(long_number, HasSubstr(std::string(40, '9') + "...\""));  // shortened
  EXPECT_EQ(long_number.find(std::string(41, '9')), std::string::npos);
}

}  // namespace
}  // namespace hilcap::sim
