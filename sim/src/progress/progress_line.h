// A single updating status line on stderr for long runs, the one of every
// run. In virtual time:
//   [ 41%] virtual 12.345 s  wall 1.2 s  frames 370 (308 fps wall)  drops 0
// on the wall clock (real time, a camera), where the run's time is wall time:
//   [ 41%] wall 12.3 s  frames 370 (30 fps)  drops 0
// Only on a terminal, only once the run has taken a second of wall time, at
// most every 100 ms, and erased when the run ends. update() is meant to be
// called on every frame: it reads the wall clock only every kCheckEvery calls.
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>

#include "scheduler/scheduler.h"

namespace hilcap::sim {

class ProgressLine {
 public:
  // Monotonic wall-clock time in ns (steady_clock by default; tests inject one).
  using WallClock = std::function<std::int64_t()>;

  static constexpr std::uint32_t kCheckEvery = 256;
  static constexpr std::int64_t kFirstDrawAfterNs = 1'000'000'000;
  static constexpr std::int64_t kRedrawEveryNs = 100'000'000;

  // Draws on stderr when it is a terminal; `duration` is the run's virtual
  // length (0 when unknown: no percentage).
  static ProgressLine for_stderr(TimeNs duration);

  // Draws on `out` only when `enabled`. `wall_clock_run`: the run's own
  // clock is the wall clock (the second form above).
  ProgressLine(std::FILE* out, bool enabled, TimeNs duration, WallClock clock = {},
               bool wall_clock_run = false);
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;
  ~ProgressLine();

  void update(TimeNs virtual_now, std::uint64_t frames, std::uint64_t drops) {
    if (enabled_ && ++calls_ % kCheckEvery == 0) maybe_draw(virtual_now, frames, drops);
  }

  // For callers that already call at a low rate (the real-time runner polls
  // every few ms): no call counting, the same first-draw delay and redraw rate.
  void update_now(TimeNs virtual_now, std::uint64_t frames, std::uint64_t drops) {
    if (enabled_) maybe_draw(virtual_now, frames, drops);
  }

  // Erases the line if one was drawn; the end-of-run summary follows cleanly.
  void finish();

 private:
  void maybe_draw(TimeNs virtual_now, std::uint64_t frames, std::uint64_t drops);

  std::FILE* out_;
  bool enabled_;
  TimeNs duration_;
  WallClock clock_;
  bool wall_clock_run_;
  std::int64_t start_ns_ = 0;
  std::int64_t last_draw_ns_ = 0;
  std::uint32_t calls_ = 0;
  bool drawn_ = false;
};

}  // namespace hilcap::sim
