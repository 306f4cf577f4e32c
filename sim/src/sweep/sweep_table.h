// A sweep's results: one row per point and seed (the varied values, the
// metrics, whether the scenario's expectations were met, how the run
// ended), as `hilcap sweep --out DIR` writes them (sweep.json, sweep.csv)
// and `hilcap sweep --merge DIR...` reads them back and joins them: shards
// of one grid (the same scenario, dimensions, seeds and metrics) merge into
// the table one process would have made.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "sweep/sweep_grid.h"

namespace hilcap::sim {

struct SweepRow {
  std::size_t row = 0;  // in grid order (SweepGrid)
  std::size_t point = 0;
  std::uint64_t seed = 0;
  std::vector<nlohmann::json> values;   // one per dimension
  std::vector<nlohmann::json> metrics;  // one per metric: a number, or null (no such figure)
  std::string status;                   // "completed", "stopped", "invalid", "error"
  nlohmann::json expectations_met;      // true, false, or null (none to check)
  std::string expectations;             // "3/4 met"; empty: none
  std::vector<std::string> errors;
  std::uint64_t frames_due = 0;  // for the sweep's frames/s
  std::string rerun;             // the `hilcap run` command that repeats this row
};

struct SweepTable {
  std::string scenario;  // the scenario file as given
  std::vector<SweepDimension> dimensions;
  std::vector<std::uint64_t> seeds;
  std::vector<std::string> metrics;
  std::size_t rows_total = 0;       // of the whole grid
  std::vector<std::string> shards;  // "2/4" of each part merged; empty: the whole grid at once
  std::vector<SweepRow> rows;       // by row number
};

// sweep.json: {"scenario", "dimensions": [{"pointer", "spec", "values"}],
// "seeds", "metrics", "rows_total", "shards", "answers", "rows": [{"row",
// "point", "seed", "values": {pointer: value}, "metrics": {name: value},
// "expectations_met", "expectations", "status", "errors", "frames_due",
// "rerun"}]}.
nlohmann::json sweep_json(const SweepTable& table, const std::vector<std::string>& answers);
// Reads sweep.json back; nullopt with `error` set when it is not one.
std::optional<SweepTable> sweep_from_json(const nlohmann::json& doc, std::string& error);

// sweep.csv (RFC 4180): row, point, seed, each pointer, each metric,
// expectations_met, status.
std::string sweep_csv(const SweepTable& table);

// Joins shards of one grid; nullopt with `error` set when they are of
// different grids or disagree on a row.
std::optional<SweepTable> merge_sweeps(std::vector<SweepTable> parts, std::string& error);

// The grid's rows that none of the table's rows is.
std::size_t missing_rows(const SweepTable& table);

}  // namespace hilcap::sim
