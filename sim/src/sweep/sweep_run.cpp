#include "sweep/sweep_run.h"

#include <fmt/format.h>

#include <mutex>
#include <thread>

#include "scenario/expectations.h"

namespace hilcap::sim {
namespace {

using Json = nlohmann::json;

std::string shell_word(const std::string& word) {
  if (!word.empty() && word.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                              "0123456789/._-=+:,") == std::string::npos) {
    return word;
  }
  std::string out = "'";
  for (const char c : word) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

SweepRow run_row(ScenarioRunner& runner, const SweepPlan& plan, std::size_t row) {
  SweepRow r;
  r.row = row;
  r.point = plan.grid.point_of(row);
  r.seed = plan.grid.seed_of(row);
  r.values = plan.grid.values_of_point(r.point);
  r.metrics.assign(plan.metrics.size(), Json());
  RunOptions options;
  options.seed = r.seed;
  options.overrides = plan.grid.overrides_of_point(r.point);
  r.rerun = rerun_command(plan.scenario, r.seed, options.overrides);
  ScenarioOutcome outcome;
  try {
    outcome = runner.run(plan.scenario, options);
  } catch (const std::exception& e) {
    r.status = "error";
    r.errors.push_back(fmt::format("internal error: {}", e.what()));
    return r;
  }
  switch (outcome.status) {
    case ScenarioOutcome::Status::kInvalid:
      r.status = "invalid";
      r.errors = std::move(outcome.errors);
      return r;
    case ScenarioOutcome::Status::kStopped:
      r.status = "stopped";
      r.errors = std::move(outcome.errors);
      break;
    case ScenarioOutcome::Status::kCompleted:
      r.status = "completed";
      break;
  }
  const Json report = outcome.report.to_json(WallTime::kOmit);
  for (std::size_t i = 0; i < plan.metrics.size(); ++i) {
    if (const Json* figure = find_report_figure(report, plan.metrics[i]);
        figure != nullptr && figure->is_number()) {
      r.metrics[i] = *figure;
    }
  }
  if (const Json* due = find_report_figure(report, "frames.due");
      due != nullptr && due->is_number_integer()) {
    r.frames_due = due->get<std::uint64_t>();
  }
  // The expect block and the script's step expectations, over a whole run.
  const std::uint64_t steps = [&] {
    const Json* checked = find_report_figure(report, "script.expectations_checked");
    return checked != nullptr && checked->is_number_integer() ? checked->get<std::uint64_t>() : 0;
  }();
  const std::vector<ExpectationCheck> checks = check_each_expectation(report, outcome.expect);
  const std::size_t total = checks.size() + steps;
  if (total > 0 && outcome.status == ScenarioOutcome::Status::kCompleted) {
    std::size_t met = 0;
    for (const ExpectationCheck& c : checks)
      met += c.met ? 1 : 0;
    met += steps - std::min<std::size_t>(steps, outcome.failures.size());
    r.expectations = fmt::format("{}/{} met", met, total);
    r.expectations_met = met == total;
  }
  return r;
}

}  // namespace

std::string rerun_command(const std::filesystem::path& scenario, std::uint64_t seed,
                          const std::vector<ScenarioOverride>& changes) {
  std::string command = fmt::format("hilcap run {} --seed {}", shell_word(scenario.string()), seed);
  for (const ScenarioOverride& change : changes)
    command += " --set " + shell_word(override_text(change));
  return command;
}

SweepTable run_sweep(ScenarioRunner& runner, const SweepPlan& plan, const std::atomic<bool>& stop,
                     const std::function<void(std::size_t, std::size_t)>& progress) {
  SweepTable table;
  table.scenario = plan.scenario.string();
  table.dimensions = plan.grid.dimensions();
  table.seeds = plan.grid.seeds();
  table.metrics = plan.metrics;
  table.rows_total = plan.grid.rows();
  if (plan.shard.total > 1)
    table.shards.push_back(fmt::format("{}/{}", plan.shard.index + 1, plan.shard.total));

  const std::vector<std::size_t> rows = plan.grid.rows_of(plan.shard);
  std::vector<SweepRow> done(rows.size());
  std::vector<char> ran(rows.size(), 0);
  std::atomic<std::size_t> next{0};
  std::mutex progress_mutex;
  std::size_t finished = 0;
  const auto work = [&] {
    for (std::size_t i = next.fetch_add(1); i < rows.size(); i = next.fetch_add(1)) {
      if (stop.load(std::memory_order_relaxed)) return;
      done[i] = run_row(runner, plan, rows[i]);
      ran[i] = 1;
      const std::scoped_lock lock(progress_mutex);
      ++finished;
      if (progress) progress(finished, rows.size());
    }
  };
  const unsigned threads =
      std::max(1u, std::min<unsigned>(plan.jobs, static_cast<unsigned>(rows.size())));
  std::vector<std::thread> workers;
  for (unsigned t = 1; t < threads; ++t)
    workers.emplace_back(work);
  work();  // the calling thread is one of them
  for (std::thread& w : workers)
    w.join();
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (ran[i]) table.rows.push_back(std::move(done[i]));
  }
  return table;
}

}  // namespace hilcap::sim
