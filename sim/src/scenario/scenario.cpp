#include "scenario/scenario.h"

namespace hilcap::sim {
namespace {

// SplitMix64's finaliser: spreads (seed, index) into unrelated client seeds.
std::uint64_t mix(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

}  // namespace

void Scenario::reseed(std::uint64_t new_seed) {
  seed = new_seed;
  device.seed = new_seed;
  for (std::size_t i = 0; i < clients.size(); ++i) {
    clients[i].seed = mix(mix(new_seed) + i);
  }
}

CapturePinOptions Scenario::pin_options() const {
  CapturePinOptions options;
  options.verify_frames = host.verify_frames;
  if (const auto interval = device::frame_interval(device.timing.cadence);
      interval && interval->den != 0) {
    options.frame_interval_ns = static_cast<std::int64_t>(interval->num_ns / interval->den);
  }
  return options;
}

std::string_view to_string(ScriptStep::Action action) {
  switch (action) {
    case ScriptStep::Action::kAlloc:
      return "alloc";
    case ScriptStep::Action::kFree:
      return "free";
    case ScriptStep::Action::kCancel:
      return "cancel";
    case ScriptStep::Action::kClose:
      return "close";
    case ScriptStep::Action::kSetState:
      return "set_state";
    case ScriptStep::Action::kInjectFault:
      return "inject_fault";
    case ScriptStep::Action::kDroppedFrames:
      return "dropped_frames";
  }
  return "unknown";
}

}  // namespace hilcap::sim
