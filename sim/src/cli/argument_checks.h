// Checks of the numbers given on the command line, shared by every command.
// Each looks at the text as typed, before CLI11 converts it, so that "-1"
// is never wrapped into a huge unsigned value and "nan", "inf" or "1e308"
// never reach a conversion; what it refuses is said with readable bounds:
//   --frames: expected a whole number in 1..1000000000000, found "-1"
//   --duration: expected a number of seconds > 0 and <= 10000000, found "nan"
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string_view>

namespace hilcap::sim {

// A whole decimal number in [min, max] (no sign, no fraction, no exponent).
CLI::Validator whole_number(std::uint64_t min, std::uint64_t max);

// A finite number > 0 and <= max; `unit` names it ("seconds", "frames per second").
CLI::Validator positive_number(double max, std::string_view unit);

// The longest duration a command takes (as a scenario's duration_s may be).
inline constexpr double kMaxDurationSeconds = 10'000'000;

}  // namespace hilcap::sim
