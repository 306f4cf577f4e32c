#include "report/report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <vector>

namespace hilcap::sim {
namespace {

constexpr int kMaxDecimals = 9;

double round_to(double value, int decimals) {
  const double scale = std::pow(10.0, decimals);
  return std::round(value * scale) / scale;
}

int decimals_of(SampleScale scale) {
  int decimals = 0;
  for (auto s = static_cast<std::int64_t>(scale); s > 1; s /= 10)
    ++decimals;
  return decimals;
}

nlohmann::json scaled(std::int64_t value, SampleScale scale) {
  if (scale == SampleScale::kAsRecorded) return value;
  return static_cast<double>(value) / static_cast<double>(static_cast<std::int64_t>(scale));
}

struct NamedPercentile {
  const char* name;
  std::uint32_t parts_per_million;
};
constexpr NamedPercentile kPercentiles[] = {
    {"p50", 500'000}, {"p90", 900'000}, {"p99", 990'000}, {"p99.9", 999'000}};

nlohmann::json render(const Distribution& d, SampleScale scale) {
  nlohmann::json j = nlohmann::json::object();
  j["count"] = d.count();
  const bool empty = d.count() == 0;
  j["min"] = empty ? nlohmann::json() : scaled(d.min(), scale);
  j["max"] = empty ? nlohmann::json() : scaled(d.max(), scale);
  j["mean"] = empty ? nlohmann::json()
                    : nlohmann::json(
                          round_to(d.mean() / static_cast<double>(static_cast<std::int64_t>(scale)),
                                   std::max(decimals_of(scale), 3)));
  for (const auto& p : kPercentiles) {
    j[p.name] = empty ? nlohmann::json() : scaled(d.percentile(p.parts_per_million), scale);
  }
  return j;
}

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> parts;
  for (std::size_t start = 0;;) {
    const std::size_t dot = path.find('.', start);
    parts.push_back(path.substr(start, dot - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return parts;
}

}  // namespace

Report::~Report() = default;

template <typename Make>
Report::Entry& Report::find_or_add(std::string_view path, std::size_t kind, Make make) {
  const auto parts = split_path(path);
  if (std::any_of(parts.begin(), parts.end(), [](std::string_view p) { return p.empty(); })) {
    throw std::logic_error(fmt::format("report path \"{}\" has an empty segment", path));
  }
  if (auto it = entries_.find(path); it != entries_.end()) {
    if (it->second.index() != kind) {
      throw std::logic_error(
          fmt::format("report path \"{}\" is already used for another kind of figure", path));
    }
    return it->second;
  }
  // A leaf cannot also be an inner node: "a.b" excludes "a" and "a.b.c".
  const std::string below = std::string(path) + '.';
  if (auto it = entries_.lower_bound(below); it != entries_.end() && it->first.starts_with(below)) {
    throw std::logic_error(fmt::format("report path \"{}\" clashes with \"{}\"", path, it->first));
  }
  for (std::size_t dot = path.find('.'); dot != std::string_view::npos;
       dot = path.find('.', dot + 1)) {
    if (entries_.contains(path.substr(0, dot))) {
      throw std::logic_error(
          fmt::format("report path \"{}\" clashes with \"{}\"", path, path.substr(0, dot)));
    }
  }
  return entries_.emplace(std::string(path), make()).first->second;
}

std::uint64_t& Report::counter(std::string_view path) {
  Entry& e = find_or_add(path, 0, [] { return Entry{std::make_unique<std::uint64_t>(0)}; });
  return *std::get<0>(e);
}

void Report::set_figure(std::string_view path, Figure figure) {
  Entry& e = find_or_add(path, 1, [] { return Entry{Figure{}}; });
  std::get<1>(e) = std::move(figure);
}

void Report::set(std::string_view path, double value, int decimals) {
  set_figure(path, Figure{round_to(value, std::clamp(decimals, 0, kMaxDecimals))});
}

void Report::set(std::string_view path, std::string_view text) {
  set_figure(path, Figure{std::string(text)});
}

Distribution& Report::distribution(std::string_view path, SampleScale scale) {
  Entry& e = find_or_add(path, 2, [scale] {
    return Entry{DistributionEntry{std::make_unique<Distribution>(), scale}};
  });
  return *std::get<2>(e).samples;
}

const Distribution* Report::find_distribution(std::string_view path, SampleScale* scale) const {
  const auto it = entries_.find(path);
  if (it == entries_.end() || !std::holds_alternative<DistributionEntry>(it->second))
    return nullptr;
  const DistributionEntry& entry = std::get<DistributionEntry>(it->second);
  if (scale != nullptr) *scale = entry.scale;
  return entry.samples.get();
}

void Report::set_wall_time_s(double seconds) {
  wall_time_s_ = round_to(seconds, 3);
}

nlohmann::json Report::to_json(WallTime wall_time) const {
  nlohmann::json root = nlohmann::json::object();
  for (const auto& [path, entry] : entries_) {
    nlohmann::json* node = &root;
    for (std::string_view part : split_path(path))
      node = &(*node)[std::string(part)];
    std::visit(
        [node](const auto& e) {
          using E = std::decay_t<decltype(e)>;
          if constexpr (std::is_same_v<E, std::unique_ptr<std::uint64_t>>) {
            *node = *e;
          } else if constexpr (std::is_same_v<E, Figure>) {
            std::visit([node](const auto& v) { *node = v; }, e);
          } else {
            *node = render(*e.samples, e.scale);
          }
        },
        entry);
  }
  if (wall_time == WallTime::kInclude && wall_time_s_) root["wall_time_s"] = *wall_time_s_;
  return root;
}

std::string Report::to_json_text(WallTime wall_time) const {
  return to_json(wall_time).dump(2) + "\n";
}

std::string Report::summary_table(WallTime wall_time) const {
  // Rows in path order; a distribution takes one row with its percentiles.
  struct Row {
    std::string name;
    std::string value;
    bool align_right;
  };
  std::vector<Row> rows;
  const nlohmann::json all = to_json(wall_time);
  for (const auto& [path, entry] : entries_) {
    const nlohmann::json* node = &all;
    for (std::string_view part : split_path(path))
      node = &node->at(std::string(part));
    if (!std::holds_alternative<DistributionEntry>(entry)) {
      rows.push_back({path, node->is_string() ? node->get<std::string>() : node->dump(), true});
      continue;
    }
    std::string text = fmt::format("n={}", node->at("count").get<std::uint64_t>());
    if (node->at("count").get<std::uint64_t>() > 0) {
      for (const char* key : {"min", "mean", "p50", "p99", "p99.9", "max"}) {
        text += fmt::format("  {} {}", key, node->at(key).dump());
      }
    }
    rows.push_back({path, std::move(text), false});
  }
  if (all.contains("wall_time_s")) rows.push_back({"wall_time_s", all["wall_time_s"].dump(), true});

  std::size_t name_width = 6;
  std::size_t value_width = 5;
  for (const Row& row : rows) {
    name_width = std::max(name_width, row.name.size());
    if (row.align_right) value_width = std::max(value_width, row.value.size());
  }
  std::string out = fmt::format("{:<{}}  {:>{}}\n", "figure", name_width, "value", value_width);
  for (const Row& row : rows) {
    out += row.align_right
               ? fmt::format("{:<{}}  {:>{}}\n", row.name, name_width, row.value, value_width)
               : fmt::format("{:<{}}  {}\n", row.name, name_width, row.value);
  }
  return out;
}

}  // namespace hilcap::sim
