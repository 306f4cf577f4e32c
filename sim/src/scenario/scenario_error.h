// Problems with a scenario file, all in one form that names the file, where
// in it, what was expected and what was found:
//   steady.json: at /device/timing/fps: expected a number > 0, found "abc"
//   steady.json:3:14: invalid JSON: syntax error while parsing value - ... (at /device/format)
//   steady.json:1:15: at /duration_s: expected a number a double can hold (...), found 1e309
//   steady.json: cannot read: No such file or directory
// Errors are collected, never thrown, so a user sees every problem at once.
#pragma once

#include <hilcap/field_error.h>

#include <cstddef>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace hilcap::sim {

// A FieldError (where in the file, expected, found: the shape every
// configuration check reports) with the file it is in, and its kind.
struct ScenarioError : FieldError {
  enum class Kind { kValue, kSyntax, kUnreadable };

  ScenarioError() = default;
  // `pointer`: the JSON Pointer of the offending value ("" is the whole
  // document); kSyntax: of the value the parser was reading, when known.
  // `expected`, kValue: what the value should have been. `found`, kValue:
  // what it is; kSyntax / kUnreadable: what went wrong.
  ScenarioError(Kind kind_, std::string file_, std::string pointer, std::string expected_,
                std::string found_, std::size_t line_ = 0, std::size_t column_ = 0)
      : FieldError{std::move(pointer), std::move(expected_), std::move(found_)},
        kind(kind_),
        file(std::move(file_)),
        line(line_),
        column(column_) {}
  // A value error of `file`.
  ScenarioError(std::string file_, FieldError error)
      : FieldError(std::move(error)), file(std::move(file_)) {}

  Kind kind = Kind::kValue;
  std::string file;
  // 1-based position of the error, when the parser found it (kSyntax, and
  // kValue for a number no double can hold); 0 otherwise.
  std::size_t line = 0;
  std::size_t column = 0;

  std::string to_string() const;
  bool operator==(const ScenarioError&) const = default;
};

// How a found value reads in a message: strings quoted (and shortened),
// numbers and literals as written, containers by shape ("an array of 3 items").
std::string describe_found(const nlohmann::json& value);

// Semantic checks done in code once the schema has passed (cross-field rules
// a schema cannot express), reported in the same form:
//   ScenarioChecks checks(file, doc);
//   checks.require(max >= min, "/clients/0/hold/max", fmt::format("a value >= hold.min ({})",
//   min));
class ScenarioChecks {
 public:
  ScenarioChecks(std::string file, const nlohmann::json& document);

  // Records that the value at `pointer` should have been `expected`; the
  // found part is taken from the document ("nothing" when absent).
  void fail(std::string_view pointer, std::string_view expected);
  // The same with the found part given (when the document's value alone
  // would not say what is wrong, e.g. a value converted to other units).
  void fail(std::string_view pointer, std::string_view expected, std::string found);
  // An error the device model, its UVC personality or a loader section found
  // (at its JSON Pointer in this document).
  void fail(FieldError error);
  // Records a failure unless `condition` holds; returns `condition`.
  bool require(bool condition, std::string_view pointer, std::string_view expected);

  // In document order (by JSON pointer, array indices numerically); errors at
  // one place keep the order they were found in.
  std::vector<ScenarioError> errors() const;
  bool ok() const { return errors_.empty(); }
  std::size_t error_count() const { return errors_.size(); }

 private:
  std::string file_;
  const nlohmann::json& document_;
  std::vector<ScenarioError> errors_;
};

}  // namespace hilcap::sim
