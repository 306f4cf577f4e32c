#include "timing_recording.h"

#include <fmt/format.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <limits>
#include <optional>
#include <sstream>
#include <string>

namespace hilcap::device {
namespace {

constexpr std::string_view kTimeExpectation = "a time with a unit (ns, us, ms, s)";

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t\r");
  return s.substr(first, last - first + 1);
}

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// "33366.667us" -> 33366667. Exact: the fraction is scaled in integers and
// truncated below 1 ns. nullopt when the token is not a time.
std::optional<TimeNs> parse_time(std::string_view token) {
  std::size_t unit_at = token.size();
  while (unit_at > 0 && ((token[unit_at - 1] >= 'a' && token[unit_at - 1] <= 'z')))
    --unit_at;
  const std::string_view unit = token.substr(unit_at);
  const std::string_view number = token.substr(0, unit_at);
  std::uint64_t ns_per_unit = 0;
  if (unit == "ns") {
    ns_per_unit = 1;
  } else if (unit == "us") {
    ns_per_unit = 1'000;
  } else if (unit == "ms") {
    ns_per_unit = 1'000'000;
  } else if (unit == "s") {
    ns_per_unit = 1'000'000'000;
  } else {
    return std::nullopt;
  }
  const auto dot = number.find('.');
  const std::string_view whole = number.substr(0, dot);
  const std::string_view fraction =
      dot == std::string_view::npos ? std::string_view{} : number.substr(dot + 1);
  if (!all_digits(whole) || (dot != std::string_view::npos && !all_digits(fraction))) {
    return std::nullopt;
  }
  // Anything beyond ~292 years of nanoseconds is rejected rather than wrapped.
  constexpr std::uint64_t kMaxNs = std::numeric_limits<TimeNs>::max() / 2;
  std::uint64_t whole_value = 0;
  const auto [end, ec] = std::from_chars(whole.data(), whole.data() + whole.size(), whole_value);
  if (ec != std::errc{} || end != whole.data() + whole.size() ||
      whole_value > kMaxNs / ns_per_unit) {
    return std::nullopt;
  }
  std::uint64_t ns = whole_value * ns_per_unit;
  // Only digits that can matter at 1 ns resolution (at most 9) are used.
  std::uint64_t scale = ns_per_unit;
  for (std::size_t i = 0; i < fraction.size() && scale > 1; ++i) {
    scale /= 10;
    ns += static_cast<std::uint64_t>(fraction[i] - '0') * scale;
  }
  return static_cast<TimeNs>(ns);
}

}  // namespace

std::variant<TimingRecording, FieldError> parse_timing_recording(std::string_view text,
                                                                 std::string_view pointer) {
  TimingRecording recording;
  TimeNs first_time = 0;
  TimeNs previous_time = 0;
  std::size_t line_number = 0;
  auto error = [&](std::string expected, std::string_view found) {
    return FieldError{std::string(pointer), fmt::format("{} on line {}", expected, line_number),
                      fmt::format("\"{}\"", found)};
  };
  while (!text.empty()) {
    ++line_number;
    const auto newline = text.find('\n');
    std::string_view line = text.substr(0, newline);
    text = newline == std::string_view::npos ? std::string_view{} : text.substr(newline + 1);
    const std::string_view raw_line = trim(line);
    line = trim(line.substr(0, line.find('#')));
    if (line.empty()) continue;

    std::string_view tokens[4];
    std::size_t count = 0;
    while (!line.empty()) {
      const auto end = line.find_first_of(" \t");
      if (count == 3) return error("at most <time> <bytes> error", raw_line);
      tokens[count++] = line.substr(0, end);
      line = end == std::string_view::npos ? std::string_view{} : trim(line.substr(end));
    }

    const auto time = parse_time(tokens[0]);
    if (!time) return error(std::string(kTimeExpectation), tokens[0]);
    RecordedFrame frame;
    for (std::size_t i = 1; i < count; ++i) {
      if (tokens[i] == "error" && !frame.error) {
        frame.error = true;
      } else if (i == 1 && all_digits(tokens[i])) {
        const auto [end, ec] =
            std::from_chars(tokens[i].data(), tokens[i].data() + tokens[i].size(), frame.bytes);
        if (ec != std::errc{}) return error("a byte count below 2^32", tokens[i]);
      } else {
        return error("a byte count or the word error after the time", tokens[i]);
      }
    }
    if (recording.frames.empty()) {
      first_time = *time;
    } else if (*time <= previous_time) {
      return error("a time later than the previous frame's", tokens[0]);
    }
    previous_time = *time;
    frame.at_ns = *time - first_time;
    recording.frames.push_back(frame);
  }
  if (recording.frames.size() < 2) {
    return FieldError{std::string(pointer), "a recording of at least 2 frames",
                      fmt::format("{} frame(s)", recording.frames.size())};
  }
  return recording;
}

std::variant<TimingRecording, FieldError> load_timing_recording(const std::filesystem::path& path,
                                                                std::string_view pointer) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return FieldError{std::string(pointer), "a readable timing recording file",
                      fmt::format("{} ({})", path.string(), std::strerror(errno))};
  }
  std::ostringstream text;
  text << in.rdbuf();
  return parse_timing_recording(text.str(), pointer);
}

}  // namespace hilcap::device
