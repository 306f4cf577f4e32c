#include "pin_state_machine.h"

#include <gtest/gtest.h>

#include <utility>
#include <vector>

namespace hilcap::device {
namespace {

using Steps = std::vector<std::pair<PinState, PinState>>;

Steps walk(PinStateMachine& pin, PinState target) {
  Steps steps;
  pin.walk_to(target, [&](PinState from, PinState to) { steps.emplace_back(from, to); });
  return steps;
}

// Guards KS case 19: STOP -> RUN reaches the device as STOP -> ACQUIRE -> PAUSE -> RUN.
TEST(PinStateMachine, StopToRunWalksEveryIntermediateState) {
  PinStateMachine pin;
  EXPECT_EQ(pin.state(), PinState::kStop);
  EXPECT_EQ(walk(pin, PinState::kRun), (Steps{{PinState::kStop, PinState::kAcquire},
                                              {PinState::kAcquire, PinState::kPause},
                                              {PinState::kPause, PinState::kRun}}));
  EXPECT_EQ(pin.state(), PinState::kRun);
}

// Guards the way down: RUN -> STOP goes RUN -> PAUSE -> ACQUIRE -> STOP.
TEST(PinStateMachine, RunToStopWalksDownThroughPauseAndAcquire) {
  PinStateMachine pin;
  walk(pin, PinState::kRun);
  EXPECT_EQ(walk(pin, PinState::kStop), (Steps{{PinState::kRun, PinState::kPause},
                                               {PinState::kPause, PinState::kAcquire},
                                               {PinState::kAcquire, PinState::kStop}}));
}

// Guards no-op requests and single steps.
TEST(PinStateMachine, SameStateTakesNoStepAndNeighboursOne) {
  PinStateMachine pin;
  EXPECT_TRUE(walk(pin, PinState::kStop).empty());
  walk(pin, PinState::kPause);
  EXPECT_EQ(walk(pin, PinState::kAcquire), (Steps{{PinState::kPause, PinState::kAcquire}}));
  EXPECT_EQ(next_step(PinState::kRun, PinState::kRun), PinState::kRun);
  EXPECT_FALSE(is_valid(static_cast<PinState>(4)));
  EXPECT_EQ(to_string(PinState::kAcquire), "ACQUIRE");
}

}  // namespace
}  // namespace hilcap::device
