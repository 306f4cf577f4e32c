// The values the schema refused, as the rules in code see them. They are
// taken out of the document before the rules read it, so that every rule
// sees only values of the right form (defaults stand in for the rest), and
// a rule's complaint that only repeats a refused value, or one that used a
// default standing in for it, is dropped: each problem is reported once, at
// its own place, and every independent one still is.
#pragma once

#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "scenario/schema_validator.h"

namespace hilcap::sim {

class RefusedValues {
 public:
  explicit RefusedValues(const std::vector<SchemaRefusal>& refusals);

  // Erases every refused value from `document`; a refused array element
  // becomes null, so that the indices of the others stay what they were.
  void erase_from(nlohmann::json& document) const;

  // The document itself was refused (it is not an object): no rule can read it.
  bool whole_document() const { return wrong_.contains(""); }

  // Whether a refused value (an unknown property included) is at, under or
  // above `pointer`: a rule's error there may only repeat it.
  bool overlaps(std::string_view pointer) const;

  // Whether a wrong or missing value (not an unknown property, whose absence
  // changes nothing) is at, under or above `pointer`: what is read there is
  // partly a default standing in for it, so rules that weigh it against
  // other values must not run.
  bool affects(std::string_view pointer) const;

 private:
  struct Places {
    std::set<std::string, std::less<>> at;     // the refused pointers
    std::set<std::string, std::less<>> above;  // their proper ancestors
  };
  static void add(Places& places, const std::string& pointer);
  static bool near(const Places& places, std::string_view pointer);

  std::set<std::string, std::less<>> wrong_;  // wrong or missing values
  std::set<std::string, std::less<>> unknown_;
  Places all_;
  Places wrong_places_;
};

}  // namespace hilcap::sim
