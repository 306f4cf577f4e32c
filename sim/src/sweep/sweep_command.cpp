#include "sweep/sweep_command.h"

#include <fmt/format.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "cli/cli.h"
#include "cli/output_files.h"
#include "cli/test_command.h"
#include "html/html_page.h"
#include "html/sweep_page.h"
#include "runner/interrupt_signal.h"
#include "sweep/sweep_answer.h"
#include "sweep/sweep_run.h"

namespace hilcap::sim {
namespace {

using Json = nlohmann::json;

// Rows printed on the console; a bigger grid is in the files.
constexpr std::size_t kConsoleRows = 60;

std::optional<std::string> read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string cell_text(const Json& v) {
  if (v.is_null()) return "-";
  return v.is_string() ? v.get<std::string>() : v.dump();
}

std::string console_table(const SweepTable& t) {
  std::vector<std::string> headers = {"row", "seed"};
  for (const SweepDimension& d : t.dimensions)
    headers.push_back(d.pointer);
  for (const std::string& m : t.metrics)
    headers.push_back(m);
  headers.push_back("expectations");
  headers.push_back("status");
  std::vector<std::vector<std::string>> rows;
  for (const SweepRow& r : t.rows) {
    std::vector<std::string> cells = {std::to_string(r.row), std::to_string(r.seed)};
    for (const Json& v : r.values)
      cells.push_back(cell_text(v));
    for (const Json& v : r.metrics)
      cells.push_back(cell_text(v));
    cells.push_back(r.expectations.empty() ? "-" : r.expectations);
    cells.push_back(r.status);
    rows.push_back(std::move(cells));
  }
  std::vector<std::size_t> widths(headers.size());
  for (std::size_t i = 0; i < headers.size(); ++i) {
    widths[i] = headers[i].size();
    for (const auto& row : rows)
      widths[i] = std::max(widths[i], row[i].size());
  }
  std::string out;
  const auto line = [&](const std::vector<std::string>& cells) {
    for (std::size_t i = 0; i < cells.size(); ++i)
      out += fmt::format("{}{:>{}}", i == 0 ? "" : "  ", cells[i], widths[i]);
    out += "\n";
  };
  line(headers);
  for (std::size_t i = 0; i < rows.size() && i < kConsoleRows; ++i)
    line(rows[i]);
  if (rows.size() > kConsoleRows)
    out +=
        fmt::format("... {} more rows (--out DIR writes them all)\n", rows.size() - kConsoleRows);
  return out;
}

// Writes DIR/sweep.csv, sweep.json, sweep.html; the problems.
std::vector<std::string> write_outputs(const std::filesystem::path& dir, const SweepTable& table,
                                       const std::vector<std::string>& answers,
                                       const std::string& summary) {
  std::vector<std::string> problems;
  const std::pair<const char*, std::string> files[] = {
      {"sweep.csv", sweep_csv(table)},
      {"sweep.json", sweep_json(table, answers).dump(2) + "\n"},
      {"sweep.html", html_page(sweep_page_data(table, answers, summary))},
  };
  for (const auto& [name, text] : files) {
    if (const auto problem = write_output_file(dir / name, text))
      problems.push_back(
          fmt::format("--out {}: cannot write {}: {}", dir.string(), name, *problem));
  }
  return problems;
}

// The table's answers and files, the console's closing lines; the status.
int finish(const SweepTable& table, const std::string& summary, const std::filesystem::path& out,
           CliContext& context, int status) {
  std::ostream& o = *context.out;
  const std::vector<std::string> answers = boundary_answers(table);
  o << console_table(table);
  o << summary << "\n";
  for (const std::string& answer : answers)
    o << "answer: " << answer << "\n";
  if (const std::size_t missing = missing_rows(table); missing > 0 && table.shards.size() != 1)
    o << fmt::format("{} of {} rows missing (a shard not merged, or interrupted)\n", missing,
                     table.rows_total);
  if (!out.empty()) {
    const auto problems = write_outputs(out, table, answers, summary);
    for (const std::string& p : problems)
      *context.err << "hilcap sweep: " << p << "\n";
    if (!problems.empty()) return kExitUsage;
    o << fmt::format("wrote {0}/sweep.csv, {0}/sweep.json, {0}/sweep.html\n", out.string());
  }
  return status;
}

// --out DIR, made now (before anything runs) so that a path where nothing
// can be written is refused at once; nullopt when DIR can take the files.
std::optional<std::string> out_problem(const std::filesystem::path& dir) {
  if (dir.empty()) return std::nullopt;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec || !std::filesystem::is_directory(dir)) {
    return fmt::format("--out {}: cannot write there: {}", dir.string(),
                       ec ? ec.message() : "not a directory");
  }
  if (const auto problem = output_path_problem(dir / "sweep.json"))
    return fmt::format("--out {}: cannot write there: {}", dir.string(), *problem);
  return std::nullopt;
}

int merge_command(const SweepArguments& a, CliContext& context) {
  std::ostream& err = *context.err;
  if (a.out.empty()) {
    err << "hilcap sweep: --merge needs --out DIR (where the joined table goes)\n";
    return kExitUsage;
  }
  if (const auto problem = out_problem(a.out)) {
    err << "hilcap sweep: " << *problem << "\n";
    return kExitUsage;
  }
  std::vector<SweepTable> parts;
  for (const std::filesystem::path& dir : a.merge) {
    const std::filesystem::path file =
        std::filesystem::is_directory(dir) ? dir / "sweep.json" : dir;
    const auto text = read_text(file);
    if (!text) {
      err << fmt::format("hilcap sweep: --merge {}: cannot read {}\n", dir.string(), file.string());
      return kExitUsage;
    }
    const Json doc = Json::parse(*text, nullptr, false);
    std::string error;
    auto part = doc.is_discarded() ? std::nullopt : sweep_from_json(doc, error);
    if (!part) {
      err << fmt::format("hilcap sweep: --merge {}: {}\n", file.string(),
                         doc.is_discarded() ? "not JSON" : error);
      return kExitUsage;
    }
    parts.push_back(std::move(*part));
  }
  std::string error;
  const auto merged = merge_sweeps(std::move(parts), error);
  if (!merged) {
    err << "hilcap sweep: --merge: " << error << "\n";
    return kExitUsage;
  }
  const std::string summary = fmt::format("sweep merged from {} parts: {} of {} rows",
                                          a.merge.size(), merged->rows.size(), merged->rows_total);
  const bool failed = std::any_of(merged->rows.begin(), merged->rows.end(), [](const SweepRow& r) {
    return r.status == "invalid" || r.status == "error";
  });
  return finish(*merged, summary, a.out, context, failed ? kExitFailed : kExitOk);
}

int sweep_command(const SweepArguments& a, CliContext& context) {
  std::ostream& err = *context.err;
  if (context.runner == nullptr) {
    err << "hilcap sweep: this build has no scenario runner\n";
    return kExitUsage;
  }
  if (!a.merge.empty()) {
    if (!a.scenario.empty() || !a.vary.empty()) {
      err << "hilcap sweep: --merge joins the outputs of earlier sweeps: give it no scenario and "
             "no --vary\n";
      return kExitUsage;
    }
    return merge_command(a, context);
  }
  if (a.scenario.empty()) {
    err << "hilcap sweep: expected a SCENARIO file (or --merge DIR...)\n";
    return kExitUsage;
  }
  std::vector<SweepDimension> dimensions;
  for (const std::string& spec : a.vary) {
    std::string error;
    auto d = parse_dimension(spec, error);
    if (!d) {
      err << fmt::format("hilcap sweep: --vary {}: {}\n", spec, error);
      return kExitUsage;
    }
    for (const SweepDimension& other : dimensions) {
      if (other.pointer == d->pointer) {
        err << fmt::format("hilcap sweep: --vary {}: {} is varied twice\n", spec, d->pointer);
        return kExitUsage;
      }
    }
    dimensions.push_back(std::move(*d));
  }
  const bool jobs_given = a.command->get_option("--jobs")->count() > 0;
  if (a.seeds == 0 || (jobs_given && a.jobs == 0)) {
    err << fmt::format("hilcap sweep: {}: expected a count >= 1, found 0\n",
                       a.seeds == 0 ? "--seeds" : "--jobs");
    return kExitUsage;
  }
  const unsigned jobs = jobs_given ? a.jobs : std::max(1u, std::thread::hardware_concurrency());
  std::string error;
  std::optional<Shard> shard;
  if (!a.shard.empty()) {
    shard = parse_shard(a.shard, error);
    if (!shard) {
      err << fmt::format("hilcap sweep: --shard {}: {}\n", a.shard, error);
      return kExitUsage;
    }
  } else {
    shard = shard_from_environment(context, error);
    if (!shard) {
      err << "hilcap sweep: " << error << "\n";
      return kExitUsage;
    }
    if (const char* status_file = context.getenv("GTEST_SHARD_STATUS_FILE"))
      std::ofstream touch(status_file, std::ios::app);
  }
  if (const auto problem = out_problem(a.out)) {
    err << "hilcap sweep: " << *problem << "\n";
    return kExitUsage;
  }

  // The scenario as given must load; each point is checked as it runs.
  const std::vector<ScenarioError> invalid = context.runner->validate(a.scenario);
  if (!invalid.empty()) {
    for (const ScenarioError& e : invalid)
      err << e.to_string() << "\n";
    return kExitFailed;
  }
  const auto text = read_text(a.scenario);
  const Json doc = text ? Json::parse(*text, nullptr, false) : Json();
  std::uint64_t base_seed = 1;
  if (doc.is_object() && doc.contains("seed") && doc["seed"].is_number_unsigned())
    base_seed = doc["seed"].get<std::uint64_t>();
  std::vector<std::uint64_t> seeds;
  for (unsigned i = 0; i < a.seeds; ++i)
    seeds.push_back(base_seed + i);
  SweepPlan plan{a.scenario, SweepGrid(std::move(dimensions), std::move(seeds)),
                 a.metrics.empty() ? kDefaultSweepMetrics : a.metrics, *shard, jobs};
  // Every --vary pointer must land in the scenario (checked on its first values).
  if (text && plan.grid.points() > 0) {
    std::string where;
    if (!apply_overrides(*text, plan.grid.overrides_of_point(0), where)) {
      err << fmt::format("hilcap sweep: --vary: {}: {}\n", a.scenario.string(), where);
      return kExitUsage;
    }
  }

  const InterruptSignal interrupt;
  const double start = context.wall_seconds();
  const auto progress = [&](std::size_t done, std::size_t total) {
    if (context.progress) err << fmt::format("\rsweep: {}/{} runs", done, total) << std::flush;
  };
  SweepTable table = run_sweep(*context.runner, plan, interrupt.flag(), progress);
  const double wall = context.wall_seconds() - start;
  if (context.progress) err << "\r\033[K" << std::flush;

  std::uint64_t frames = 0;
  for (const SweepRow& r : table.rows)
    frames += r.frames_due;
  const std::size_t runs = plan.grid.rows_of(plan.shard).size();
  std::string summary = fmt::format(
      "sweep: {} points x {} seeds = {} runs{}, {} ran on {} threads in {:.3f} s: {} frames, "
      "{:.0f} frames/s",
      plan.grid.points(), plan.grid.seeds().size(), plan.grid.rows(),
      plan.shard.total > 1
          ? fmt::format(" (shard {}/{}: {})", plan.shard.index + 1, plan.shard.total, runs)
          : std::string(),
      table.rows.size(), std::min<std::size_t>(jobs, std::max<std::size_t>(runs, 1)), wall, frames,
      wall > 0 ? static_cast<double>(frames) / wall : 0.0);

  int status = kExitOk;
  for (const SweepRow& r : table.rows) {
    if (r.status == "invalid" || r.status == "error") {
      status = kExitFailed;
      for (const std::string& e : r.errors)
        err << fmt::format("hilcap sweep: row {}: {}\n", r.row, e);
    }
  }
  for (std::size_t m = 0; m < plan.metrics.size(); ++m) {
    const bool found = std::any_of(table.rows.begin(), table.rows.end(),
                                   [m](const SweepRow& r) { return !r.metrics[m].is_null(); });
    const bool ran = std::any_of(table.rows.begin(), table.rows.end(),
                                 [](const SweepRow& r) { return r.status == "completed"; });
    if (!found && ran) {
      err << fmt::format(
          "hilcap sweep: --metric {}: no run's report has this figure (a dotted "
          "path of the report, e.g. frames.dropped.total or "
          "pending_latency_us.p99)\n",
          plan.metrics[m]);
      status = kExitUsage;
    }
  }
  status = finish(table, summary, a.out, context, status);
  return command_status(status, interrupt);
}

}  // namespace

void add_sweep_command(CLI::App& app, SweepArguments& a) {
  a.command = app.add_subcommand(
      "sweep",
      "Run a scenario over a grid of values in virtual time and say where each metric is zero");
  a.command->add_option("scenario", a.scenario, "The scenario file")->type_name("SCENARIO");
  a.command
      ->add_option("--vary", a.vary,
                   "A JSON pointer into the scenario and its values: a range (2..8, 0..1:0.25) "
                   "or a list (10,20,40); repeat for more dimensions (the first is the knob the "
                   "answer speaks of)")
      ->type_name("POINTER=VALUES")
      ->allow_extra_args(false);
  a.command
      ->add_option("--seeds", a.seeds, "Run each point with N seeds (the scenario's seed, +1, ...)")
      ->type_name("N");
  a.command
      ->add_option("--metric", a.metrics,
                   "A report figure to tabulate (dotted path; repeatable); default "
                   "frames.dropped.total, frames.received, pending_latency_us.max")
      ->type_name("NAME")
      ->allow_extra_args(false);
  a.command
      ->add_option("--jobs", a.jobs,
                   "Run N points at once, on N threads (default: one per processor)")
      ->type_name("N");
  a.command
      ->add_option("--shard", a.shard,
                   "Run shard I of N (1-based, e.g. $CI_NODE_INDEX/$CI_NODE_TOTAL); default from "
                   "GTEST_SHARD_INDEX/GTEST_TOTAL_SHARDS")
      ->type_name("I/N");
  a.command->add_option("--out", a.out, "Write DIR/sweep.csv, DIR/sweep.json and DIR/sweep.html")
      ->type_name("DIR");
  a.command
      ->add_option("--merge", a.merge,
                   "Join the --out folders of a sweep's shards (with --out DIR for the result)")
      ->type_name("DIR...");
}

std::optional<int> run_sweep_command(const SweepArguments& a, CliContext& context) {
  if (a.command == nullptr || !a.command->parsed()) return std::nullopt;
  return sweep_command(a, context);
}

}  // namespace hilcap::sim
