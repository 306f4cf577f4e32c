#include "scenario/json_file.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <unordered_map>
#include <utility>

#include "scenario/json_units.h"

namespace hilcap::sim {
namespace {

using Json = nlohmann::json;

constexpr std::size_t kNotFound = static_cast<std::size_t>(-1);

// nlohmann's parse_error 406: a number that overflows a double.
constexpr int kNumberOverflow = 406;

// Line and column (1-based) of the character at 1-based position `byte`, as
// nlohmann counts it (the last character it read).
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
std::string parse_error_detail(const Json::exception& e) {
  const std::string what = e.what();
  const std::size_t at = what.find("parse error");
  const std::size_t colon = what.find(": ", at == std::string::npos ? 0 : at);
  return colon == std::string::npos ? what : what.substr(colon + 2);
}

// Builds the document from the parser's events (nlohmann's SAX interface):
// every value is placed once, and a duplicate key is found by one lookup in
// the object being built. (nlohmann's own callback parser, used before,
// rescanned the parent container on every closing brace: quadratic in the
// length of an array of objects.) Parse errors become located ScenarioErrors.
class DocumentBuilder {
 public:
  DocumentBuilder(std::string_view text, std::string_view file, std::vector<ScenarioError>& errors)
      : text_(text), file_(file), errors_(errors) {}

  bool null() { return place(Json(nullptr)); }
  bool boolean(bool value) { return place(Json(value)); }
  bool number_integer(Json::number_integer_t value) { return place(Json(value)); }
  bool number_unsigned(Json::number_unsigned_t value) { return place(Json(value)); }
  bool number_float(Json::number_float_t value, const Json::string_t& /*text*/) {
    return place(Json(value));
  }
  bool string(Json::string_t& value) { return place(Json(std::move(value))); }
  bool binary(Json::binary_t& value) { return place(Json::binary(std::move(value))); }

  bool start_object(std::size_t /*elements*/) { return open(Json::object()); }
  bool start_array(std::size_t /*elements*/) { return open(Json::array()); }
  bool end_object() { return close(); }
  bool end_array() { return close(); }

  bool key(Json::string_t& key) {
    Level& top = levels_.back();
    if (top.value->contains(key)) {
      std::string at = pointer(false);
      append_pointer_token(at, key);
      errors_.push_back({ScenarioError::Kind::kValue, std::string(file_), std::move(at),
                         "each property at most once",
                         fmt::format("{} more than once", Json(key).dump())});
    }
    top.key = std::move(key);
    top.key_pending = true;
    return true;
  }

  bool parse_error(std::size_t position, const std::string& last_token, const Json::exception& e) {
    failed_ = true;
    if (e.id == kNumberOverflow) {
      // Located at the number's first character, at the value it was to be.
      const std::size_t start = position >= last_token.size() ? position - last_token.size() : 0;
      const auto [line, column] = line_and_column(text_, start + 1);
      errors_.push_back({ScenarioError::Kind::kValue, std::string(file_), pointer(true),
                         "a number a double can hold (at most 1.7976931348623157e308 in size)",
                         last_token, line, column});
    } else {
      const auto [line, column] = line_and_column(text_, position);
      errors_.push_back({ScenarioError::Kind::kSyntax,
                         std::string(file_),
                         pointer(true),
                         {},
                         parse_error_detail(e),
                         line,
                         column});
    }
    return false;
  }

  bool failed() const { return failed_; }
  Json take() { return std::move(root_); }

 private:
  struct Level {
    Json* value;               // the open object or array
    std::string key;           // objects: the last key read
    bool key_pending = false;  // objects: its value is not placed yet
  };

  // Puts `value` where the parser is: the root, the end of the open array,
  // or the open object's current key (replacing a duplicate's earlier value).
  Json* put(Json value) {
    if (levels_.empty()) {
      root_ = std::move(value);
      return &root_;
    }
    Json& container = *levels_.back().value;
    if (container.is_array()) {
      auto& array = container.get_ref<Json::array_t&>();
      array.push_back(std::move(value));
      return &array.back();
    }
    Json& slot = container.get_ref<Json::object_t&>()[levels_.back().key];
    slot = std::move(value);
    levels_.back().key_pending = false;
    return &slot;
  }

  bool place(Json value) {
    put(std::move(value));
    return true;
  }

  // A container stays the last element of its parent while it is open, so
  // the pointer to it stays valid until it closes.
  bool open(Json container) {
    levels_.push_back({put(std::move(container)), {}, false});
    return true;
  }

  bool close() {
    levels_.pop_back();
    return true;
  }

  // The JSON Pointer of the open container; with `next`, of the value the
  // parser reads next (the next element, or the current key's value).
  std::string pointer(bool next) const {
    std::string at;
    for (std::size_t i = 0; i < levels_.size(); ++i) {
      const Json& container = *levels_[i].value;
      const bool innermost = i + 1 == levels_.size();
      if (innermost && !next) break;
      if (container.is_array()) {
        append_pointer_token(at,
                             std::to_string(innermost ? container.size() : container.size() - 1));
      } else if (!innermost || levels_[i].key_pending) {
        append_pointer_token(at, levels_[i].key);
      }
    }
    return at;
  }

  std::string_view text_;
  std::string_view file_;
  std::vector<ScenarioError>& errors_;
  Json root_;
  std::vector<Level> levels_;
  bool failed_ = false;
};

// An iterator over the text that records how far the parser has read, so
// that each parser event can be given its place in the text.
class TrackedIterator {
 public:
  using iterator_category = std::forward_iterator_tag;
  using value_type = char;
  using difference_type = std::ptrdiff_t;
  using pointer = const char*;
  using reference = const char&;

  TrackedIterator() = default;
  TrackedIterator(const char* at, const char** reached) : at_(at), reached_(reached) {}

  reference operator*() const { return *at_; }
  TrackedIterator& operator++() {
    ++at_;
    if (reached_ != nullptr) *reached_ = at_;
    return *this;
  }
  TrackedIterator operator++(int) {
    TrackedIterator before = *this;
    ++*this;
    return before;
  }
  bool operator==(const TrackedIterator& other) const { return at_ == other.at_; }

 private:
  const char* at_ = nullptr;
  const char** reached_ = nullptr;
};

// Records where the wanted pointers are written: keeps the pointer of the
// current value as text and looks it up at each key and array element.
class PointerLocator {
 public:
  PointerLocator(const char* base, const char* const& reached,
                 std::unordered_map<std::string, std::size_t>& wanted)
      : base_(base), reached_(reached), wanted_(wanted) {}

  bool null() { return element(); }
  bool boolean(bool /*value*/) { return element(); }
  bool number_integer(Json::number_integer_t /*value*/) { return element(); }
  bool number_unsigned(Json::number_unsigned_t /*value*/) { return element(); }
  bool number_float(Json::number_float_t /*value*/, const Json::string_t& /*text*/) {
    return element();
  }
  bool string(Json::string_t& /*value*/) { return element(); }
  bool binary(Json::binary_t& /*value*/) { return element(); }
  bool start_object(std::size_t /*elements*/) { return open(false); }
  bool start_array(std::size_t /*elements*/) { return open(true); }
  bool end_object() { return close(); }
  bool end_array() { return close(); }
  bool key(Json::string_t& key) {
    path_.resize(levels_.back().length);
    append_pointer_token(path_, key);
    record();
    return true;
  }
  bool parse_error(std::size_t /*position*/, const std::string& /*token*/,
                   const Json::exception& /*e*/) {
    return false;
  }

 private:
  struct Level {
    bool is_array;
    std::size_t elements;  // arrays: elements begun so far
    std::size_t length;    // of path_ for the container itself
  };

  // A value begins: in an array, it is the next element.
  bool element() {
    if (!levels_.empty() && levels_.back().is_array) {
      Level& top = levels_.back();
      path_.resize(top.length);
      append_pointer_token(path_, std::to_string(top.elements++));
      record();
    }
    return true;
  }

  bool open(bool is_array) {
    element();
    levels_.push_back({is_array, 0, path_.size()});
    return true;
  }

  bool close() {
    levels_.pop_back();
    if (!levels_.empty()) path_.resize(levels_.back().length);
    return true;
  }

  void record() {
    const auto it = wanted_.find(path_);
    if (it != wanted_.end() && it->second == kNotFound) {
      it->second = static_cast<std::size_t>(reached_ - base_);
    }
  }

  const char* base_;
  const char* const& reached_;
  std::unordered_map<std::string, std::size_t>& wanted_;
  std::string path_;
  std::vector<Level> levels_;
};

}  // namespace

JsonFile parse_json_text(std::string_view text, std::string_view file) {
  JsonFile result;
  DocumentBuilder builder(text, file, result.errors);
  bool parsed = false;
  try {
    parsed = Json::sax_parse(text.begin(), text.end(), &builder);
  } catch (const std::exception& e) {
    // The builder answers every parse error itself; this only catches what
    // the library could still throw (e.g. memory exhausted).
    result.errors.clear();
    result.errors.push_back({ScenarioError::Kind::kSyntax,
                             std::string(file),
                             {},
                             {},
                             fmt::format("cannot be parsed: {}", e.what()),
                             0,
                             0});
    return result;
  }
  if (!parsed || builder.failed()) {
    // Duplicates found before the error are noise next to it.
    std::erase_if(result.errors, [](const ScenarioError& e) {
      return e.line == 0 && e.kind == ScenarioError::Kind::kValue;
    });
    return result;
  }
  result.document = builder.take();
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

std::vector<std::size_t> locate_pointers(std::string_view text,
                                         const std::vector<std::string>& pointers) {
  // Every pointer and each of its ancestors, so that an absent one falls
  // back to the nearest ancestor present.
  std::unordered_map<std::string, std::size_t> wanted;
  for (const std::string& pointer : pointers) {
    for (std::size_t slash = pointer.size(); slash != std::string::npos && slash > 0;
         slash = pointer.rfind('/', slash - 1)) {
      wanted.emplace(pointer.substr(0, slash), kNotFound);
    }
  }
  const char* reached = text.data();
  PointerLocator locator(text.data(), reached, wanted);
  try {
    Json::sax_parse(TrackedIterator(text.data(), &reached),
                    TrackedIterator(text.data() + text.size(), nullptr), &locator);
  } catch (const std::exception&) {
    // Only ordering depends on this: what was found so far is kept.
  }
  std::vector<std::size_t> offsets;
  offsets.reserve(pointers.size());
  for (const std::string& pointer : pointers) {
    std::size_t offset = 0;
    for (std::size_t slash = pointer.size(); slash != std::string::npos && slash > 0;
         slash = pointer.rfind('/', slash - 1)) {
      const auto it = wanted.find(pointer.substr(0, slash));
      if (it != wanted.end() && it->second != kNotFound) {
        offset = it->second;
        break;
      }
    }
    offsets.push_back(offset);
  }
  return offsets;
}

}  // namespace hilcap::sim
