#include "cli/argument_checks.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>
#include <string>

namespace hilcap::sim {
namespace {

// The argument as it reads in a message: quoted, escaped, shortened.
std::string as_typed(const std::string& text) {
  constexpr std::size_t kMaxShown = 40;
  std::string shown = text.size() > kMaxShown ? text.substr(0, kMaxShown) + "..." : text;
  return nlohmann::json(shown).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// "10000000", "0.5", "1e+09": a bound as a person reads it.
std::string readable(double value) {
  return fmt::format("{:.15g}", value);
}

}  // namespace

CLI::Validator whole_number(std::uint64_t min, std::uint64_t max) {
  const std::string range = fmt::format("{}..{}", min, max);
  return CLI::Validator(
      [min, max, range](std::string& text) -> std::string {
        std::uint64_t value = 0;
        const char* end = text.data() + text.size();
        const auto [stop, ec] = std::from_chars(text.data(), end, value);
        if (text.empty() || ec != std::errc() || stop != end || value < min || value > max) {
          return fmt::format("expected a whole number in {}, found {}", range, as_typed(text));
        }
        return {};
      },
      fmt::format("INT in {}", range));
}

CLI::Validator positive_number(double max, std::string_view unit) {
  const std::string expected = fmt::format("a number of {} > 0 and <= {}", unit, readable(max));
  return CLI::Validator(
      [max, expected](std::string& text) -> std::string {
        double value = 0;
        const char* end = text.data() + text.size();
        const auto [stop, ec] = std::from_chars(text.data(), end, value);
        if (text.empty() || ec != std::errc() || stop != end || !std::isfinite(value) ||
            !(value > 0) || value > max) {
          return fmt::format("expected {}, found {}", expected, as_typed(text));
        }
        return {};
      },
      fmt::format("NUMBER in (0, {}]", readable(max)));
}

}  // namespace hilcap::sim
