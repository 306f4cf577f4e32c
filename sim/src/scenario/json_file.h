// Reading a scenario (or schema) file as JSON, with the position of syntax
// errors and with duplicate keys reported (nlohmann_json would silently keep
// the last one, hiding a typo'd override). Parsing is linear in the size of
// the text: the document is built from the parser's events, nothing is
// rescanned. Whatever the parser refuses (bad syntax, a number no double can
// hold, invalid UTF-8) comes back as a located error, never as an exception.
#pragma once

#include <cstddef>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "scenario/scenario_error.h"

namespace hilcap::sim {

struct JsonFile {
  // Set when the file was read and parsed; duplicate keys still leave a
  // document (with the last value) but are reported in `errors`.
  std::optional<nlohmann::json> document;
  std::vector<ScenarioError> errors;
};

JsonFile load_json_file(const std::filesystem::path& path);

// The same for text already in memory; `file` names it in messages.
JsonFile parse_json_text(std::string_view text, std::string_view file);

// Where each of `pointers` is written in `text` (a JSON document that
// parses): the byte offset of its key, or of an array element's first
// character; an absent pointer gets the offset of its nearest ancestor that
// is present (the top level is at 0). Offsets follow the file's order, so
// errors sorted by them read as the file does.
std::vector<std::size_t> locate_pointers(std::string_view text,
                                         const std::vector<std::string>& pointers);

}  // namespace hilcap::sim
