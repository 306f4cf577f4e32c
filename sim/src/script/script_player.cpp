#include "script/script_player.h"

#include <fmt/format.h>

#include "pin_state_machine.h"
#include "scenario/json_units.h"
#include "scenario/status_names.h"

namespace hilcap::sim {
namespace {

std::string format_ms(TimeNs ns) {
  return fmt::format("{:g} ms", static_cast<double>(ns) / kNsPerMs);
}

std::string window_text(const StepExpectation::Window& window) {
  if (window.min_ns && window.max_ns) {
    return fmt::format(" after {}..{}", format_ms(*window.min_ns), format_ms(*window.max_ns));
  }
  if (window.min_ns) return fmt::format(" after at least {}", format_ms(*window.min_ns));
  if (window.max_ns) return fmt::format(" within {}", format_ms(*window.max_ns));
  return {};
}

}  // namespace

// A client the script acts through: the KS calls made public, pended
// ALLOCs reported back to the player.
class ScriptPlayer::ScriptedClient final : public KsClient {
 public:
  ScriptedClient(std::string name, ClientEnvironment& environment, ScriptPlayer& player)
      : KsClient(std::move(name), environment), player_(player) {}

  using KsClient::alloc;
  using KsClient::cancel;
  using KsClient::close_allocator;
  using KsClient::free;

 private:
  void on_request_ended(KsRequest& request, NTSTATUS status) override {
    player_.alloc_ended(request, status);
  }

  ScriptPlayer& player_;
};

std::string describe_step(const ScriptStep& step) {
  std::string what(to_string(step.action));
  switch (step.action) {
    case ScriptStep::Action::kAlloc:
    case ScriptStep::Action::kFree:
    case ScriptStep::Action::kCancel:
      if (!step.id.empty()) what += fmt::format(" \"{}\"", step.id);
      break;
    case ScriptStep::Action::kSetState:
      what += fmt::format(" {}", to_string(step.state));
      break;
    case ScriptStep::Action::kInjectFault:
      what += fmt::format(" {}", device::to_string(step.fault.kind));
      break;
    default:
      break;
  }
  return fmt::format("{} ({} at {})", step.pointer, what, format_ms(step.at_ns));
}

ScriptPlayer::ScriptPlayer(std::vector<ScriptStep> steps, const std::vector<ClientSpec>& clients,
                           ClientEnvironment& environment, PinControls& pin)
    : steps_(std::move(steps)), environment_(environment), pin_(pin) {
  for (const ClientSpec& spec : clients) {
    if (spec.scripted) {
      clients_.push_back(std::make_unique<ScriptedClient>(spec.name, environment, *this));
    }
  }
}

ScriptPlayer::~ScriptPlayer() = default;

void ScriptPlayer::start() {
  for (const ScriptStep& step : steps_) {
    const ScriptStep* s = &step;
    environment_.scheduler.schedule_at(step.at_ns, [this, s] { run_step(*s); });
  }
}

std::vector<const KsClient*> ScriptPlayer::clients() const {
  std::vector<const KsClient*> out;
  for (const auto& c : clients_)
    out.push_back(c.get());
  return out;
}

ScriptPlayer::ScriptedClient& ScriptPlayer::client(const std::string& name) {
  for (auto& c : clients_) {
    if (c->name() == name) return *c;
  }
  // The loader lists every client a step names.
  throw std::logic_error("script step names an unknown client \"" + name + "\"");
}

void ScriptPlayer::run_step(const ScriptStep& step) {
  ++figures_.steps_run;
  switch (step.action) {
    case ScriptStep::Action::kAlloc:
      run_alloc(step, client(step.client));
      return;
    case ScriptStep::Action::kFree: {
      const auto it = allocs_.find(step.id);
      void* frame = it == allocs_.end() ? nullptr : it->second.received;
      expect_status(step, client(step.client).free(frame));
      return;
    }
    case ScriptStep::Action::kCancel: {
      KsRequest* request = nullptr;
      if (!step.id.empty()) {
        const auto it = allocs_.find(step.id);
        if (it != allocs_.end()) request = it->second.request.get();
      }
      const bool found = client(step.client).cancel(request);
      expect_status(step, found ? STATUS_SUCCESS : STATUS_NOT_FOUND);
      return;
    }
    case ScriptStep::Action::kClose:
      expect_status(step, client(step.client).close_allocator());
      return;
    case ScriptStep::Action::kSetState:
      expect_status(step, pin_.set_state(step.state));
      return;
    case ScriptStep::Action::kInjectFault:
      expect_status(step, pin_.inject_fault(step.fault));
      return;
    case ScriptStep::Action::kDroppedFrames: {
      KSPROPERTY_DROPPEDFRAMES_CURRENT_S counters{};
      expect_status(step, pin_.dropped_frames(counters));
      if (step.expect.picture_number) {
        expect_value(step, "PictureNumber", *step.expect.picture_number, counters.PictureNumber);
      }
      if (step.expect.drop_count) {
        expect_value(step, "DropCount", *step.expect.drop_count, counters.DropCount);
      }
      return;
    }
  }
}

void ScriptPlayer::run_alloc(const ScriptStep& step, ScriptedClient& client) {
  Alloc& entry = allocs_[step.id];
  entry.step = &step;
  entry.request = std::make_unique<KsRequest>();
  entry.request->client = &client;
  entry.received = nullptr;
  const NTSTATUS status = client.alloc(*entry.request);
  if (status == STATUS_SUCCESS) entry.received = entry.request->frame;
  expect_status(step, status);
  if (step.expect.completes && status != STATUS_PENDING && !step.expect.status) {
    ++figures_.expectations_checked;
    fail(step, fmt::format("expected the ALLOC to pend and complete later, but it ended at once "
                           "with {}",
                           status_name(status)));
  }
}

void ScriptPlayer::alloc_ended(KsRequest& request, NTSTATUS status) {
  for (auto& [id, entry] : allocs_) {
    if (entry.request.get() != &request) continue;
    if (status == STATUS_SUCCESS) entry.received = request.frame;
    const ScriptStep& step = *entry.step;
    if (!step.expect.completes) return;
    ++figures_.expectations_checked;
    const TimeNs after = environment_.scheduler.now() - request.issued_at;
    const auto& window = step.expect.completion_after;
    const bool status_ok =
        !step.expect.completion_status || *step.expect.completion_status == status;
    const bool time_ok =
        (!window.min_ns || after >= *window.min_ns) && (!window.max_ns || after <= *window.max_ns);
    if (!status_ok || !time_ok) {
      fail(step, fmt::format("expected to complete{}{}, completed with {} after {}",
                             step.expect.completion_status
                                 ? " with " + status_name(*step.expect.completion_status)
                                 : std::string(),
                             window_text(window), status_name(status), format_ms(after)));
    }
    return;
  }
}

void ScriptPlayer::finish() {
  for (auto& [id, entry] : allocs_) {
    const ScriptStep& step = *entry.step;
    if (!step.expect.completes || !entry.request->pending) continue;
    ++figures_.expectations_checked;
    fail(step, fmt::format("expected to complete{}{}, still pending at the end of the run ({} "
                           "after the ALLOC)",
                           step.expect.completion_status
                               ? " with " + status_name(*step.expect.completion_status)
                               : std::string(),
                           window_text(step.expect.completion_after),
                           format_ms(environment_.scheduler.now() - entry.request->issued_at)));
  }
}

void ScriptPlayer::expect_status(const ScriptStep& step, NTSTATUS status) {
  if (!step.expect.status) return;
  ++figures_.expectations_checked;
  if (*step.expect.status != status) {
    fail(step,
         fmt::format("expected {}, got {}", status_name(*step.expect.status), status_name(status)));
  }
}

void ScriptPlayer::expect_value(const ScriptStep& step, std::string_view what,
                                std::int64_t expected, std::int64_t found) {
  ++figures_.expectations_checked;
  if (expected != found) fail(step, fmt::format("expected {} {}, got {}", what, expected, found));
}

void ScriptPlayer::fail(const ScriptStep& step, const std::string& message) {
  ++figures_.expectations_failed;
  failures_.push_back(fmt::format("{}: {}", describe_step(step), message));
}

}  // namespace hilcap::sim
