#include "sweep/sweep_answer.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <optional>

namespace hilcap::sim {
namespace {

using Json = nlohmann::json;

std::string value_text(const Json& v) {
  return v.is_string() ? v.get<std::string>() : v.dump();
}

std::string list_text(const std::vector<Json>& values) {
  std::string out;
  for (std::size_t i = 0; i < values.size(); ++i)
    out += (i == 0 ? "" : ", ") + value_text(values[i]);
  return out;
}

bool is_zero(const Json& v) {
  return v.is_number() && v.get<double>() == 0;
}

// The knob's values where the metric is zero at every seed of a condition:
// per knob value (in the knob's order) zero / not zero / no rows.
enum class Cell : std::uint8_t { kZero, kNonZero, kMissing };

struct Condition {
  std::vector<Json> values;  // the other dimensions'
  std::vector<Cell> cells;   // per knob value
};

// The first index from which every cell is zero (a suffix), if any.
std::optional<std::size_t> suffix_start(const std::vector<Cell>& cells) {
  std::optional<std::size_t> start;
  for (std::size_t i = cells.size(); i-- > 0;) {
    if (cells[i] != Cell::kZero) break;
    start = i;
  }
  return start;
}

// The last index up to which every cell is zero (a prefix), if any.
std::optional<std::size_t> prefix_end(const std::vector<Cell>& cells) {
  std::optional<std::size_t> end;
  for (std::size_t i = 0; i < cells.size(); ++i) {
    if (cells[i] != Cell::kZero) break;
    end = i;
  }
  return end;
}

std::string condition_text(const SweepTable& t, const std::vector<Json>& values, bool first) {
  std::string out;
  for (std::size_t i = 0; i < values.size(); ++i) {
    out += i == 0 ? "" : ", ";
    out += first ? fmt::format("{}={}", t.dimensions[i + 1].pointer, value_text(values[i]))
                 : value_text(values[i]);
  }
  return out;
}

std::string answer_for(const SweepTable& t, std::size_t m) {
  const std::string& metric = t.metrics[m];
  const std::string seeds = t.seeds.size() > 1 ? " (every seed)" : "";
  std::vector<const SweepRow*> measured;
  for (const SweepRow& r : t.rows) {
    if (m < r.metrics.size() && r.metrics[m].is_number()) measured.push_back(&r);
  }
  if (measured.empty()) return fmt::format("{}: no run's report has this figure", metric);
  const auto zeros = static_cast<std::size_t>(std::count_if(
      measured.begin(), measured.end(), [m](const SweepRow* r) { return is_zero(r->metrics[m]); }));
  const std::string incomplete =
      missing_rows(t) > 0 ? fmt::format(" ({} of {} runs missing)", missing_rows(t), t.rows_total)
                          : "";
  if (zeros == measured.size())
    return fmt::format("{} = 0 at every point of the grid{}{}", metric, seeds, incomplete);
  if (zeros == 0 || t.dimensions.empty()) {
    const auto [low, high] = std::minmax_element(
        measured.begin(), measured.end(), [m](const SweepRow* a, const SweepRow* b) {
          return a->metrics[m].get<double>() < b->metrics[m].get<double>();
        });
    const auto where = [&](const SweepRow* r) {
      std::string text;
      for (std::size_t i = 0; i < t.dimensions.size(); ++i)
        text += fmt::format("{}{}={}", i == 0 ? "" : ", ", t.dimensions[i].pointer,
                            value_text(r->values[i]));
      return text.empty() ? fmt::format("seed {}", r->seed) : text;
    };
    const std::string range =
        fmt::format("from {} ({}) to {} ({})", value_text((*low)->metrics[m]), where(*low),
                    value_text((*high)->metrics[m]), where(*high));
    if (zeros == 0) return fmt::format("{} is 0 at no point: {}{}", metric, range, incomplete);
    return fmt::format("{} = 0 at {} of {} seeds: {}{}", metric, zeros, measured.size(), range,
                       incomplete);
  }

  // The knob and the conditions.
  const SweepDimension& knob = t.dimensions.front();
  std::map<std::string, Condition> conditions;
  std::vector<std::string> order;
  for (const SweepRow& r : t.rows) {
    const std::vector<Json> rest(r.values.begin() + 1, r.values.end());
    const std::string key = Json(rest).dump();
    auto [at, added] = conditions.try_emplace(key);
    if (added) {
      at->second.values = rest;
      at->second.cells.assign(knob.values.size(), Cell::kMissing);
      order.push_back(key);
    }
    const auto k = static_cast<std::size_t>(
        std::find(knob.values.begin(), knob.values.end(), r.values.front()) - knob.values.begin());
    if (k >= knob.values.size()) continue;
    Cell& cell = at->second.cells[k];
    const bool zero = m < r.metrics.size() && is_zero(r.metrics[m]);
    if (!zero) {
      cell = Cell::kNonZero;
    } else if (cell == Cell::kMissing) {
      cell = Cell::kZero;
    }
  }
  // Zero above a boundary (more frames) or below one (shorter holds): the
  // reading that holds where the metric is zero anywhere.
  bool upward = true;
  bool downward = true;
  for (const auto& [key, c] : conditions) {
    const bool any = std::find(c.cells.begin(), c.cells.end(), Cell::kZero) != c.cells.end();
    if (!any) continue;
    if (!suffix_start(c.cells)) upward = false;
    if (!prefix_end(c.cells)) downward = false;
  }
  const bool up = upward || !downward;
  std::vector<std::pair<std::string, std::size_t>> boundaries;  // condition, knob index
  std::vector<std::string> never;
  for (const std::string& key : order) {
    const Condition& c = conditions.at(key);
    const auto at = up ? suffix_start(c.cells) : prefix_end(c.cells);
    const std::string label = condition_text(t, c.values, boundaries.empty() && never.empty());
    if (at) {
      boundaries.emplace_back(label, *at);
    } else {
      never.push_back(condition_text(t, c.values, true));
    }
  }
  std::string text;
  const char* op = up ? ">=" : "<=";
  if (!boundaries.empty()) {
    std::size_t worst = boundaries.front().second;
    for (const auto& [label, k] : boundaries)
      worst = up ? std::max(worst, k) : std::min(worst, k);
    text = fmt::format("{} {} {} gives {} = 0", knob.pointer, op, value_text(knob.values[worst]),
                       metric);
    if (t.dimensions.size() > 1) {
      std::string others;
      for (std::size_t i = 1; i < t.dimensions.size(); ++i)
        others += fmt::format("{}{} in {}", i == 1 ? "" : " and ", t.dimensions[i].pointer,
                              list_text(t.dimensions[i].values));
      text += never.empty() ? fmt::format(" for every {}", others) : " where it can";
    }
    text += seeds;
    const bool differ = std::any_of(boundaries.begin(), boundaries.end(),
                                    [&](const auto& b) { return b.second != worst; });
    if (t.dimensions.size() > 1 && differ) {
      text += fmt::format("; the {} {} with {} = 0: ", up ? "smallest" : "largest", knob.pointer,
                          metric);
      for (std::size_t i = 0; i < boundaries.size(); ++i) {
        text += fmt::format("{}{} at {}", i == 0 ? "" : ", ",
                            value_text(knob.values[boundaries[i].second]), boundaries[i].first);
      }
    }
  }
  if (!never.empty()) {
    text += fmt::format("{}no {} in {} gives {} = 0 at ", text.empty() ? "" : "; ", knob.pointer,
                        list_text(knob.values), metric);
    for (std::size_t i = 0; i < never.size(); ++i)
      text += (i == 0 ? "" : "; ") + never[i];
  }
  return text + incomplete;
}

}  // namespace

std::vector<std::string> boundary_answers(const SweepTable& table) {
  std::vector<std::string> answers;
  for (std::size_t m = 0; m < table.metrics.size(); ++m)
    answers.push_back(answer_for(table, m));
  return answers;
}

}  // namespace hilcap::sim
