#include "progress/progress_line.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>

namespace hilcap::sim {
namespace {

std::int64_t steady_now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

ProgressLine ProgressLine::for_stderr(TimeNs duration) {
  return ProgressLine(stderr, ::isatty(::fileno(stderr)) == 1, duration);
}

ProgressLine::ProgressLine(std::FILE* out, bool enabled, TimeNs duration, WallClock clock,
                           bool wall_clock_run)
    : out_(out),
      enabled_(enabled),
      duration_(duration),
      clock_(clock ? std::move(clock) : WallClock(steady_now_ns)),
      wall_clock_run_(wall_clock_run) {
  if (enabled_) start_ns_ = clock_();
}

ProgressLine::~ProgressLine() {
  finish();
}

void ProgressLine::maybe_draw(TimeNs virtual_now, std::uint64_t frames, std::uint64_t drops) {
  const std::int64_t now = clock_();
  const std::int64_t wall = now - start_ns_;
  if (wall < kFirstDrawAfterNs || (drawn_ && now - last_draw_ns_ < kRedrawEveryNs)) return;
  last_draw_ns_ = now;
  drawn_ = true;
  const double wall_s = static_cast<double>(wall) / 1e9;
  std::string line = "\r";
  if (duration_ > 0) {
    const double done =
        std::clamp(static_cast<double>(virtual_now) / static_cast<double>(duration_), 0.0, 1.0);
    line += fmt::format("[{:3.0f}%] ", done * 100.0);
  }
  if (wall_clock_run_) {
    const double run_s = std::max(static_cast<double>(virtual_now) / 1e9, 1e-9);
    line += fmt::format("wall {:.1f} s  frames {} ({:.0f} fps)  drops {}\x1b[K", run_s, frames,
                        static_cast<double>(frames) / run_s, drops);
  } else {
    line +=
        fmt::format("virtual {:.3f} s  wall {:.1f} s  frames {} ({:.0f} fps wall)  drops {}\x1b[K",
                    static_cast<double>(virtual_now) / 1e9, wall_s, frames,
                    static_cast<double>(frames) / wall_s, drops);
  }
  std::fputs(line.c_str(), out_);
  std::fflush(out_);
}

void ProgressLine::finish() {
  if (!drawn_) return;
  std::fputs("\r\x1b[K", out_);
  std::fflush(out_);
  drawn_ = false;
}

}  // namespace hilcap::sim
