#include "scenario/json_file.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

namespace hilcap::sim {
namespace {

// Tracks where the parser is (for the JSON Pointer of a duplicate key) and
// the keys already seen in each open object.
class DuplicateKeyFinder {
 public:
  DuplicateKeyFinder(std::string_view file, std::vector<ScenarioError>& errors)
      : file_(file), errors_(errors) {}

  bool operator()(int /*depth*/, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
    using Event = nlohmann::json::parse_event_t;
    switch (event) {
      case Event::object_start:
      case Event::array_start:
        count_array_element();
        frames_.push_back({event == Event::array_start, 0, {}, {}});
        break;
      case Event::object_end:
      case Event::array_end:
        frames_.pop_back();
        break;
      case Event::key: {
        Frame& top = frames_.back();
        top.key = parsed.get<std::string>();
        if (!top.keys.insert(top.key).second) {
          errors_.push_back({ScenarioError::Kind::kValue, std::string(file_), pointer(),
                             "each property at most once",
                             fmt::format("{} more than once", nlohmann::json(top.key).dump())});
        }
        break;
      }
      case Event::value:
        count_array_element();
        break;
    }
    return true;
  }

 private:
  struct Frame {
    bool is_array;
    std::size_t elements;  // arrays: elements begun so far
    std::set<std::string> keys;
    std::string key;  // objects: the key being parsed
  };

  void count_array_element() {
    if (!frames_.empty() && frames_.back().is_array) ++frames_.back().elements;
  }

  std::string pointer() const {
    nlohmann::json::json_pointer p;
    for (const Frame& f : frames_) {
      p /= f.is_array ? std::to_string(f.elements - 1) : f.key;
    }
    return p.to_string();
  }

  std::string_view file_;
  std::vector<ScenarioError>& errors_;
  std::vector<Frame> frames_;
};

// nlohmann reports the byte of the last character read (1-based).
std::pair<std::size_t, std::size_t> line_and_column(std::string_view text, std::size_t byte) {
  const std::size_t end = std::min(byte == 0 ? 0 : byte - 1, text.size());
  const std::size_t line =
      1 + static_cast<std::size_t>(std::count(text.begin(), text.begin() + end, '\n'));
  const std::size_t line_start = text.rfind('\n', end == 0 ? 0 : end - 1);
  const std::size_t column =
      line_start == std::string_view::npos || end == 0 ? end + 1 : end - line_start;
  return {line, column};
}

// "[json.exception.parse_error.101] parse error at line 1, column 2: syntax error ..."
// -> "syntax error ...": the position is reported separately.
std::string parse_error_detail(const nlohmann::json::parse_error& e) {
  const std::string what = e.what();
  const std::size_t at = what.find("parse error");
  const std::size_t colon = what.find(": ", at == std::string::npos ? 0 : at);
  return colon == std::string::npos ? what : what.substr(colon + 2);
}

}  // namespace

JsonFile parse_json_text(std::string_view text, std::string_view file) {
  JsonFile result;
  DuplicateKeyFinder finder(file, result.errors);
  try {
    result.document = nlohmann::json::parse(text.begin(), text.end(), std::ref(finder));
  } catch (const nlohmann::json::parse_error& e) {
    const auto [line, column] = line_and_column(text, e.byte);
    result.errors.clear();  // duplicates found before a syntax error are noise
    result.errors.push_back({ScenarioError::Kind::kSyntax,
                             std::string(file),
                             {},
                             {},
                             parse_error_detail(e),
                             line,
                             column});
    result.document.reset();
  }
  return result;
}

JsonFile load_json_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::error_code ec;
  if (!in || std::filesystem::is_directory(path, ec)) {
    const std::string reason =
        std::filesystem::is_directory(path, ec) ? "it is a directory" : std::strerror(errno);
    JsonFile result;
    result.errors.push_back({ScenarioError::Kind::kUnreadable, path.string(), {}, {}, reason});
    return result;
  }
  std::ostringstream text;
  text << in.rdbuf();
  return parse_json_text(text.str(), path.string());
}

}  // namespace hilcap::sim
