#include "pin_state_machine.h"

namespace hilcap::device {

std::string_view to_string(PinState state) {
  switch (state) {
    case PinState::kStop:
      return "STOP";
    case PinState::kAcquire:
      return "ACQUIRE";
    case PinState::kPause:
      return "PAUSE";
    case PinState::kRun:
      return "RUN";
  }
  return "invalid";
}

bool is_valid(PinState state) {
  return static_cast<unsigned>(state) <= static_cast<unsigned>(PinState::kRun);
}

PinState next_step(PinState from, PinState target) {
  const auto f = static_cast<int>(from);
  const auto t = static_cast<int>(target);
  if (f == t) return from;
  return static_cast<PinState>(f < t ? f + 1 : f - 1);
}

}  // namespace hilcap::device
