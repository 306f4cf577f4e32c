#include "scenario/client_section.h"

#include <fmt/format.h>

#include <set>

#include "scenario/json_units.h"

namespace hilcap::sim {
namespace {

using Json = nlohmann::json;

struct DurationKind {
  std::string_view name;
  DurationSpec::Kind kind;
  std::vector<std::string_view> parameters;
};

const std::vector<DurationKind>& duration_kinds() {
  static const std::vector<DurationKind> kinds{
      {"fixed", DurationSpec::Kind::kFixed, {"ms"}},
      {"uniform", DurationSpec::Kind::kUniform, {"min_ms", "max_ms"}},
      {"normal", DurationSpec::Kind::kNormal, {"mean_ms", "sigma_ms"}},
      {"exponential", DurationSpec::Kind::kExponential, {"mean_ms"}},
  };
  return kinds;
}

std::string run_bound(TimeNs duration_ns) {
  return fmt::format("a time within the run (before duration_s = {} s)",
                     static_cast<double>(duration_ns) / kNsPerS);
}

}  // namespace

DurationSpec read_duration(const Json& value, const std::string& pointer, ScenarioChecks& checks) {
  DurationSpec spec;
  if (value.is_number()) {
    spec.fixed_ns = to_ns(value, kNsPerMs);
    return spec;
  }
  const Json* kind_value = member(value, "kind");
  if (kind_value == nullptr || !kind_value->is_string()) return spec;
  const std::string& name = kind_value->get_ref<const std::string&>();
  const DurationKind* kind = nullptr;
  for (const DurationKind& k : duration_kinds()) {
    if (k.name == name) kind = &k;
  }
  if (kind == nullptr) return spec;
  spec.kind = kind->kind;
  for (const auto& item : value.items()) {
    if (item.key() == "kind") continue;
    if (std::find(kind->parameters.begin(), kind->parameters.end(), item.key()) ==
        kind->parameters.end()) {
      checks.fail(child_pointer(pointer, item.key()),
                  fmt::format("no \"{}\" for a duration of kind \"{}\"", item.key(), name));
    }
  }
  for (std::string_view parameter : kind->parameters) {
    if (member(value, parameter) == nullptr) {
      checks.fail(pointer,
                  fmt::format("the property \"{}\" for a duration of kind \"{}\"", parameter, name),
                  describe_found(value));
    }
  }
  auto ns = [&value](std::string_view key) {
    const Json* v = member(value, key);
    return v ? to_ns(*v, kNsPerMs) : 0;
  };
  spec.fixed_ns = ns("ms");
  spec.min_ns = ns("min_ms");
  spec.max_ns = ns("max_ms");
  spec.mean_ns = ns("mean_ms");
  spec.sigma_ns = ns("sigma_ms");
  if (spec.kind == DurationSpec::Kind::kUniform && spec.max_ns < spec.min_ns) {
    checks.fail(child_pointer(pointer, "max_ms"),
                fmt::format("a value >= min_ms ({})", value.at("min_ms").dump()));
  }
  return spec;
}

std::vector<ClientSpec> read_client_section(const Json& doc, TimeNs duration_ns,
                                            ScenarioChecks& checks) {
  std::vector<ClientSpec> clients;
  const Json* list = member(doc, "clients");
  if (list == nullptr || !list->is_array()) return clients;
  std::set<std::string> names;
  for (std::size_t i = 0; i < list->size(); ++i) {
    const Json& entry = (*list)[i];
    const std::string pointer = child_pointer("/clients", i);
    ClientSpec spec;
    if (const Json* overlapped = member(entry, "overlapped");
        overlapped && *overlapped == Json(false)) {
      checks.fail(child_pointer(pointer, "overlapped"),
                  "true in virtual time (nothing may block there: a blocking DeviceIoControl "
                  "would stop the only thread, and with it the device that would complete it)");
    }
    if (const Json* n = member(entry, "outstanding"); n && n->is_number_unsigned()) {
      spec.outstanding =
          static_cast<std::uint32_t>(std::min<std::uint64_t>(n->get<std::uint64_t>(), 4096));
    }
    if (const Json* start = member(entry, "start_at_ms")) {
      spec.start_at_ns = to_ns(*start, kNsPerMs);
      checks.require(spec.start_at_ns < duration_ns, child_pointer(pointer, "start_at_ms"),
                     run_bound(duration_ns));
    }
    // "hold_ms" / "think_ms": a fixed time in ms, the spelling a sweep's
    // --vary /clients/0/hold_ms=10,20,40 names; "hold" / "think" also take
    // a distribution. One of the two spellings per client.
    for (const char* name : {"hold", "think"}) {
      const std::string in_ms = std::string(name) + "_ms";
      const Json* general = member(entry, name);
      const Json* fixed = member(entry, in_ms);
      if (general != nullptr && fixed != nullptr) {
        checks.fail(child_pointer(pointer, in_ms),
                    fmt::format("either \"{}\" or \"{}\", not both", name, in_ms));
        continue;
      }
      const Json* given = general != nullptr ? general : fixed;
      if (given == nullptr) continue;
      DurationSpec& field = std::string_view(name) == "hold" ? spec.hold : spec.think;
      field =
          read_duration(*given, child_pointer(pointer, general != nullptr ? name : in_ms), checks);
    }
    if (const Json* cancel = member(entry, "cancel_after_ms")) {
      spec.cancel_after_ns = std::max<TimeNs>(1, to_ns(*cancel, kNsPerMs));
    }
    if (const Json* close = member(entry, "close_at_s")) {
      spec.close_at_ns = to_ns(*close, kNsPerS);
      checks.require(*spec.close_at_ns < duration_ns, child_pointer(pointer, "close_at_s"),
                     run_bound(duration_ns));
    }
    if (const Json* headers = member(entry, "frame_headers"); headers && headers->is_boolean()) {
      spec.frame_headers = headers->get<bool>();
    }

    const Json* name = member(entry, "name");
    const std::string base =
        name && name->is_string() ? name->get<std::string>() : fmt::format("client{}", i);
    std::uint64_t count = 1;
    if (const Json* c = member(entry, "count"); c && c->is_number_unsigned()) {
      count = std::min<std::uint64_t>(c->get<std::uint64_t>(), 1000);
    }
    for (std::uint64_t k = 0; k < count; ++k) {
      ClientSpec client = spec;
      client.name = count == 1 ? base : fmt::format("{}-{}", base, k + 1);
      if (!names.insert(client.name).second) {
        checks.fail(name ? child_pointer(pointer, "name") : pointer,
                    fmt::format("client names that are unique (\"{}\" is taken by an earlier "
                                "client)",
                                client.name));
        break;
      }
      clients.push_back(std::move(client));
    }
  }
  return clients;
}

}  // namespace hilcap::sim
