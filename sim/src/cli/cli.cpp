#include "cli/cli.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "cli/argument_checks.h"
#include "cli/output_files.h"
#include "cli/test_command.h"
#include "runner/interrupt_signal.h"
#include "scenario/expectations.h"
#include "scenario/spelling.h"
#include "serve/serve_command.h"
#include "usb/usb_commands.h"

namespace hilcap::sim {
namespace {

constexpr const char* kNoRunner =
    "this build has no scenario runner yet (make_scenario_runner() returns none), so it cannot "
    "{} scenarios";

struct RunArguments {
  std::filesystem::path scenario;
  std::uint64_t seed = 0;
  bool seed_given = false;
  std::filesystem::path report;
  std::filesystem::path trace;
  bool no_wall_time = false;
  bool realtime = false;
  bool allow_long_run = false;
};

int run_command(const RunArguments& args, CliContext& context) {
  std::ostream& err = *context.err;
  if (context.runner == nullptr) {
    err << "hilcap run: " << fmt::format(kNoRunner, "run") << "\n";
    return kExitUsage;
  }
  if (!outputs_writable("run", {{"--report", args.report}, {"--trace", args.trace}}, context)) {
    return kExitUsage;
  }
  // From here to the last file written, SIGINT / SIGTERM stop in order.
  const InterruptSignal interrupt;
  const std::filesystem::path scenario =
      args.scenario.empty() ? context.runner->default_scenario() : args.scenario;
  RunOptions options;
  if (args.seed_given) options.seed = args.seed;
  options.trace = args.trace;
  options.progress = context.progress;
  options.realtime = args.realtime;
  options.allow_long_run = args.allow_long_run;

  const double start = context.wall_seconds();
  ScenarioOutcome outcome;
  try {
    outcome = context.runner->run(scenario, options);
  } catch (const std::exception& e) {
    err << fmt::format("hilcap run: {}: internal error: {}\n", scenario.string(), e.what());
    return command_status(kExitFailed, interrupt);
  }
  return command_status(
      show_outcome(outcome, context.wall_seconds() - start,
                   {.command = "run", .report = args.report, .no_wall_time = args.no_wall_time},
                   context),
      interrupt);
}

int validate_command(const std::vector<std::filesystem::path>& scenarios, CliContext& context) {
  if (context.runner == nullptr) {
    *context.err << "hilcap validate: " << fmt::format(kNoRunner, "validate") << "\n";
    return kExitUsage;
  }
  int status = kExitOk;
  for (const std::filesystem::path& scenario : scenarios) {
    std::vector<ScenarioError> errors;
    try {
      errors = context.runner->validate(scenario);
    } catch (const std::exception& e) {
      errors.push_back({ScenarioError::Kind::kUnreadable,
                        scenario.string(),
                        {},
                        {},
                        fmt::format("internal error: {}", e.what())});
    }
    if (errors.empty()) {
      *context.out << "OK " << scenario.string() << "\n";
    } else {
      status = kExitFailed;
      for (const ScenarioError& e : errors)
        *context.err << e.to_string() << "\n";
    }
  }
  return status;
}

// The first word that is not an option names the command; CLI11 alone
// would only say that a subcommand is required. Nullopt when it is known.
std::optional<std::string> unknown_command(CLI::App& app, int argc, const char* const* argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view word = argv[i];
    if (word.starts_with("-")) continue;
    std::vector<std::string> names;
    for (const CLI::App* command : app.get_subcommands([](CLI::App*) { return true; })) {
      if (command->check_name(std::string(word))) return std::nullopt;
      names.push_back(command->get_name());
    }
    const std::string quoted = fmt::format("'{}'", word);
    if (const auto nearest = nearest_name(word, names)) {
      return fmt::format("unknown command {}; did you mean '{}'?", quoted, *nearest);
    }
    return fmt::format("unknown command {}; did you mean one of: {}?", quoted,
                       fmt::join(names, ", "));
  }
  return std::nullopt;
}

}  // namespace

int run_cli(int argc, const char* const* argv, CliContext& context) {
  CLI::App app{
      "hilcap: a hardware-in-the-loop simulator for video capture devices.\n"
      "A device model produces frames into a DMA-like ring, the host serves them through a\n"
      "Kernel Streaming allocator, and JSON scenarios set the timing, the faults and the\n"
      "clients, all in deterministic virtual time.",
      "hilcap"};
  app.set_version_flag("--version", HILCAP_VERSION);
  app.require_subcommand(1);
  const std::string exit_status(kExitStatusHelp);
  app.footer(exit_status + "\nRun 'hilcap COMMAND --help' for a command's options.");

  RunArguments run_args;
  CLI::App* run = app.add_subcommand(
      "run",
      "Run one scenario in virtual time; print a summary table and check its expectations. "
      "Ctrl-C (SIGINT) or SIGTERM stops the run and still writes its report and trace");
  run->footer(exit_status);
  run->add_option("SCENARIO", run_args.scenario,
                  "Scenario file (JSON); the shipped default scenario when omitted")
      ->type_name("");
  CLI::Option* seed = run->add_option("--seed", run_args.seed,
                                      "Seed for every random choice, instead of the scenario's own")
                          ->type_name("N")
                          ->check(whole_number(0, UINT64_MAX));
  run->add_option("--report", run_args.report, "Write the report as JSON to FILE")
      ->type_name("FILE");
  run->add_option("--trace", run_args.trace,
                  "Write a Chrome trace (open it in ui.perfetto.dev or chrome://tracing) to FILE")
      ->type_name("FILE");
  run->add_flag("--realtime", run_args.realtime,
                "Run on the wall clock: device, host completion path and each client on their "
                "own thread (as \"clock\": \"realtime\")");
  run->add_flag("--allow-long-run", run_args.allow_long_run,
                "Run even when the estimated events of a virtual-time run exceed the scenario's "
                "limits.max_events (default 1000000000, a few minutes)");
  run->add_flag("--no-wall-time", run_args.no_wall_time,
                "Leave wall_time_s out of the report file: two runs with the same seed then "
                "give byte-identical reports");

  std::vector<std::filesystem::path> to_validate;
  CLI::App* validate = app.add_subcommand(
      "validate", "Check scenarios against the schema and the rules, without running them");
  validate->footer(exit_status);
  validate->add_option("SCENARIO", to_validate, "Scenario files (JSON)")->type_name("")->required();

  TestCommandOptions test_options;
  CLI::App* test = app.add_subcommand(
      "test", "Run scenarios with their expectations: one line each, then 'N passed, N failed'");
  test->add_option("PATH", test_options.paths,
                   "Scenario files, or directories whose *.json files run in name order")
      ->type_name("")
      ->required();
  test->add_option("--junit", test_options.junit, "Also write the results as JUnit XML to FILE")
      ->type_name("FILE");
  test->footer(
      "Sharding: with GTEST_TOTAL_SHARDS=N and GTEST_SHARD_INDEX=I set, only the scenarios\n"
      "whose position in the expanded list modulo N is I run here, as GoogleTest binaries do.\n" +
      exit_status);

  UsbCommandArguments usb_args;
  add_usb_commands(app, usb_args);
  ServeArguments serve_args;
  add_serve_command(app, serve_args);

  if (const auto unknown = unknown_command(app, argc, argv)) {
    *context.err << "hilcap: " << *unknown << "\nRun 'hilcap --help' for the commands.\n";
    return kExitUsage;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e, *context.out, *context.err) == 0 ? kExitOk : kExitUsage;
  }
  if (const auto status = run_usb_command(usb_args, context)) return *status;
  if (const auto status = run_serve_command(serve_args, context)) return *status;
  run_args.seed_given = seed->count() > 0;
  if (run->parsed()) return run_command(run_args, context);
  if (validate->parsed()) return validate_command(to_validate, context);
  return run_test_command(test_options, context);
}

bool outputs_writable(std::string_view command, const std::vector<OutputFile>& files,
                      CliContext& context) {
  const std::vector<std::string> problems = check_output_files(files);
  for (const std::string& problem : problems)
    *context.err << "hilcap " << command << ": " << problem << "\n";
  return problems.empty();
}

int command_status(int status, const InterruptSignal& interrupt) {
  return interrupt.raised() ? interrupted_status(interrupt.signal()) : status;
}

int show_outcome(ScenarioOutcome& outcome, double wall_seconds, const OutcomeOutput& output,
                 CliContext& context) {
  std::ostream& out = *context.out;
  std::ostream& err = *context.err;
  const std::string command = fmt::format("hilcap {}: ", output.command);
  for (const std::string& line : outcome.notes)
    err << line << "\n";
  if (outcome.status == ScenarioOutcome::Status::kInvalid) {
    for (const std::string& e : outcome.errors) {
      if (outcome.device_unavailable) err << command;
      err << e << "\n";
    }
    for (const std::string& e : outcome.output_errors)
      err << command << e << "\n";
    return outcome.device_unavailable || !outcome.output_errors.empty() ? kExitUsage : kExitFailed;
  }
  outcome.report.set_wall_time_s(wall_seconds);
  out << outcome.report.summary_table(WallTime::kInclude);
  if (!output.ended.empty()) out << output.ended << "\n";

  int status = kExitOk;
  if (outcome.status == ScenarioOutcome::Status::kStopped) {
    for (const std::string& e : outcome.errors)
      err << command << "run stopped: " << e << "\n";
    status = kExitFailed;
  }
  for (const std::string& f : outcome.failures) {
    out << "step expectation not met: " << f << "\n";
    status = kExitFailed;
  }
  // The expect block speaks of a whole run (a frame limit reached is one).
  if (!outcome.expect.is_null()) {
    if (outcome.status == ScenarioOutcome::Status::kCompleted) {
      const ExpectationResult expectations =
          evaluate_expectations(outcome.report.to_json(WallTime::kOmit), outcome.expect);
      if (expectations.passed()) {
        out << fmt::format("expectations: all {} met\n", outcome.expect.size());
      } else {
        for (const std::string& m : expectations.messages())
          out << "expectation not met: " << m << "\n";
        status = kExitFailed;
      }
    } else {
      out << "expectations: not checked, the run stopped before its end\n";
    }
  }
  // Output errors: on stderr, once each; the run's own verdict stands above.
  if (!output.report.empty()) {
    const std::string text =
        outcome.report.to_json_text(output.no_wall_time ? WallTime::kOmit : WallTime::kInclude);
    if (const auto problem = write_output_file(output.report, text)) {
      err << fmt::format("{}--report {}: cannot write the report: {}\n", command,
                         output.report.string(), *problem);
      status = kExitUsage;
    }
  }
  for (const std::string& e : outcome.output_errors) {
    err << command << e << "\n";
    status = kExitUsage;
  }
  return status;
}

CliContext process_cli_context(ScenarioRunner* runner) {
  CliContext context;
  context.runner = runner;
  context.out = &std::cout;
  context.err = &std::cerr;
  context.getenv = [](const char* name) -> const char* { return std::getenv(name); };
  context.wall_seconds = [] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
  };
  context.progress = ::isatty(STDERR_FILENO) == 1;
  return context;
}

}  // namespace hilcap::sim
