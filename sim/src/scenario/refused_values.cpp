#include "scenario/refused_values.h"

namespace hilcap::sim {
namespace {

using Json = nlohmann::json;

// "/a/b/c" -> "/a/b", "/a", "" (in that order).
template <typename F>
void for_each_ancestor(std::string_view pointer, F&& f) {
  while (!pointer.empty()) {
    pointer = pointer.substr(0, pointer.rfind('/'));
    f(pointer);
  }
}

}  // namespace

RefusedValues::RefusedValues(const std::vector<SchemaRefusal>& refusals) {
  for (const SchemaRefusal& r : refusals) {
    (r.unknown_property ? unknown_ : wrong_).insert(r.pointer);
    add(all_, r.pointer);
    if (!r.unknown_property) add(wrong_places_, r.pointer);
  }
}

void RefusedValues::add(Places& places, const std::string& pointer) {
  places.at.insert(pointer);
  for_each_ancestor(pointer, [&](std::string_view a) { places.above.emplace(a); });
}

bool RefusedValues::near(const Places& places, std::string_view pointer) {
  if (places.at.contains(pointer) || places.above.contains(pointer)) return true;
  bool under = false;
  for_each_ancestor(pointer, [&](std::string_view a) { under = under || places.at.contains(a); });
  return under;
}

bool RefusedValues::overlaps(std::string_view pointer) const {
  return near(all_, pointer);
}

bool RefusedValues::affects(std::string_view pointer) const {
  return near(wrong_places_, pointer);
}

void RefusedValues::erase_from(Json& document) const {
  // Deepest first, so that erasing a value never moves one still to erase.
  for (const std::set<std::string, std::less<>>* pointers : {&wrong_, &unknown_}) {
    for (auto it = pointers->rbegin(); it != pointers->rend(); ++it) {
      const std::string& pointer = *it;
      if (pointer.empty()) continue;  // the document itself: the rules do not run
      try {
        const Json::json_pointer at(pointer);
        const Json::json_pointer parent_at = at.parent_pointer();
        if (!document.contains(parent_at)) continue;
        Json& parent = document.at(parent_at);
        if (parent.is_object()) {
          parent.erase(at.back());
        } else if (parent.is_array() && document.contains(at)) {
          document.at(at) = nullptr;
        }
      } catch (const Json::exception&) {
        // A pointer the document does not have (a missing property): nothing to erase.
      }
    }
  }
}

}  // namespace hilcap::sim
