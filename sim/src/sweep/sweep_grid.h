// A parameter sweep's grid (`hilcap sweep --vary POINTER=VALUES ... --seeds
// N --shard I/N`): the dimensions, each a JSON pointer into the scenario with
// its values (a range 2..8, 0..10:2.5 with a step, or a list 10,20,40), and
// the seeds each point repeats with. A row is one point at one seed,
// numbered in grid order (the first --vary the slowest, the seed the
// fastest), and that number alone decides its shard: row r belongs to
// shard r mod N, so that a CI farm's N jobs each run a fixed, disjoint part
// and their outputs merge into the whole.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/test_command.h"
#include "scenario/scenario_overrides.h"

namespace hilcap::sim {

struct SweepDimension {
  std::string pointer;  // "/allocator/frames"
  std::string spec;     // as given: "2..8"
  std::vector<nlohmann::json> values;
};

// "POINTER=VALUES"; nullopt with `error` set ("--vary /a=8..2: expected a
// range low..high with low <= high, found 8..2").
std::optional<SweepDimension> parse_dimension(std::string_view spec, std::string& error);

// "I/N" with 1 <= I <= N (GitLab's CI_NODE_INDEX/CI_NODE_TOTAL), as the
// 0-based Shard GoogleTest's variables also give (shard_from_environment).
std::optional<Shard> parse_shard(std::string_view spec, std::string& error);

class SweepGrid {
 public:
  SweepGrid(std::vector<SweepDimension> dimensions, std::vector<std::uint64_t> seeds);

  const std::vector<SweepDimension>& dimensions() const { return dimensions_; }
  const std::vector<std::uint64_t>& seeds() const { return seeds_; }
  std::size_t points() const;  // values multiplied over the dimensions
  std::size_t rows() const { return points() * seeds_.size(); }

  // Row r: its point, seed, and the values of its point, one per dimension.
  std::size_t point_of(std::size_t row) const { return row / seeds_.size(); }
  std::uint64_t seed_of(std::size_t row) const { return seeds_[row % seeds_.size()]; }
  std::vector<nlohmann::json> values_of_point(std::size_t point) const;
  std::vector<ScenarioOverride> overrides_of_point(std::size_t point) const;

  // The rows of `shard`, in order.
  std::vector<std::size_t> rows_of(const Shard& shard) const;

 private:
  std::vector<SweepDimension> dimensions_;
  std::vector<std::uint64_t> seeds_;
};

}  // namespace hilcap::sim
