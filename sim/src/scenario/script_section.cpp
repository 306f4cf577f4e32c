#include "scenario/script_section.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <map>
#include <set>

#include "scenario/device_section.h"
#include "scenario/json_units.h"
#include "scenario/status_names.h"

namespace hilcap::sim {
namespace {

using Json = nlohmann::json;
using Action = ScriptStep::Action;

struct ActionRule {
  std::string_view name;
  Action action;
  std::vector<std::string_view> keys;  // besides at_ms, do, expect, comment
  std::string_view required;           // a key the step needs, or empty
};

const std::vector<ActionRule>& action_rules() {
  static const std::vector<ActionRule> rules{
      {"alloc", Action::kAlloc, {"client", "id"}, "id"},
      {"free", Action::kFree, {"client", "frame_of"}, "frame_of"},
      {"cancel", Action::kCancel, {"client", "id"}, ""},
      {"close", Action::kClose, {"client"}, ""},
      {"set_state", Action::kSetState, {"state"}, "state"},
      {"inject_fault", Action::kInjectFault, {"fault"}, "fault"},
      {"dropped_frames", Action::kDroppedFrames, {}, ""},
  };
  return rules;
}

device::PinState state_from_name(const std::string& name) {
  if (name == "stop") return device::PinState::kStop;
  if (name == "acquire") return device::PinState::kAcquire;
  if (name == "pause") return device::PinState::kPause;
  return device::PinState::kRun;
}

std::optional<NTSTATUS> status_at(const Json& object, std::string_view key) {
  const Json* value = member(object, key);
  if (value == nullptr || !value->is_string()) return std::nullopt;
  return status_from_name(value->get_ref<const std::string&>());
}

class ScriptReader {
 public:
  ScriptReader(TimeNs duration_ns, const std::vector<ClientSpec>& models, ScenarioChecks& checks)
      : duration_ns_(duration_ns), checks_(checks) {
    for (const ClientSpec& model : models)
      model_names_.insert(model.name);
  }

  ScriptSection read(const Json& list) {
    ScriptSection section;
    section.steps.reserve(list.size());
    for (std::size_t i = 0; i < list.size(); ++i) {
      const std::string pointer = child_pointer("/script", i);
      if (auto step = read_step(list[i], pointer)) {
        section.steps.push_back(std::move(*step));
      }
    }
    for (const std::string& name : scripted_) {
      ClientSpec client;
      client.name = name;
      client.scripted = true;
      section.clients.push_back(std::move(client));
    }
    return section;
  }

 private:
  std::optional<ScriptStep> read_step(const Json& entry, const std::string& pointer) {
    const Json* action_value = member(entry, "do");
    if (action_value == nullptr || !action_value->is_string()) return std::nullopt;
    const std::string& action_name = action_value->get_ref<const std::string&>();
    const auto rule = std::find_if(action_rules().begin(), action_rules().end(),
                                   [&](const ActionRule& r) { return r.name == action_name; });
    if (rule == action_rules().end()) return std::nullopt;

    ScriptStep step;
    step.pointer = pointer;
    step.action = rule->action;
    if (const Json* at = member(entry, "at_ms")) step.at_ns = to_ns(*at, kNsPerMs);
    check_keys(entry, pointer, *rule);
    check_time(step.at_ns, pointer);

    switch (step.action) {
      case Action::kAlloc:
      case Action::kFree:
      case Action::kCancel:
      case Action::kClose:
        step.client = acting_client(entry, pointer);
        break;
      default:
        break;
    }
    if (const Json* id = member(entry, step.action == Action::kFree ? "frame_of" : "id");
        id && id->is_string()) {
      step.id = id->get<std::string>();
    }
    switch (step.action) {
      case Action::kAlloc:
        if (!step.id.empty() && !alloc_ids_.emplace(step.id, pointer).second) {
          checks_.fail(child_pointer(pointer, "id"),
                       fmt::format("an id no earlier alloc uses (\"{}\" names the alloc at {})",
                                   step.id, alloc_ids_.at(step.id)));
        }
        break;
      case Action::kFree:
      case Action::kCancel:
        if (!step.id.empty() && !alloc_ids_.contains(step.id)) {
          checks_.fail(child_pointer(pointer, step.action == Action::kFree ? "frame_of" : "id"),
                       "the id of an earlier alloc step");
        }
        break;
      case Action::kSetState:
        if (const Json* state = member(entry, "state"); state && state->is_string()) {
          step.state = state_from_name(state->get<std::string>());
        }
        break;
      case Action::kInjectFault:
        if (const Json* fault = member(entry, "fault")) {
          step.fault = read_fault_action(*fault, child_pointer(pointer, "fault"), checks_);
        }
        break;
      case Action::kClose:
      case Action::kDroppedFrames:
        break;
    }
    if (const Json* expect = member(entry, "expect")) {
      step.expect = read_expectation(*expect, child_pointer(pointer, "expect"), step.action);
    }
    return step;
  }

  void check_keys(const Json& entry, const std::string& pointer, const ActionRule& rule) {
    for (const auto& item : entry.items()) {
      const std::string& key = item.key();
      if (key == "at_ms" || key == "do" || key == "expect" || key == "comment") continue;
      if (std::find(rule.keys.begin(), rule.keys.end(), key) == rule.keys.end()) {
        checks_.fail(child_pointer(pointer, key),
                     fmt::format("no \"{}\" in a \"{}\" step", key, rule.name));
      }
    }
    if (!rule.required.empty() && member(entry, rule.required) == nullptr) {
      checks_.fail(pointer,
                   fmt::format("the property \"{}\" for a \"{}\" step", rule.required, rule.name),
                   describe_found(entry));
    }
  }

  void check_time(TimeNs at_ns, const std::string& pointer) {
    if (at_ns >= duration_ns_) {
      checks_.fail(child_pointer(pointer, "at_ms"),
                   fmt::format("a time within the run (before duration_s = {} s)",
                               static_cast<double>(duration_ns_) / kNsPerS));
    } else if (at_ns < last_at_ns_) {
      checks_.fail(child_pointer(pointer, "at_ms"),
                   fmt::format("a time >= the previous step's ({} ms): steps run in file order",
                               static_cast<double>(last_at_ns_) / kNsPerMs));
    }
    last_at_ns_ = std::max(last_at_ns_, at_ns);
  }

  std::string acting_client(const Json& entry, const std::string& pointer) {
    const Json* name = member(entry, "client");
    const std::string client =
        name && name->is_string() ? name->get<std::string>() : std::string(kDefaultScriptClient);
    if (model_names_.contains(client)) {
      checks_.fail(name ? child_pointer(pointer, "client") : pointer,
                   fmt::format("the name of a scripted client (\"{}\" is a client model, which "
                               "acts by itself)",
                               client));
    } else if (scripted_names_.insert(client).second) {
      scripted_.push_back(client);
    }
    return client;
  }

  StepExpectation read_expectation(const Json& expect, const std::string& pointer, Action action) {
    StepExpectation e;
    e.status = status_at(expect, "status");
    if (const Json* completes = member(expect, "completes")) {
      const std::string at = child_pointer(pointer, "completes");
      if (action != Action::kAlloc) {
        checks_.fail(at, "no completion expectation except on an alloc step");
      } else if (e.status && *e.status != STATUS_PENDING) {
        checks_.fail(at, "no completion expectation unless the expected status is STATUS_PENDING");
      }
      e.completes = true;
      e.completion_status = status_at(*completes, "status");
      if (const Json* window = member(*completes, "after_ms")) {
        if (const Json* min = member(*window, "min"))
          e.completion_after.min_ns = to_ns(*min, kNsPerMs);
        if (const Json* max = member(*window, "max"))
          e.completion_after.max_ns = to_ns(*max, kNsPerMs);
        if (e.completion_after.min_ns && e.completion_after.max_ns &&
            *e.completion_after.max_ns < *e.completion_after.min_ns) {
          checks_.fail(child_pointer(child_pointer(at, "after_ms"), "max"),
                       fmt::format("a value >= min ({})", window->at("min").dump()));
        }
      }
    }
    for (const char* key : {"picture_number", "drop_count"}) {
      const Json* value = member(expect, key);
      if (value == nullptr) continue;
      if (action != Action::kDroppedFrames) {
        checks_.fail(child_pointer(pointer, key),
                     fmt::format("no \"{}\" except on a dropped_frames step", key));
      }
      if (value->is_number_unsigned()) {
        const auto v = static_cast<std::int64_t>(
            std::min<std::uint64_t>(value->get<std::uint64_t>(), INT64_MAX));
        (std::string_view(key) == "picture_number" ? e.picture_number : e.drop_count) = v;
      }
    }
    return e;
  }

  TimeNs duration_ns_;
  // Sets, so that a script of many steps is read in linear time.
  std::set<std::string, std::less<>> model_names_;
  ScenarioChecks& checks_;
  TimeNs last_at_ns_ = 0;
  std::map<std::string, std::string> alloc_ids_;  // id -> pointer of its alloc step
  std::vector<std::string> scripted_;             // in order of first use
  std::set<std::string, std::less<>> scripted_names_;
};

}  // namespace

ScriptSection read_script_section(const Json& doc, TimeNs duration_ns,
                                  const std::vector<ClientSpec>& models, ScenarioChecks& checks) {
  const Json* list = member(doc, "script");
  if (list == nullptr || !list->is_array()) return {};
  return ScriptReader(duration_ns, models, checks).read(*list);
}

}  // namespace hilcap::sim
