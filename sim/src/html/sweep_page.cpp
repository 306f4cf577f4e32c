#include "html/sweep_page.h"

#include <fmt/format.h>

#include <filesystem>

namespace hilcap::sim {
namespace {
using Json = nlohmann::json;
}  // namespace

nlohmann::json sweep_page_data(const SweepTable& table, const std::vector<std::string>& answers,
                               const std::string& summary) {
  const Json doc = sweep_json(table, answers);
  Json dims = Json::array();
  for (const SweepDimension& d : table.dimensions)
    dims.push_back({{"pointer", d.pointer}, {"label", d.pointer}, {"values", d.values}});
  Json answer_items = Json::array();
  for (std::size_t i = 0; i < answers.size(); ++i)
    answer_items.push_back({{"metric", table.metrics[i]}, {"text", answers[i]}});
  const std::string name = std::filesystem::path(table.scenario).stem().string();
  return {{"kind", "sweep"},
          {"title", fmt::format("hilcap sweep: {}", name)},
          {"subtitle", table.scenario},
          {"sweep",
           {{"scenario", table.scenario},
            {"dims", dims},
            {"seeds", table.seeds},
            {"metrics", table.metrics},
            {"rows", doc["rows"]},
            {"points_total", table.rows_total},
            {"missing", missing_rows(table)},
            {"shards", table.shards},
            {"summary", summary},
            {"answers", answer_items}}}};
}

}  // namespace hilcap::sim
