#include "cli/test_command.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <exception>
#include <fstream>
#include <system_error>

#include "cli/cli.h"
#include "cli/junit_xml.h"
#include "cli/output_files.h"
#include "runner/interrupt_signal.h"
#include "scenario/expectations.h"

namespace hilcap::sim {
namespace {

// A whole non-negative decimal number, or nullopt.
std::optional<std::size_t> parse_count(std::string_view text) {
  std::size_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// GoogleTest's protocol: a runner that supports sharding touches this file.
void acknowledge_sharding(const CliContext& context) {
  if (const char* status_file = context.getenv("GTEST_SHARD_STATUS_FILE")) {
    std::ofstream touch(status_file, std::ios::app);
  }
}

ScenarioResult run_one(const std::filesystem::path& file, CliContext& context) {
  ScenarioResult result{file, ScenarioResult::Verdict::kPassed, 0, {}};
  const double start = context.wall_seconds();
  try {
    ScenarioOutcome outcome = context.runner->run(file, RunOptions{});
    switch (outcome.status) {
      case ScenarioOutcome::Status::kInvalid:
        result.verdict = ScenarioResult::Verdict::kError;
        result.messages = std::move(outcome.errors);
        break;
      case ScenarioOutcome::Status::kStopped:
        result.verdict = ScenarioResult::Verdict::kFailed;
        for (auto& e : outcome.errors)
          result.messages.push_back("run stopped: " + e);
        for (auto& f : outcome.failures)
          result.messages.push_back("step expectation not met: " + f);
        break;
      case ScenarioOutcome::Status::kCompleted: {
        const ExpectationResult expectations =
            evaluate_expectations(outcome.report.to_json(WallTime::kOmit), outcome.expect);
        if (!expectations.errors.empty()) {
          result.verdict = ScenarioResult::Verdict::kError;
        } else if (!expectations.failures.empty() || !outcome.failures.empty()) {
          result.verdict = ScenarioResult::Verdict::kFailed;
        }
        for (auto& f : outcome.failures)
          result.messages.push_back("step expectation not met: " + f);
        for (auto& m : expectations.messages())
          result.messages.push_back(std::move(m));
        break;
      }
    }
  } catch (const std::exception& e) {
    result.verdict = ScenarioResult::Verdict::kError;
    result.messages = {fmt::format("internal error: {}", e.what())};
  }
  if (result.verdict != ScenarioResult::Verdict::kPassed && result.messages.empty()) {
    result.messages.push_back("no reason given");
  }
  result.seconds = context.wall_seconds() - start;
  return result;
}

}  // namespace

std::optional<Shard> shard_from_environment(const CliContext& context, std::string& error) {
  const char* total_text = context.getenv("GTEST_TOTAL_SHARDS");
  const char* index_text = context.getenv("GTEST_SHARD_INDEX");
  if (total_text == nullptr && index_text == nullptr) return Shard{};
  if (total_text == nullptr || index_text == nullptr) {
    error = fmt::format("invalid sharding: GTEST_SHARD_INDEX is {} but GTEST_TOTAL_SHARDS is {}",
                        index_text ? fmt::format("\"{}\"", index_text) : "unset",
                        total_text ? fmt::format("\"{}\"", total_text) : "unset");
    return std::nullopt;
  }
  const auto total = parse_count(total_text);
  const auto index = parse_count(index_text);
  if (!total || *total == 0) {
    error = fmt::format(
        "invalid sharding: expected GTEST_TOTAL_SHARDS to be a whole number >= 1, found \"{}\"",
        total_text);
    return std::nullopt;
  }
  if (!index || *index >= *total) {
    error = fmt::format(
        "invalid sharding: expected GTEST_SHARD_INDEX to be a whole number in [0, {}), found "
        "\"{}\"",
        *total, index_text);
    return std::nullopt;
  }
  return Shard{*index, *total};
}

std::optional<std::vector<std::filesystem::path>> expand_scenario_paths(
    const std::vector<std::filesystem::path>& paths, std::string& error) {
  std::vector<std::filesystem::path> files;
  for (const std::filesystem::path& path : paths) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
      std::vector<std::filesystem::path> found;
      for (const auto& entry : std::filesystem::directory_iterator(path, ec)) {
        if (entry.path().extension() == ".json" && !entry.is_directory())
          found.push_back(entry.path());
      }
      if (ec) {
        error = fmt::format("{}: cannot list: {}", path.string(), ec.message());
        return std::nullopt;
      }
      if (found.empty()) {
        error = fmt::format("{}: no *.json scenarios in this directory", path.string());
        return std::nullopt;
      }
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else if (std::filesystem::exists(path, ec)) {
      files.push_back(path);
    } else {
      error = fmt::format("{}: no such file or directory", path.string());
      return std::nullopt;
    }
  }
  return files;
}

int run_test_command(const TestCommandOptions& options, CliContext& context) {
  std::ostream& out = *context.out;
  std::ostream& err = *context.err;
  if (context.runner == nullptr) {
    err << "hilcap test: this build has no scenario runner, so it cannot run scenarios\n";
    return kExitUsage;
  }
  std::string error;
  const auto shard = shard_from_environment(context, error);
  if (!shard) {
    err << "hilcap test: " << error << "\n";
    return kExitUsage;
  }
  if (!outputs_writable("test", {{"--junit", options.junit}}, context)) return kExitUsage;
  // SIGINT / SIGTERM: the scenario running stops (and fails), the others do
  // not start, the results so far are printed and written.
  const InterruptSignal interrupt;
  acknowledge_sharding(context);
  const auto all = expand_scenario_paths(options.paths, error);
  if (!all) {
    err << "hilcap test: " << error << "\n";
    return kExitUsage;
  }
  std::vector<std::filesystem::path> mine;
  for (std::size_t i = 0; i < all->size(); ++i) {
    if (i % shard->total == shard->index) mine.push_back((*all)[i]);
  }
  if (shard->total > 1) {
    out << fmt::format("shard {} of {}: {} of {} scenarios\n", shard->index + 1, shard->total,
                       mine.size(), all->size());
  }

  std::vector<ScenarioResult> results;
  std::size_t passed = 0;
  for (const std::filesystem::path& file : mine) {
    if (interrupt.raised()) break;
    ScenarioResult result = run_one(file, context);
    const std::string name = file.generic_string();
    if (result.verdict == ScenarioResult::Verdict::kPassed) {
      ++passed;
      out << fmt::format("PASS {} ({:.2f} s)\n", name, result.seconds);
    } else {
      out << fmt::format("FAIL {}: {}\n", name, result.messages.front());
      for (std::size_t i = 1; i < result.messages.size(); ++i) {
        out << "     " << result.messages[i] << "\n";
      }
    }
    out.flush();
    results.push_back(std::move(result));
  }
  const std::size_t failed = results.size() - passed;
  out << fmt::format("{} passed, {} failed", passed, failed);
  if (results.size() < mine.size()) {
    out << fmt::format(", {} not run: interrupted by {}", mine.size() - results.size(),
                       signal_name(interrupt.signal()));
  }
  out << "\n";

  if (!options.junit.empty()) {
    const std::string suite = shard->total > 1 ? fmt::format("hilcap scenarios (shard {} of {})",
                                                             shard->index + 1, shard->total)
                                               : std::string("hilcap scenarios");
    if (const auto problem = write_output_file(options.junit, junit_xml(suite, results))) {
      err << fmt::format("hilcap test: --junit {}: cannot write the JUnit XML: {}\n",
                         options.junit.string(), *problem);
      return command_status(kExitUsage, interrupt);
    }
  }
  return command_status(failed == 0 ? kExitOk : kExitFailed, interrupt);
}

}  // namespace hilcap::sim
