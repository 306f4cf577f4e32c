// The device's interrupt line to the host, and its moderation rule.
//
// The integrator implements InterruptLine: in virtual time raise() schedules
// the host's completion path (its "ISR/DPC") as an event; in real time it wakes
// the host's completion thread. The device never holds its lock while calling
// raise(), so raise() may even run the host's completion path synchronously.
//
// Moderation (level-triggered, with an acknowledge register):
// - After posting completions, the device asserts the line interrupt_latency_ns
//   later. Completions posted while an assertion is already scheduled ride on
//   that one.
// - Asserting a line that is already asserted and not yet acknowledged does not
//   call raise() again: one interrupt covers every completion posted until the
//   host acknowledges.
// - The host's completion path must acknowledge FIRST and then drain the
//   completion ring until it is empty (DeviceControl::acknowledge_interrupt()).
//   A completion posted after the acknowledge raises the line again; one posted
//   before it is found by the drain. No completion is ever left without an
//   interrupt (at worst an interrupt finds the ring already empty).
#pragma once

namespace hilcap::device {

class InterruptLine {
 public:
  virtual ~InterruptLine() = default;

  // The line goes from deasserted to asserted. Called on the device's
  // execution context (an event on its Timebase), never under the device lock.
  virtual void raise() = 0;
};

}  // namespace hilcap::device
