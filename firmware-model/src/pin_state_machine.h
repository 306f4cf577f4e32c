// The pin's state machine: STOP <-> ACQUIRE <-> PAUSE <-> RUN, one step at a
// time (reference/ks-semantics.md section 7: a STOP -> RUN request reaches the
// device as STOP -> ACQUIRE -> PAUSE -> RUN, and RUN -> STOP as RUN -> PAUSE ->
// ACQUIRE -> STOP). It only sequences the steps; the device does each step's work.
#pragma once

#include <hilcap/device/control.h>
#include <hilcap/device_internal.h>

#include <string_view>

namespace hilcap::device {

std::string_view to_string(PinState state);

bool is_valid(PinState state);

// The state one step from `from` toward `target` (`from` itself when equal).
PinState next_step(PinState from, PinState target);

class PinStateMachine {
 public:
  PinState state() const { return state_; }

  // Calls step(from, to) for each single step toward `target`, in order, and
  // returns the number of steps taken. `target` must be valid.
  template <class StepFn>
  int walk_to(PinState target, StepFn&& step) {
    int steps = 0;
    while (state_ != target) {
      const PinState from = state_;
      state_ = next_step(from, target);
      step(from, state_);
      ++steps;
    }
    return steps;
  }

  // Forces the state without steps (the device disconnected: it is simply off).
  void reset_to(PinState state) { state_ = state; }

 private:
  PinState state_ = PinState::kStop;
};

}  // namespace hilcap::device
