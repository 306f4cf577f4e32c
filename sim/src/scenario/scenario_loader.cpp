#include "scenario/scenario_loader.h"

#include <fmt/format.h>

#include <algorithm>
#include <exception>
#include <limits>
#include <nlohmann/json.hpp>
#include <numeric>

#include "scenario/allocator_section.h"
#include "scenario/camera_section.h"
#include "scenario/client_section.h"
#include "scenario/device_section.h"
#include "scenario/json_file.h"
#include "scenario/json_units.h"
#include "scenario/refused_values.h"
#include "scenario/run_limits.h"
#include "scenario/scenario_schema.h"
#include "scenario/script_section.h"
#include "scenario/uvc_section.h"

namespace hilcap::sim {
namespace {

using Json = nlohmann::json;

// A time bound no scenario time reaches: the run's duration, when the
// duration itself was refused (no time is reported against a default).
constexpr TimeNs kNoDurationBound = std::numeric_limits<TimeNs>::max();

HostSpec read_host(const Json& doc) {
  HostSpec host;
  const Json* section = member(doc, "host");
  if (section == nullptr) return host;
  if (const Json* dpc = member(*section, "dpc_latency_us")) {
    host.dpc_latency_ns = to_ns(*dpc, kNsPerUs);
  }
  if (const Json* verify = member(*section, "verify_frames"); verify && verify->is_boolean()) {
    host.verify_frames = verify->get<bool>();
  }
  if (const Json* state = member(*section, "initial_state"); state && state->is_string()) {
    const std::string& name = state->get_ref<const std::string&>();
    host.initial_state = name == "stop"      ? device::PinState::kStop
                         : name == "acquire" ? device::PinState::kAcquire
                         : name == "pause"   ? device::PinState::kPause
                                             : device::PinState::kRun;
  }
  return host;
}

// Runs one stage of the rules; whatever a library throws on this input
// becomes an error at the section it was reading, not an "internal error"
// without a place.
template <typename F>
void guarded(ScenarioChecks& checks, std::string_view section, F&& read) {
  try {
    read();
  } catch (const std::exception& e) {
    checks.fail(section, "a section the loader can read",
                fmt::format("a value it could not read ({})", e.what()));
  }
}

// The rules in code over the document the schema passed (refused values
// taken out), into `scenario`.
void read_sections(const Json& doc, const RefusedValues& refused, const std::filesystem::path& dir,
                   const FileReader& read_file, const LoadOptions& options, Scenario& scenario,
                   ScenarioChecks& checks) {
  const bool duration_usable = !refused.affects("/duration_s");
  guarded(checks, "", [&] {
    if (const Json* seed = member(doc, "seed")) {
      if (seed->is_number_unsigned()) {
        scenario.seed = seed->get<std::uint64_t>();
      } else {
        checks.fail("/seed", "an integer in 0..18446744073709551615");
      }
    }
    if (const Json* duration = member(doc, "duration_s")) {
      scenario.duration_ns = to_ns(*duration, kNsPerS);
    }
    if (duration_usable) {
      checks.require(scenario.duration_ns >= 1, "/duration_s", "a duration of at least 1 ns");
    }
    if (const Json* clock = member(doc, "clock"); clock != nullptr && *clock == "realtime") {
      scenario.clock = RunClock::kRealtime;
    }
    const bool camera = names_camera(doc);  // a camera runs on the wall clock
    if ((scenario.clock == RunClock::kRealtime || options.realtime || camera) && duration_usable) {
      checks.require(scenario.duration_ns <= kMaxRealtimeDurationNs, "/duration_s",
                     scenario.clock == RunClock::kRealtime
                         ? "at most 3600 s for a real-time run (\"clock\": \"realtime\")"
                     : camera ? "at most 3600 s with a USB camera (a camera run is a real-time run)"
                              : "at most 3600 s for a real-time run (--realtime)");
    }
  });
  const TimeNs time_bound = duration_usable ? scenario.duration_ns : kNoDurationBound;
  const RunLimits limits = read_limits(doc);

  guarded(checks, "/device", [&] { scenario.camera = read_camera_section(doc, checks); });
  if (scenario.camera) scenario.clock = RunClock::kRealtime;
  bool device_read_cleanly = false;
  if (!scenario.camera) {
    guarded(checks, "/device", [&] {
      const std::size_t errors_before_device = checks.error_count();
      scenario.device = read_device_section(doc, scenario.seed, dir, read_file, checks);
      // The device's own checks only on a section read cleanly: otherwise they
      // would repeat the same mistakes through the defaults put in their place.
      device_read_cleanly =
          checks.error_count() == errors_before_device && !refused.affects("/device");
      // It reports each at the JSON Pointer the user wrote, in the file's units.
      if (device_read_cleanly) {
        for (FieldError& e : scenario.device.validate()) {
          // A duration comes back as the device holds it ("0 (= 0 ns)"): show
          // the file's own spelling of the value before the ns ("1e-07 (= 0 ns)").
          const std::size_t ns = e.found.find(" (= ");
          const Json::json_pointer at(e.json_pointer);
          if (ns != std::string::npos && doc.contains(at))
            e.found = describe_found(doc.at(at)) + e.found.substr(ns);
          checks.fail(std::move(e));
        }
      }
    });
    guarded(checks, "/device/uvc", [&] {
      const std::size_t errors_before_uvc = checks.error_count();
      scenario.uvc = read_uvc_section(doc, checks);
      if (device_read_cleanly && checks.error_count() == errors_before_uvc && presents_on_usb(doc))
        check_uvc_presentation(scenario.device, scenario.uvc, checks);
    });
  }
  guarded(checks, "/host", [&] { scenario.host = read_host(doc); });
  guarded(checks, "/allocator", [&] {
    const bool framing_checkable =
        device_read_cleanly && !refused.affects("/allocator") && !refused.affects("/limits");
    scenario.framing =
        read_allocator_section(doc, scenario.device, framing_checkable, limits, checks);
    if (scenario.camera) camera_framing(doc, scenario.framing);
  });
  guarded(checks, "/clients",
          [&] { scenario.clients = read_client_section(doc, time_bound, checks); });
  guarded(checks, "/script", [&] {
    ScriptSection script = read_script_section(doc, time_bound, scenario.clients, checks);
    scenario.script = std::move(script.steps);
    for (ClientSpec& client : script.clients)
      scenario.clients.push_back(std::move(client));
  });
  if (const Json* expect = member(doc, "expect")) scenario.expect = *expect;
  scenario.reseed(scenario.seed);

  const bool virtual_time = scenario.clock == RunClock::kVirtual && !options.realtime;
  const bool estimable = duration_usable && device_read_cleanly && !refused.affects("/clients") &&
                         !refused.affects("/limits");
  if (virtual_time && estimable) {
    guarded(checks, "/duration_s",
            [&] { check_event_estimate(scenario, doc, limits, options.allow_long_run, checks); });
  }
}

// The expect block's figure names, unless the figures they name depend on
// sections the schema refused (clients.<name>... and script.* exist only for
// the clients and steps the scenario has).
std::vector<ScenarioError> check_figures(const Scenario& scenario, const RefusedValues& refused,
                                         const LoadOptions& options) {
  std::vector<ScenarioError> errors;
  if (!options.expect_figures || !scenario.expect.is_object()) return errors;
  try {
    errors = options.expect_figures(scenario);
  } catch (const std::exception& e) {
    errors.push_back({ScenarioError::Kind::kValue, scenario.file, "/expect",
                      "figure names the loader can check",
                      fmt::format("a block it could not check ({})", e.what())});
  }
  if (refused.affects("/clients") || refused.affects("/script")) {
    std::erase_if(errors, [](const ScenarioError& e) {
      return e.json_pointer.starts_with("/expect/clients.") ||
             e.json_pointer.starts_with("/expect/script.");
    });
  }
  return errors;
}

// In the order the file reads; errors at one place keep their order (syntax
// and duplicates, schema, rules, expect figures).
void sort_by_place_in_file(std::string_view text, std::vector<ScenarioError>& errors) {
  if (errors.size() < 2) return;
  std::vector<std::string> pointers;
  pointers.reserve(errors.size());
  for (const ScenarioError& e : errors)
    pointers.push_back(e.json_pointer);
  const std::vector<std::size_t> offsets = locate_pointers(text, pointers);
  std::vector<std::size_t> order(errors.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return offsets[a] < offsets[b]; });
  std::vector<ScenarioError> sorted;
  sorted.reserve(errors.size());
  for (const std::size_t i : order)
    sorted.push_back(std::move(errors[i]));
  errors = std::move(sorted);
}

}  // namespace

LoadedScenario parse_scenario(std::string_view text, std::string_view file,
                              const std::filesystem::path& directory, const FileReader& read_file,
                              const LoadOptions& options) {
  LoadedScenario result;
  JsonFile json = parse_json_text(text, file);
  if (!json.document) {
    result.errors = std::move(json.errors);  // a syntax error: nothing else can be checked
    return result;
  }
  Json& doc = *json.document;
  std::vector<ScenarioError> errors = std::move(json.errors);  // duplicate keys

  SchemaCheck schema;
  try {
    schema = scenario_schema().check(doc, file);
  } catch (const std::exception& e) {
    schema.errors.push_back({ScenarioError::Kind::kValue, std::string(file), "",
                             "a document the schema validator can check",
                             fmt::format("one it could not ({})", e.what())});
    schema.refusals.push_back({"", false});
  }
  errors.insert(errors.end(), schema.errors.begin(), schema.errors.end());
  const RefusedValues refused(schema.refusals);

  Scenario scenario;
  scenario.file = std::string(file);
  scenario.source_text = std::string(text);
  if (!refused.whole_document()) {
    refused.erase_from(doc);
    ScenarioChecks checks{std::string(file), doc};
    read_sections(doc, refused, directory, read_file, options, scenario, checks);
    for (ScenarioError& e : checks.errors()) {
      if (!refused.overlaps(e.json_pointer)) errors.push_back(std::move(e));
    }
    for (ScenarioError& e : check_figures(scenario, refused, options))
      errors.push_back(std::move(e));
  }

  if (!errors.empty()) {
    sort_by_place_in_file(text, errors);
    result.errors = std::move(errors);
    return result;
  }
  result.scenario = std::move(scenario);
  return result;
}

LoadedScenario load_scenario(const std::filesystem::path& file, const FileReader& read_file,
                             const LoadOptions& options) {
  std::string error;
  const std::optional<std::string> text = read_file(file, error);
  if (!text) {
    LoadedScenario result;
    result.errors.push_back({ScenarioError::Kind::kUnreadable, file.string(), {}, {}, error});
    return result;
  }
  return parse_scenario(*text, file.string(), file.parent_path(), read_file, options);
}

}  // namespace hilcap::sim
