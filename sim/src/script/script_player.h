// Plays a scenario's script: each step at its time (steps at the same time in
// file order), acting through scripted KS clients on the shared allocator
// handle or on the pin, and checks each step's expected outcome. A missed
// expectation does not stop the run; it fails the scenario with a message
// naming the step, what was expected and what happened.
#pragma once

#include <hilcap/device/control.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "clients/ks_client.h"
#include "scenario/scenario.h"

namespace hilcap::sim {

// What the script does to the pin and the device, besides the allocator.
class PinControls {
 public:
  virtual ~PinControls() = default;
  virtual NTSTATUS set_state(device::PinState state) = 0;
  virtual NTSTATUS inject_fault(const device::FaultAction& fault) = 0;
  virtual NTSTATUS dropped_frames(KSPROPERTY_DROPPEDFRAMES_CURRENT_S& counters) = 0;
};

struct ScriptFigures {
  std::uint64_t steps_run = 0;
  std::uint64_t expectations_checked = 0;
  std::uint64_t expectations_failed = 0;
};

class ScriptPlayer {
 public:
  // `clients` are the scripted clients (ClientSpec::scripted).
  ScriptPlayer(std::vector<ScriptStep> steps, const std::vector<ClientSpec>& clients,
               ClientEnvironment& environment, PinControls& pin);
  ~ScriptPlayer();
  ScriptPlayer(const ScriptPlayer&) = delete;
  ScriptPlayer& operator=(const ScriptPlayer&) = delete;

  // Schedules every step.
  void start();
  // At the end of the run: completion expectations of ALLOCs still pending fail.
  void finish();

  const std::vector<std::string>& failures() const { return failures_; }
  const ScriptFigures& figures() const { return figures_; }
  // The scripted clients, in the order they were given.
  std::vector<const KsClient*> clients() const;

 private:
  class ScriptedClient;
  struct Alloc {
    const ScriptStep* step;
    std::unique_ptr<KsRequest> request;
    // The frame once the client has it: at once, or when the client hears of
    // the completion. Not request->frame: in real time the completing thread
    // writes that first, and a FREE of it then was a FREE of a frame no
    // client held yet (the run stopped on that violation).
    void* received = nullptr;
  };

  void run_step(const ScriptStep& step);
  void run_alloc(const ScriptStep& step, ScriptedClient& client);
  void alloc_ended(KsRequest& request, NTSTATUS status);
  void expect_status(const ScriptStep& step, NTSTATUS status);
  void expect_value(const ScriptStep& step, std::string_view what, std::int64_t expected,
                    std::int64_t found);
  void fail(const ScriptStep& step, const std::string& message);
  ScriptedClient& client(const std::string& name);

  std::vector<ScriptStep> steps_;
  ClientEnvironment& environment_;
  PinControls& pin_;
  std::vector<std::unique_ptr<ScriptedClient>> clients_;
  std::map<std::string, Alloc> allocs_;  // by the alloc step's id
  std::vector<std::string> failures_;
  ScriptFigures figures_;
};

// "/script/3 (alloc \"a1\" at 100 ms)": how a message names a step.
std::string describe_step(const ScriptStep& step);

}  // namespace hilcap::sim
