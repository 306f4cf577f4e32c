#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "scenario/json_file.h"
#include "scenario/scenario_error.h"
#include "scenario/schema_validator.h"

namespace hilcap::sim {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Json = nlohmann::json;

std::filesystem::path test_data() {
  const char* dir = std::getenv("HILCAP_SIM_TEST_DATA");
  return dir != nullptr ? std::filesystem::path(dir) : std::filesystem::path("tests/unit/sim/data");
}

class SchemaValidation : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    validator_ = SchemaValidator::load(test_data() / "tiny.schema.json", error);
    ASSERT_NE(validator_, nullptr) << error;
  }

  std::vector<std::string> messages(const Json& doc) const {
    std::vector<std::string> out;
    for (const auto& e : validator_->validate(doc, "s.json"))
      out.push_back(e.to_string());
    return out;
  }

  static Json valid() {
    return Json::parse(R"({
      "$schema": "tiny.schema.json",
      "seed": 42,
      "duration_s": 10,
      "device": {"format": "yuy2", "timing": {"fps": 30, "interval": "1001/30000"}},
      "clients": [{"name": "c0", "overlapped": 2}]
    })");
  }

  std::unique_ptr<SchemaValidator> validator_;
};

// A document that follows the schema has no errors.
TEST_F(SchemaValidation, ValidDocumentHasNoErrors) {
  EXPECT_TRUE(messages(valid()).empty());
}

// The error names file, JSON pointer, what the schema expects and the value found.
TEST_F(SchemaValidation, WrongTypeNamesFilePathExpectedAndFound) {
  Json doc = valid();
  doc["device"]["timing"]["fps"] = "abc";
  const auto errors = validator_->validate(doc, "s.json");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].file, "s.json");
  EXPECT_EQ(errors[0].json_pointer, "/device/timing/fps");
  EXPECT_EQ(errors[0].expected, "a number > 0");
  EXPECT_EQ(errors[0].found, "\"abc\"");
  EXPECT_EQ(errors[0].to_string(),
            R"(s.json: at /device/timing/fps: expected a number > 0, found "abc")");
}

// Every problem is reported, in document order, not only the first.
TEST_F(SchemaValidation, CollectsAllErrorsInDocumentOrder) {
  Json doc = valid();
  doc["seed"] = -3;
  doc["duration_s"] = 90000;
  doc["device"]["format"] = "rgb";
  doc["device"]["timing"]["fps"] = 0;
  doc["clients"] = Json::array({{{"name", "a"}}, {{"name", ""}}, {{"overlapped", 100}}});
  EXPECT_THAT(
      messages(doc),
      ElementsAre(
          R"(s.json: at /clients/1/name: expected a string of at least 1 character, found "")",
          "s.json: at /clients/2/overlapped: expected an integer >= 1 and <= 64, found 100",
          R"(s.json: at /device/format: expected one of "yuy2", "nv12" or "grey", found "rgb")",
          "s.json: at /device/timing/fps: expected a number > 0, found 0",
          "s.json: at /duration_s: expected a number > 0 and <= 86400, found 90000",
          "s.json: at /seed: expected an integer >= 0, found -3"));
}

// Array indices order numerically (2 before 10), as the document reads.
TEST_F(SchemaValidation, ArrayIndicesInNumericOrder) {
  Json doc = valid();
  doc["clients"] = Json::array();
  for (int i = 0; i < 11; ++i)
    doc["clients"].push_back({{"overlapped", 0}});
  const auto errors = validator_->validate(doc, "s.json");
  ASSERT_EQ(errors.size(), 11u);
  EXPECT_EQ(errors[2].json_pointer, "/clients/2/overlapped");
  EXPECT_EQ(errors[10].json_pointer, "/clients/10/overlapped");
}

// A missing required property is reported at the object that lacks it.
TEST_F(SchemaValidation, MissingRequiredProperty) {
  Json doc = valid();
  doc["device"].erase("timing");
  doc.erase("seed");
  EXPECT_THAT(
      messages(doc),
      ElementsAre(
          R"(s.json: at the top level: expected the required property "seed", found an object without it)",
          R"(s.json: at /device: expected the required property "timing", found an object without it)"));
}

// Each unknown property is reported (valijson names only the first), with a suggestion for typos.
TEST_F(SchemaValidation, EveryUnknownPropertyWithSuggestion) {
  Json doc = valid();
  doc["device"]["timing"]["fsp"] = 30;
  doc["device"]["timing"]["zzz"] = 1;
  EXPECT_THAT(
      messages(doc),
      ElementsAre(
          R"(s.json: at /device/timing/fsp: expected one of the known properties ("fps", "interval", "jitter_us"), found an unknown property "fsp" (did you mean "fps"?))",
          R"(s.json: at /device/timing/zzz: expected one of the known properties ("fps", "interval", "jitter_us"), found an unknown property "zzz")"));
}

// A failed oneOf is one error listing the alternatives, without each branch's complaint.
TEST_F(SchemaValidation, OneOfIsReportedAsAlternatives) {
  Json doc = valid();
  doc["device"]["timing"]["interval"] = "fast";
  EXPECT_THAT(
      messages(doc),
      ElementsAre(
          R"(s.json: at /device/timing/interval: expected either an integer >= 1 or a string matching the pattern "^[0-9]+/[0-9]+$", found "fast")"));
}

// Containers in the "found" part are described by shape, long strings are shortened.
TEST(DescribeFound, ShapesAndShortenedStrings) {
  EXPECT_EQ(describe_found(Json::array({1, 2, 3})), "an array of 3 items");
  EXPECT_EQ(describe_found(Json::array()), "an empty array");
  EXPECT_EQ(describe_found(Json{{"a", 1}, {"b", 2}}), R"(an object with keys "a", "b")");
  EXPECT_EQ(describe_found(Json(nullptr)), "null");
  EXPECT_EQ(describe_found(Json(2.5)), "2.5");
  EXPECT_EQ(describe_found(Json(std::string(100, 'x'))), "\"" + std::string(60, 'x') + "...\"");
}

// A syntax error gives the line and column of the problem.
TEST(JsonFile, SyntaxErrorHasLineAndColumn) {
  const JsonFile f =
      parse_json_text("{\n  \"seed\": 1,\n  \"device\": {\"format\": yuy2}\n}\n", "s.json");
  EXPECT_FALSE(f.document);
  ASSERT_EQ(f.errors.size(), 1u);
  EXPECT_EQ(f.errors[0].kind, ScenarioError::Kind::kSyntax);
  EXPECT_EQ(f.errors[0].line, 3u);
  EXPECT_EQ(f.errors[0].column, 24u);
  EXPECT_THAT(f.errors[0].to_string(), HasSubstr("s.json:3:24: invalid JSON: syntax error"));
}

// A key given twice is reported at its JSON pointer instead of silently keeping the last value.
TEST(JsonFile, DuplicateKeysAreReported) {
  const JsonFile f = parse_json_text(
      R"({"clients": [{"name": "a"}, {"name": "b", "name": "c"}], "seed": 1, "seed": 2})",
      "s.json");
  ASSERT_TRUE(f.document);
  std::vector<std::string> messages;
  for (const auto& e : f.errors)
    messages.push_back(e.to_string());
  EXPECT_THAT(
      messages,
      ElementsAre(
          R"(s.json: at /clients/1/name: expected each property at most once, found "name" more than once)",
          R"(s.json: at /seed: expected each property at most once, found "seed" more than once)"));
}

// A missing file says which file and why.
TEST(JsonFile, UnreadableFileSaysWhy) {
  const JsonFile f = load_json_file("/nonexistent/scenario.json");
  EXPECT_FALSE(f.document);
  ASSERT_EQ(f.errors.size(), 1u);
  EXPECT_EQ(f.errors[0].to_string(),
            "/nonexistent/scenario.json: cannot read: No such file or directory");
}

// A file on disk loads with its values intact.
TEST(JsonFile, LoadsAFile) {
  const JsonFile f = load_json_file(test_data() / "tiny.schema.json");
  ASSERT_TRUE(f.document) << (f.errors.empty() ? "" : f.errors[0].to_string());
  EXPECT_TRUE(f.errors.empty());
  EXPECT_EQ((*f.document)["type"], "object");
}

// Semantic checks in code report in the same form, with the found value taken from the document.
TEST(ScenarioChecks, ReportInTheSameForm) {
  const Json doc = Json::parse(R"({"hold": {"min_ms": 20, "max_ms": 5}})");
  ScenarioChecks checks("s.json", doc);
  EXPECT_TRUE(checks.require(true, "/hold/min_ms", "unused"));
  EXPECT_FALSE(checks.require(doc["hold"]["max_ms"] >= doc["hold"]["min_ms"], "/hold/max_ms",
                              "a value >= hold.min_ms (20)"));
  checks.fail("/script/0", "a step");
  EXPECT_FALSE(checks.ok());
  ASSERT_EQ(checks.errors().size(), 2u);
  EXPECT_EQ(checks.errors()[0].to_string(),
            "s.json: at /hold/max_ms: expected a value >= hold.min_ms (20), found 5");
  EXPECT_EQ(checks.errors()[1].to_string(), "s.json: at /script/0: expected a step, found nothing");
}

// A schema that is not a schema is refused with a message, not an abort.
TEST(SchemaValidatorCreate, RejectsAnUnusableSchema) {
  std::string error;
  EXPECT_EQ(SchemaValidator::create(Json::parse(R"({"type": 5})"), error), nullptr);
  EXPECT_THAT(error, HasSubstr("not a usable JSON Schema"));
}

// Issue 12: a number no double can hold threw nlohmann's out_of_range.406
// past the reader; it is an error with its line, column and pointer.
TEST(JsonFile, NumberTooLargeForADoubleIsLocated) {
  const JsonFile f = parse_json_text("{\"a\": [1, 2,\n  -1e400], \"b\": 1}", "s.json");
  EXPECT_FALSE(f.document);
  ASSERT_EQ(f.errors.size(), 1u);
  EXPECT_EQ(f.errors[0].kind, ScenarioError::Kind::kValue);
  EXPECT_EQ(f.errors[0].json_pointer, "/a/2");
  EXPECT_EQ(f.errors[0].line, 2u);
  EXPECT_EQ(f.errors[0].column, 3u);
  EXPECT_EQ(f.errors[0].found, "-1e400");
}

// A syntax error also says where in the document the parser was; invalid
// UTF-8 and trailing garbage are syntax errors, never exceptions.
TEST(JsonFile, EveryRefusalOfTheParserIsAnError) {
  const JsonFile f = parse_json_text("{\"device\": {\"format\": yuy2}}", "s.json");
  ASSERT_EQ(f.errors.size(), 1u);
  EXPECT_EQ(f.errors[0].json_pointer, "/device/format");
  EXPECT_THAT(f.errors[0].to_string(), HasSubstr("(at /device/format)"));
  for (const std::string& text : {std::string("{\"a\": \"\xff\"}"), std::string("{} x"),
                                  std::string(""), std::string("[1e999999999999]"),
                                  std::string("{\"a\": \"\\ud800\"}"), std::string(10000, '[')}) {
    const JsonFile g = parse_json_text(text, "s.json");
    EXPECT_FALSE(g.document) << text;
    ASSERT_EQ(g.errors.size(), 1u) << text;
    EXPECT_GE(g.errors[0].line, 1u) << text;
  }
}

// Duplicate keys are found by one lookup in the object being built (the
// reader is linear): deep in a long array, at the right index.
TEST(JsonFile, DuplicateKeyDeepInALongArray) {
  std::string text = "[";
  for (int i = 0; i < 5000; ++i)
    text += i == 0 ? "{\"k\": 1}" : ",{\"k\": 1}";
  text += R"(,{"k": 1, "a/b": {"x": 1, "x": 2}}])";
  const JsonFile f = parse_json_text(text, "s.json");
  ASSERT_TRUE(f.document);
  ASSERT_EQ(f.errors.size(), 1u);
  EXPECT_EQ(f.errors[0].json_pointer, "/5000/a~1b/x");
  EXPECT_EQ((*f.document)[5000]["a/b"]["x"], 2);
  EXPECT_EQ(f.document->size(), 5001u);
}

// Pointers are placed where the file writes them: sorting errors by these
// offsets reads as the file does; an absent pointer takes its nearest
// present ancestor's place.
TEST(JsonFile, LocatePointersFollowsTheFile) {
  const std::string text = R"({"z": 1, "a": {"y": [10, {"b": 2}], "c~d": 3}, "m": 0})";
  const auto offsets = locate_pointers(
      text, {"/z", "/a", "/a/y/1/b", "/a/c~0d", "/m", "/a/y/7", "/nothing", "", "/a/y/0"});
  ASSERT_EQ(offsets.size(), 9u);
  EXPECT_LT(offsets[0], offsets[1]);  // /z before /a
  EXPECT_LT(offsets[1], offsets[8]);  // /a before /a/y/0
  EXPECT_LT(offsets[8], offsets[2]);  // /a/y/0 before /a/y/1/b
  EXPECT_LT(offsets[2], offsets[3]);
  EXPECT_LT(offsets[3], offsets[4]);
  EXPECT_EQ(offsets[5], locate_pointers(text, {"/a/y"})[0]);  // absent: its array
  EXPECT_EQ(offsets[6], 0u);
  EXPECT_EQ(offsets[7], 0u);
}

}  // namespace
}  // namespace hilcap::sim
