// The run's report: counters and figures arranged by dotted path
// ("frames.dropped.by_reason.starvation"), plus latency distributions.
//
// The runner registers a counter once and bumps the returned reference on its
// hot path. Output is deterministic: keys sorted, integers as integers, other
// numbers rounded to a fixed number of decimals when they are set, and
// wall_time_s (the only figure that differs between two runs with the same
// seed) a separate top-level key that WallTime::kOmit leaves out.
#pragma once

#include <concepts>
#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "report/distribution.h"

namespace hilcap::sim {

enum class WallTime { kInclude, kOmit };

// How a distribution's integer samples are shown: samples in ns shown in µs
// with 3 decimals (exact), or as recorded.
enum class SampleScale : std::int64_t { kAsRecorded = 1, kNsToUs = 1000, kNsToMs = 1'000'000 };

class Report {
 public:
  Report() = default;
  Report(Report&&) = default;
  Report& operator=(Report&&) = default;
  ~Report();

  // Registers (or finds) a counter, starting at 0. The reference stays valid
  // for the Report's lifetime, also across moves of the Report.
  std::uint64_t& counter(std::string_view path);

  // A figure set once (or overwritten): integer, boolean, text, or a real
  // number rounded to `decimals` (0..9) so that its text is stable.
  template <std::integral T>
  void set(std::string_view path, T value) {
    if constexpr (std::same_as<T, bool>) {
      set_figure(path, Figure{value});
    } else if constexpr (std::signed_integral<T>) {
      set_figure(path, Figure{static_cast<std::int64_t>(value)});
    } else {
      set_figure(path, Figure{static_cast<std::uint64_t>(value)});
    }
  }
  void set(std::string_view path, double value, int decimals);
  void set(std::string_view path, std::string_view text);

  // Registers (or finds) a distribution; rendered as an object with count,
  // min, mean, p50, p90, p99, p99.9 and max (null when it has no samples).
  Distribution& distribution(std::string_view path, SampleScale scale);

  // The distribution registered at `path` and how it is shown, or null
  // (nothing is added).
  const Distribution* find_distribution(std::string_view path, SampleScale* scale = nullptr) const;

  void set_wall_time_s(double seconds);

  nlohmann::json to_json(WallTime wall_time) const;
  // Two-space indented JSON and a final newline: the --report file.
  std::string to_json_text(WallTime wall_time) const;
  // A readable two-column table for stdout.
  std::string summary_table(WallTime wall_time) const;

 private:
  using Figure = std::variant<std::int64_t, std::uint64_t, double, bool, std::string>;
  struct DistributionEntry {
    std::unique_ptr<Distribution> samples;
    SampleScale scale;
  };
  // A counter lives behind a pointer so the reference handed out survives moves.
  using Entry = std::variant<std::unique_ptr<std::uint64_t>, Figure, DistributionEntry>;

  void set_figure(std::string_view path, Figure figure);
  // Finds the entry at `path` or creates it with `make`; a path that clashes
  // with another entry (same path as another kind, or one is a prefix of the
  // other) is a programming error and throws std::logic_error.
  template <typename Make>
  Entry& find_or_add(std::string_view path, std::size_t kind, Make make);

  std::map<std::string, Entry, std::less<>> entries_;
  std::optional<double> wall_time_s_;
};

}  // namespace hilcap::sim
