// The device model's view of time: part of its published interface.
//
// The device never reads a clock or sleeps by itself. It asks a Timebase for
// "now" and to run work at an absolute time. sim/ provides a virtual-time
// implementation (one event queue, nothing sleeps) and a real-time one (the
// device thread sleeps to absolute deadlines); the device code is the same in
// both, which is what makes a virtual-time run predict a real-time one.
//
// What the device model (firmware-model/src/device_model.h) relies on:
// - schedule_at() and cancel() may be called from any thread, not only from
//   inside events: the device's control surface runs on host threads and
//   schedules from there (e.g. the first frame on entering RUN);
// - an implementation does not hold its own lock while it runs an event (the
//   event takes the device's lock and may schedule or cancel);
// - the device's events capture at most 16 trivially copyable bytes, which
//   std::function stores without allocating.
#pragma once

#include <cstdint>
#include <functional>

namespace hilcap::device {

// Nanoseconds since the start of the run (virtual or wall-clock).
using TimeNs = std::int64_t;

// Identifies a scheduled event so that it can be cancelled. 0 is never used.
using EventId = std::uint64_t;

using EventFn = std::function<void()>;

class Timebase {
 public:
  virtual ~Timebase() = default;

  virtual TimeNs now() const = 0;

  // Runs `fn` at absolute time `at`; a time in the past runs at now(). Events
  // due at the same time run in the order they were scheduled.
  virtual EventId schedule_at(TimeNs at, EventFn fn) = 0;

  // Cancels an event that has not run yet; false when it already ran, was
  // already cancelled, or never existed.
  virtual bool cancel(EventId id) = 0;
};

}  // namespace hilcap::device
