#include "sweep/sweep_grid.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>

namespace hilcap::sim {
namespace {

using Json = nlohmann::json;

// Grids bigger than this are surely a typo (0..1000000:0.001).
constexpr std::size_t kMaxValuesPerDimension = 100'000;

std::optional<double> number(std::string_view text) {
  const Json value = Json::parse(text, nullptr, false);
  if (value.is_discarded() || !value.is_number()) return std::nullopt;
  return value.get<double>();
}

bool integral(std::string_view text) {
  const Json value = Json::parse(text, nullptr, false);
  return !value.is_discarded() && value.is_number_integer();
}

std::optional<std::vector<Json>> range_values(std::string_view text, std::string& error) {
  const std::size_t dots = text.find("..");
  std::string_view low_text = text.substr(0, dots);
  std::string_view rest = text.substr(dots + 2);
  std::string_view step_text;
  if (const std::size_t colon = rest.find(':'); colon != std::string_view::npos) {
    step_text = rest.substr(colon + 1);
    rest = rest.substr(0, colon);
  }
  const auto low = number(low_text);
  const auto high = number(rest);
  const auto step = step_text.empty() ? std::optional<double>(1.0) : number(step_text);
  if (!low || !high || !step) {
    error =
        fmt::format("expected a range LOW..HIGH or LOW..HIGH:STEP of numbers, found \"{}\"", text);
    return std::nullopt;
  }
  if (*low > *high || *step <= 0) {
    error = fmt::format("expected a range with LOW <= HIGH and STEP > 0, found \"{}\"", text);
    return std::nullopt;
  }
  const bool integers =
      integral(low_text) && integral(rest) && (step_text.empty() || integral(step_text));
  const double count = std::floor((*high - *low) / *step + 1e-9) + 1;
  if (count > static_cast<double>(kMaxValuesPerDimension)) {
    error = fmt::format("expected at most {} values, found {:.0f} in \"{}\"",
                        kMaxValuesPerDimension, count, text);
    return std::nullopt;
  }
  std::vector<Json> values;
  for (std::size_t i = 0; i < static_cast<std::size_t>(count); ++i) {
    const double v = *low + static_cast<double>(i) * *step;
    if (integers) {
      values.emplace_back(static_cast<std::int64_t>(std::llround(v)));
    } else {
      values.emplace_back(std::round(v * 1e9) / 1e9);  // 0.1 + 2 * 0.1 reads 0.3
    }
  }
  return values;
}

}  // namespace

std::optional<SweepDimension> parse_dimension(std::string_view spec, std::string& error) {
  const std::size_t equals = spec.find('=');
  if (spec.empty() || spec.front() != '/' || equals == std::string_view::npos ||
      equals + 1 == spec.size()) {
    error = fmt::format(
        "expected POINTER=VALUES with a JSON pointer into the scenario and a "
        "range (2..8, 0..1:0.25) or a list (10,20,40), found \"{}\"",
        spec);
    return std::nullopt;
  }
  SweepDimension d;
  d.pointer = std::string(spec.substr(0, equals));
  d.spec = std::string(spec.substr(equals + 1));
  std::string pointer_error;
  if (!parse_override(fmt::format("{}=0", d.pointer), pointer_error)) {
    error = pointer_error;
    return std::nullopt;
  }
  const std::string_view values = spec.substr(equals + 1);
  if (values.find("..") != std::string_view::npos && values.find(',') == std::string_view::npos) {
    auto range = range_values(values, error);
    if (!range) return std::nullopt;
    d.values = std::move(*range);
    return d;
  }
  std::size_t start = 0;
  while (start <= values.size()) {
    const std::size_t comma = std::min(values.find(',', start), values.size());
    const std::string_view item = values.substr(start, comma - start);
    if (item.empty()) {
      error = fmt::format("expected a value between the commas of \"{}\"", values);
      return std::nullopt;
    }
    d.values.push_back(command_line_value(item));
    start = comma + 1;
  }
  return d;
}

std::optional<Shard> parse_shard(std::string_view spec, std::string& error) {
  const std::size_t slash = spec.find('/');
  std::size_t index = 0;
  std::size_t total = 0;
  const auto read = [](std::string_view text, std::size_t& to) {
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), to);
    return ec == std::errc() && end == text.data() + text.size() && !text.empty();
  };
  if (slash == std::string_view::npos || !read(spec.substr(0, slash), index) ||
      !read(spec.substr(slash + 1), total) || total == 0 || index == 0 || index > total) {
    error = fmt::format(
        "expected I/N with 1 <= I <= N (e.g. 2/4, as GitLab's "
        "$CI_NODE_INDEX/$CI_NODE_TOTAL), found \"{}\"",
        spec);
    return std::nullopt;
  }
  return Shard{index - 1, total};
}

SweepGrid::SweepGrid(std::vector<SweepDimension> dimensions, std::vector<std::uint64_t> seeds)
    : dimensions_(std::move(dimensions)), seeds_(std::move(seeds)) {
  if (seeds_.empty()) seeds_.push_back(1);
}

std::size_t SweepGrid::points() const {
  std::size_t n = 1;
  for (const SweepDimension& d : dimensions_)
    n *= d.values.size();
  return n;
}

std::vector<Json> SweepGrid::values_of_point(std::size_t point) const {
  std::vector<Json> values(dimensions_.size());
  for (std::size_t i = dimensions_.size(); i-- > 0;) {
    const std::size_t n = dimensions_[i].values.size();
    values[i] = dimensions_[i].values[point % n];
    point /= n;
  }
  return values;
}

std::vector<ScenarioOverride> SweepGrid::overrides_of_point(std::size_t point) const {
  const std::vector<Json> values = values_of_point(point);
  std::vector<ScenarioOverride> changes;
  for (std::size_t i = 0; i < dimensions_.size(); ++i)
    changes.push_back({dimensions_[i].pointer, values[i]});
  return changes;
}

std::vector<std::size_t> SweepGrid::rows_of(const Shard& shard) const {
  std::vector<std::size_t> mine;
  for (std::size_t row = shard.index; row < rows(); row += shard.total)
    mine.push_back(row);
  return mine;
}

}  // namespace hilcap::sim
