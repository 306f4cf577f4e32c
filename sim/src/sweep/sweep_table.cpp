#include "sweep/sweep_table.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

namespace hilcap::sim {
namespace {

using Json = nlohmann::json;

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string csv_value(const Json& value) {
  if (value.is_null()) return "";
  if (value.is_string()) return csv_field(value.get<std::string>());
  return csv_field(value.dump());
}

Json grid_json(const SweepTable& t) {
  Json dims = Json::array();
  for (const SweepDimension& d : t.dimensions)
    dims.push_back({{"pointer", d.pointer}, {"spec", d.spec}, {"values", d.values}});
  return {{"scenario", t.scenario},
          {"dimensions", dims},
          {"seeds", t.seeds},
          {"metrics", t.metrics},
          {"rows_total", t.rows_total}};
}

}  // namespace

Json sweep_json(const SweepTable& t, const std::vector<std::string>& answers) {
  Json doc = grid_json(t);
  doc["shards"] = t.shards;
  doc["answers"] = answers;
  Json rows = Json::array();
  for (const SweepRow& r : t.rows) {
    Json values = Json::object();
    for (std::size_t i = 0; i < t.dimensions.size() && i < r.values.size(); ++i)
      values[t.dimensions[i].pointer] = r.values[i];
    Json metrics = Json::object();
    for (std::size_t i = 0; i < t.metrics.size() && i < r.metrics.size(); ++i)
      metrics[t.metrics[i]] = r.metrics[i];
    rows.push_back({{"row", r.row},
                    {"point", r.point},
                    {"seed", r.seed},
                    {"values", values},
                    {"metrics", metrics},
                    {"expectations_met", r.expectations_met},
                    {"expectations", r.expectations},
                    {"status", r.status},
                    {"errors", r.errors},
                    {"frames_due", r.frames_due},
                    {"rerun", r.rerun}});
  }
  doc["rows"] = std::move(rows);
  return doc;
}

std::optional<SweepTable> sweep_from_json(const Json& doc, std::string& error) {
  try {
    SweepTable t;
    t.scenario = doc.at("scenario").get<std::string>();
    for (const Json& d : doc.at("dimensions")) {
      t.dimensions.push_back({d.at("pointer").get<std::string>(), d.at("spec").get<std::string>(),
                              d.at("values").get<std::vector<Json>>()});
    }
    t.seeds = doc.at("seeds").get<std::vector<std::uint64_t>>();
    t.metrics = doc.at("metrics").get<std::vector<std::string>>();
    t.rows_total = doc.at("rows_total").get<std::size_t>();
    t.shards = doc.value("shards", std::vector<std::string>{});
    for (const Json& r : doc.at("rows")) {
      SweepRow row;
      row.row = r.at("row").get<std::size_t>();
      row.point = r.at("point").get<std::size_t>();
      row.seed = r.at("seed").get<std::uint64_t>();
      for (const SweepDimension& d : t.dimensions)
        row.values.push_back(r.at("values").value(d.pointer, Json()));
      for (const std::string& m : t.metrics)
        row.metrics.push_back(r.at("metrics").value(m, Json()));
      row.expectations_met = r.value("expectations_met", Json());
      row.expectations = r.value("expectations", std::string());
      row.status = r.at("status").get<std::string>();
      row.errors = r.value("errors", std::vector<std::string>{});
      row.frames_due = r.value("frames_due", std::uint64_t{0});
      row.rerun = r.value("rerun", std::string());
      t.rows.push_back(std::move(row));
    }
    return t;
  } catch (const Json::exception& e) {
    error = fmt::format("not a hilcap sweep.json: {}", e.what());
    return std::nullopt;
  }
}

// Fields are appended one by one: `"," + field` (a temporary per field) also
// trips GCC 12's -Wrestrict false positive at -O3, which broke `make bench`'s
// release build.
std::string sweep_csv(const SweepTable& t) {
  std::string out = "row,point,seed";
  const auto field = [&out](const std::string& text) {
    out += ',';
    out += text;
  };
  for (const SweepDimension& d : t.dimensions)
    field(csv_field(d.pointer));
  for (const std::string& m : t.metrics)
    field(csv_field(m));
  out += ",expectations_met,status\r\n";
  for (const SweepRow& r : t.rows) {
    out += fmt::format("{},{},{}", r.row, r.point, r.seed);
    for (const Json& v : r.values)
      field(csv_value(v));
    for (const Json& v : r.metrics)
      field(csv_value(v));
    field(csv_value(r.expectations_met));
    field(csv_field(r.status));
    out += "\r\n";
  }
  return out;
}

std::optional<SweepTable> merge_sweeps(std::vector<SweepTable> parts, std::string& error) {
  if (parts.empty()) {
    error = "nothing to merge";
    return std::nullopt;
  }
  SweepTable merged = parts.front();
  merged.rows.clear();
  merged.shards.clear();
  const Json grid = grid_json(merged);
  std::map<std::size_t, SweepRow> rows;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    SweepTable& part = parts[i];
    if (grid_json(part) != grid) {
      error = fmt::format(
          "part {} is of another grid (scenario, --vary, --seeds and --metric "
          "must be the same): expected {}, found {}",
          i + 1, grid.dump(), grid_json(part).dump());
      return std::nullopt;
    }
    merged.shards.insert(merged.shards.end(), part.shards.begin(), part.shards.end());
    for (SweepRow& row : part.rows) {
      const auto [at, added] = rows.emplace(row.row, row);
      if (!added && (at->second.metrics != row.metrics || at->second.status != row.status)) {
        error = fmt::format("row {} (point {}, seed {}) differs between the parts", row.row,
                            row.point, row.seed);
        return std::nullopt;
      }
    }
  }
  for (auto& [number, row] : rows)
    merged.rows.push_back(std::move(row));
  return merged;
}

std::size_t missing_rows(const SweepTable& t) {
  return t.rows_total > t.rows.size() ? t.rows_total - t.rows.size() : 0;
}

}  // namespace hilcap::sim
