#include "scenario/schema_validator.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <regex>
#include <set>
#include <stdexcept>
#include <tuple>

#include "scenario/json_file.h"
#include "scenario/spelling.h"

// valijson reports a bad schema through exceptions only when asked to
// (otherwise it aborts); its header needs <stdexcept> included beforehand.
#define VALIJSON_USE_EXCEPTIONS 1
// g++ 12 at -O3 reports a false -Wrestrict inside valijson's json_pointer.hpp
// (std::string::replace inlined; GCC bug 105329). Not popped: the warning is
// emitted when the inlined code is compiled, after the headers.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wrestrict"
#endif
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

namespace hilcap::sim {
namespace {

using Json = nlohmann::json;

constexpr std::size_t kMaxNamesListed = 12;

bool starts_with_any(std::string_view text, std::initializer_list<std::string_view> prefixes) {
  return std::any_of(prefixes.begin(), prefixes.end(),
                     [text](std::string_view p) { return text.starts_with(p); });
}

std::string join(const std::vector<std::string>& parts, std::string_view separator,
                 std::string_view last_separator) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += i + 1 == parts.size() ? last_separator : separator;
    out += parts[i];
  }
  return out;
}

// Finds the subschema that governs a place in the document, following local
// "$ref"s, properties / patternProperties / additionalProperties, items,
// if / then / else (the branch the value takes), and looking into allOf /
// anyOf / oneOf when the node itself does not say.
class SchemaNavigator {
 public:
  explicit SchemaNavigator(const Json& root) : root_(root) {}

  const Json* resolve(const Json* node) const {
    for (int hops = 0; node != nullptr && node->is_object() && hops < 32; ++hops) {
      const auto ref = node->find("$ref");
      if (ref == node->end() || !ref->is_string()) return node;
      const std::string& target = ref->get_ref<const std::string&>();
      if (!target.starts_with("#")) return nullptr;
      try {
        const Json::json_pointer pointer(target.substr(1));
        node = root_.contains(pointer) ? &root_.at(pointer) : nullptr;
      } catch (const Json::exception&) {
        return nullptr;
      }
    }
    return node;
  }

  // The schema at document pointer `tokens`, or null when it cannot be told.
  const Json* at(const std::vector<std::string>& tokens, const Json& document) const {
    const Json* node = &root_;
    const Json* value = &document;
    for (const std::string& token : tokens) {
      const bool in_array = value != nullptr && value->is_array();
      node = child(branch(node, value), token, in_array);
      if (node == nullptr) return nullptr;
      value = descend(value, token);
    }
    return branch(node, value);
  }

  // Property names an object schema knows ("properties" only, with allOf members).
  std::vector<std::string> known_properties(const Json* node) const {
    std::vector<std::string> names;
    node = resolve(node);
    if (node == nullptr || !node->is_object()) return names;
    if (const auto props = node->find("properties"); props != node->end() && props->is_object()) {
      for (const auto& item : props->items())
        names.push_back(item.key());
    }
    if (const auto all = node->find("allOf"); all != node->end() && all->is_array()) {
      for (const Json& member : *all) {
        for (auto& name : known_properties(&member))
          names.push_back(std::move(name));
      }
    }
    return names;
  }

  // Whether `key` is allowed by properties / patternProperties of `node`.
  bool names_property(const Json* node, const std::string& key) const {
    node = resolve(node);
    if (node == nullptr || !node->is_object()) return false;
    if (const auto props = node->find("properties");
        props != node->end() && props->is_object() && props->contains(key)) {
      return true;
    }
    if (const auto patterns = node->find("patternProperties");
        patterns != node->end() && patterns->is_object()) {
      for (const auto& item : patterns->items()) {
        if (matches(item.key(), key)) return true;
      }
    }
    return false;
  }

 private:
  // The "then" or "else" of a node with "if", as `value` meets the condition
  // or not; the node itself otherwise.
  const Json* branch(const Json* node, const Json* value) const {
    node = resolve(node);
    if (node == nullptr || !node->is_object()) return node;
    const auto condition = node->find("if");
    if (condition == node->end() || !condition->is_object()) return node;
    const auto taken = node->find(meets(*condition, value) ? "then" : "else");
    return taken == node->end() ? node : resolve(&*taken);
  }

  // Whether `value` meets an "if" condition, for the keywords such conditions
  // use here: "type" and "required".
  static bool meets(const Json& condition, const Json* value) {
    if (value == nullptr) return false;
    if (const auto type = condition.find("type"); type != condition.end() && type->is_string()) {
      if (*type == "object" && !value->is_object()) return false;
    }
    if (const auto required = condition.find("required");
        required != condition.end() && required->is_array()) {
      for (const Json& name : *required) {
        if (!value->is_object() || !name.is_string() || !value->contains(name.get<std::string>()))
          return false;
      }
    }
    return true;
  }

  static const Json* descend(const Json* value, const std::string& token) {
    if (value == nullptr) return nullptr;
    if (value->is_object()) {
      const auto it = value->find(token);
      return it == value->end() ? nullptr : &*it;
    }
    if (value->is_array()) {
      const std::size_t index = std::strtoull(token.c_str(), nullptr, 10);
      return index < value->size() ? &(*value)[index] : nullptr;
    }
    return nullptr;
  }

  static bool matches(const std::string& pattern, const std::string& text) {
    try {
      return std::regex_search(text, std::regex(pattern, std::regex::ECMAScript));
    } catch (const std::regex_error&) {
      return false;
    }
  }

  const Json* child(const Json* node, const std::string& token, bool in_array) const {
    node = resolve(node);
    if (node == nullptr || !node->is_object()) return nullptr;
    if (in_array) {
      if (const auto items = node->find("items"); items != node->end()) {
        if (items->is_object()) return &*items;
        const std::size_t index = std::strtoull(token.c_str(), nullptr, 10);
        if (items->is_array() && index < items->size()) return &(*items)[index];
        if (const auto extra = node->find("additionalItems");
            extra != node->end() && extra->is_object()) {
          return &*extra;
        }
      }
    } else {
      if (const auto props = node->find("properties"); props != node->end() && props->is_object()) {
        if (const auto it = props->find(token); it != props->end()) return &*it;
      }
      if (const auto patterns = node->find("patternProperties");
          patterns != node->end() && patterns->is_object()) {
        for (const auto& item : patterns->items()) {
          if (matches(item.key(), token)) return &item.value();
        }
      }
      if (const auto extra = node->find("additionalProperties");
          extra != node->end() && extra->is_object()) {
        return &*extra;
      }
    }
    for (const char* combinator : {"allOf", "anyOf", "oneOf"}) {
      if (const auto members = node->find(combinator);
          members != node->end() && members->is_array()) {
        for (const Json& member : *members) {
          if (const Json* found = child(&member, token, in_array)) return found;
        }
      }
    }
    return nullptr;
  }

  const Json& root_;
};

// "a number > 0 and <= 240", "a string matching the pattern "^[0-9]+$"",
// "either an integer >= 1 or a string of at least 1 character"...
class SchemaDescriber {
 public:
  explicit SchemaDescriber(const SchemaNavigator& navigator) : navigator_(navigator) {}

  std::string describe(const Json* node, int depth = 0) const {
    node = navigator_.resolve(node);
    if (node == nullptr || depth > 4) return "a valid value";
    if (node->is_boolean()) return node->get<bool>() ? "any value" : "no value here";
    if (!node->is_object()) return "a valid value";
    if (const auto c = node->find("const"); c != node->end()) return "exactly " + c->dump();
    if (const auto e = node->find("enum"); e != node->end() && e->is_array()) {
      std::vector<std::string> values;
      for (const Json& v : *e)
        values.push_back(v.dump());
      return values.size() == 1 ? "exactly " + values[0] : "one of " + join(values, ", ", " or ");
    }
    std::vector<std::string> types;
    if (const auto t = node->find("type"); t != node->end()) {
      if (t->is_string()) types.push_back(t->get<std::string>());
      if (t->is_array()) {
        for (const Json& one : *t) {
          if (one.is_string()) types.push_back(one.get<std::string>());
        }
      }
    }
    if (types.empty()) {
      for (const char* combinator : {"oneOf", "anyOf"}) {
        if (const auto members = node->find(combinator);
            members != node->end() && members->is_array() && !members->empty()) {
          std::vector<std::string> options;
          for (const Json& member : *members)
            options.push_back(describe(&member, depth + 1));
          if (options.size() == 1) return options[0];
          return (options.size() == 2 ? "either " : "one of: ") +
                 join(options, ", ", options.size() == 2 ? " or " : ", or ");
        }
      }
      const std::string constraints = numeric_constraints(*node);
      return constraints.empty() ? "a valid value" : "a value " + constraints;
    }
    std::vector<std::string> phrases;
    for (const std::string& type : types)
      phrases.push_back(describe_type(type, *node));
    return join(phrases, ", ", " or ");
  }

 private:
  static std::string numeric_constraints(const Json& node) {
    std::vector<std::string> parts;
    auto bound = [&](const char* key, const char* op) {
      if (const auto v = node.find(key); v != node.end() && v->is_number()) {
        parts.push_back(fmt::format("{} {}", op, v->dump()));
      }
    };
    // Draft 4 spelled exclusive bounds as booleans beside minimum/maximum.
    const bool exclusive_min = node.value("exclusiveMinimum", Json(false)) == Json(true);
    const bool exclusive_max = node.value("exclusiveMaximum", Json(false)) == Json(true);
    bound("minimum", exclusive_min ? ">" : ">=");
    bound("exclusiveMinimum", ">");
    bound("maximum", exclusive_max ? "<" : "<=");
    bound("exclusiveMaximum", "<");
    std::string out = join(parts, " and ", " and ");
    if (const auto m = node.find("multipleOf"); m != node.end() && m->is_number()) {
      out += (out.empty() ? "" : ", ") + fmt::format("a multiple of {}", m->dump());
    }
    return out;
  }

  static std::string count_range(const Json& node, const char* min_key, const char* max_key,
                                 std::string_view unit) {
    const auto min = node.find(min_key);
    const auto max = node.find(max_key);
    const bool has_min = min != node.end() && min->is_number_unsigned();
    const bool has_max = max != node.end() && max->is_number_unsigned();
    auto units = [unit](std::uint64_t n) { return fmt::format("{}{}", unit, n == 1 ? "" : "s"); };
    if (has_min && has_max) {
      const auto lo = min->get<std::uint64_t>();
      const auto hi = max->get<std::uint64_t>();
      return lo == hi ? fmt::format("of exactly {} {}", lo, units(lo))
                      : fmt::format("of {} to {} {}", lo, hi, units(hi));
    }
    if (has_min)
      return fmt::format("of at least {} {}", min->get<std::uint64_t>(),
                         units(min->get<std::uint64_t>()));
    if (has_max)
      return fmt::format("of at most {} {}", max->get<std::uint64_t>(),
                         units(max->get<std::uint64_t>()));
    return {};
  }

  static std::string describe_type(const std::string& type, const Json& node) {
    std::string phrase;
    std::vector<std::string> details;
    if (type == "number" || type == "integer") {
      phrase = type == "number" ? "a number" : "an integer";
      if (std::string c = numeric_constraints(node); !c.empty()) details.push_back(std::move(c));
    } else if (type == "string") {
      phrase = "a string";
      if (std::string c = count_range(node, "minLength", "maxLength", "character"); !c.empty()) {
        details.push_back(std::move(c));
      }
      if (const auto p = node.find("pattern"); p != node.end() && p->is_string()) {
        details.push_back("matching the pattern " + p->dump());
      }
      if (const auto f = node.find("format"); f != node.end() && f->is_string()) {
        details.push_back("in " + f->get<std::string>() + " format");
      }
    } else if (type == "array") {
      phrase = "an array";
      if (std::string c = count_range(node, "minItems", "maxItems", "item"); !c.empty()) {
        details.push_back(std::move(c));
      }
      if (node.value("uniqueItems", false)) details.push_back("with no repeated items");
    } else if (type == "object") {
      phrase = "an object";
      if (std::string c = count_range(node, "minProperties", "maxProperties", "property");
          !c.empty()) {
        details.push_back(std::move(c));
      }
    } else if (type == "boolean") {
      phrase = "true or false";
    } else if (type == "null") {
      phrase = "null";
    } else {
      phrase = "a " + type;
    }
    for (const std::string& d : details)
      phrase += " " + d;
    return phrase;
  }

  const SchemaNavigator& navigator_;
};

// valijson's context ["<root>", "[device]", "[0]"] as pointer tokens.
std::vector<std::string> tokens_of(const std::vector<std::string>& context) {
  std::vector<std::string> tokens;
  for (std::size_t i = 1; i < context.size(); ++i) {
    const std::string& part = context[i];
    tokens.push_back(part.size() >= 2 ? part.substr(1, part.size() - 2) : part);
  }
  return tokens;
}

std::string pointer_of(const std::vector<std::string>& tokens) {
  Json::json_pointer pointer;
  for (const std::string& t : tokens)
    pointer /= t;
  return pointer.to_string();
}

// Orders pointers the way the document reads: token by token, array indices numerically.
bool document_order(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  const std::size_t n = std::min(a.size(), b.size());
  for (std::size_t i = 0; i < n; ++i) {
    if (a[i] == b[i]) continue;
    auto digits = [](const std::string& s) {
      return !s.empty() &&
             std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
    };
    const bool numeric = digits(a[i]) && digits(b[i]);
    if (numeric && a[i].size() != b[i].size()) return a[i].size() < b[i].size();
    return a[i] < b[i];
  }
  return a.size() < b.size();
}

// The kinds of valijson messages: the leaf ones become errors, the wrappers
// ("Failed to validate against schema associated with property name 'x'")
// only repeat their children and are dropped.
enum class Message { kLeaf, kAlternatives, kRequired, kUnknownProperty, kWrapper };

Message classify(std::string_view description) {
  if (description.starts_with("Missing required property '")) return Message::kRequired;
  if (description.starts_with("Object contains a property that could not be validated")) {
    return Message::kUnknownProperty;
  }
  if (starts_with_any(description, {"Failed to validate against any schemas allowed by anyOf",
                                    "Failed to validate against any child schemas allowed by oneOf",
                                    "Failed to validate against exactly one child schema"})) {
    return Message::kAlternatives;
  }
  if (description.starts_with("Failed to validate")) return Message::kWrapper;
  return Message::kLeaf;
}

struct Located {
  std::vector<std::string> tokens;
  ScenarioError error;
  SchemaRefusal refusal;
};

}  // namespace

SchemaValidator::SchemaValidator(Json schema, std::unique_ptr<valijson::Schema> compiled)
    : schema_(std::move(schema)), compiled_(std::move(compiled)) {}

SchemaValidator::~SchemaValidator() = default;

std::unique_ptr<SchemaValidator> SchemaValidator::create(Json schema, std::string& error) {
  auto compiled = std::make_unique<valijson::Schema>();
  try {
    valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
    parser.populateSchema(valijson::adapters::NlohmannJsonAdapter(schema), *compiled);
  } catch (const std::exception& e) {
    error = fmt::format("not a usable JSON Schema: {}", e.what());
    return nullptr;
  }
  return std::unique_ptr<SchemaValidator>(
      new SchemaValidator(std::move(schema), std::move(compiled)));
}

std::unique_ptr<SchemaValidator> SchemaValidator::load(const std::filesystem::path& schema_file,
                                                       std::string& error) {
  JsonFile file = load_json_file(schema_file);
  if (!file.document) {
    error = file.errors.front().to_string();
    return nullptr;
  }
  auto validator = create(std::move(*file.document), error);
  if (!validator) error = schema_file.string() + ": " + error;
  return validator;
}

std::vector<ScenarioError> SchemaValidator::validate(const Json& document,
                                                     std::string_view file) const {
  return check(document, file).errors;
}

SchemaCheck SchemaValidator::check(const Json& document, std::string_view file) const {
  valijson::ValidationResults results;
  valijson::Validator validator(valijson::Validator::kStrongTypes);
  validator.validate(*compiled_, valijson::adapters::NlohmannJsonAdapter(document), &results);

  struct Raw {
    std::vector<std::string> tokens;
    std::string description;
    Message kind;
  };
  std::vector<Raw> raw;
  for (const auto& e : results) {
    raw.push_back({tokens_of(e.context), e.description, classify(e.description)});
  }
  // A failed oneOf/anyOf is reported once, as its alternatives: what each
  // branch disliked inside it is noise. (A set of their places, so that a
  // document with many errors is not checked pair by pair.)
  std::set<std::vector<std::string>> alternatives;
  for (const Raw& r : raw) {
    if (r.kind == Message::kAlternatives) alternatives.insert(r.tokens);
  }
  auto inside_failed_alternatives = [&alternatives](const Raw& r) {
    if (alternatives.empty()) return false;
    const std::size_t longest =
        r.kind == Message::kAlternatives ? r.tokens.size() : r.tokens.size() + 1;
    std::vector<std::string> prefix;
    for (std::size_t length = 0; length < longest; ++length) {
      if (alternatives.contains(prefix)) return true;
      if (length < r.tokens.size()) prefix.push_back(r.tokens[length]);
    }
    return false;
  };

  const SchemaNavigator navigator(schema_);
  const SchemaDescriber describer(navigator);
  std::vector<Located> located;
  // `refused`: where the refused value is, when not at `tokens` (a missing
  // property); `unknown`: an unknown property.
  auto value_error = [&](std::vector<std::string> tokens, std::string expected, std::string found,
                         std::optional<std::string> refused = std::nullopt, bool unknown = false) {
    std::string pointer = pointer_of(tokens);
    SchemaRefusal refusal{refused ? std::move(*refused) : pointer, unknown};
    located.push_back({std::move(tokens),
                       {ScenarioError::Kind::kValue, std::string(file), std::move(pointer),
                        std::move(expected), std::move(found)},
                       std::move(refusal)});
  };
  auto found_at = [&document](const std::vector<std::string>& tokens) {
    const Json::json_pointer pointer(pointer_of(tokens));
    return document.contains(pointer) ? describe_found(document.at(pointer)) : "nothing";
  };

  for (const Raw& r : raw) {
    if (r.kind == Message::kWrapper || inside_failed_alternatives(r)) continue;
    const Json* schema_node = navigator.at(r.tokens, document);
    switch (r.kind) {
      case Message::kRequired: {
        const std::size_t open = r.description.find('\'');
        const std::string name =
            r.description.substr(open + 1, r.description.rfind('\'') - open - 1);
        auto missing = r.tokens;
        missing.push_back(name);
        value_error(r.tokens, fmt::format("the required property {}", Json(name).dump()),
                    "an object without it", pointer_of(missing));
        break;
      }
      case Message::kUnknownProperty: {
        // valijson names only the first unknown key; report each of them.
        const Json& object = document.at(Json::json_pointer(pointer_of(r.tokens)));
        const std::vector<std::string> known = navigator.known_properties(schema_node);
        std::vector<std::string> quoted;
        for (const auto& k : known)
          quoted.push_back(Json(k).dump());
        if (quoted.size() > kMaxNamesListed) {
          quoted.resize(kMaxNamesListed);
          quoted.push_back("...");
        }
        for (const auto& item : object.items()) {
          if (navigator.names_property(schema_node, item.key())) continue;
          std::string found = fmt::format("an unknown property {}", Json(item.key()).dump());
          if (const auto nearest = nearest_name(item.key(), known)) {
            found += fmt::format(" (did you mean {}?)", Json(*nearest).dump());
          }
          auto tokens = r.tokens;
          tokens.push_back(item.key());
          value_error(std::move(tokens),
                      quoted.empty() ? std::string("no properties here")
                                     : fmt::format("one of the known properties ({})",
                                                   join(quoted, ", ", ", ")),
                      std::move(found), std::nullopt, /*unknown=*/true);
        }
        break;
      }
      case Message::kLeaf:
      case Message::kAlternatives: {
        std::string found = found_at(r.tokens);
        if (schema_node == nullptr) found += fmt::format(" ({})", r.description);
        value_error(r.tokens, describer.describe(schema_node), std::move(found));
        break;
      }
      case Message::kWrapper:
        break;
    }
  }

  std::stable_sort(located.begin(), located.end(), [](const Located& a, const Located& b) {
    return document_order(a.tokens, b.tokens);
  });
  SchemaCheck result;
  std::set<std::tuple<std::string, std::string, std::string>> seen;
  for (Located& l : located) {
    if (seen.emplace(l.error.json_pointer, l.error.expected, l.error.found).second) {
      result.errors.push_back(std::move(l.error));
      result.refusals.push_back(std::move(l.refusal));
    }
  }
  return result;
}

}  // namespace hilcap::sim
