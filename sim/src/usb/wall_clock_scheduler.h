// A Scheduler on the wall clock for `hilcap capture`: the client models run
// as events on one thread (the one calling run_until), in real time, while
// the USB source completes their ALLOCs from libusb's event thread. now() is
// steady_clock since construction; schedule_at(), cancel() and stop() may be
// called from any thread; run_until() sleeps to the earliest event's
// absolute deadline, so late events never shift later ones.
//
// scheduler.h describes the real-time scheduler issue 4 plans for
// `hilcap run --realtime`; this one is the part of it that capture needs
// (no device model events, no drift correction beyond absolute deadlines).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <utility>

#include "scheduler/scheduler.h"

namespace hilcap::sim {

class WallClockScheduler final : public Scheduler {
 public:
  WallClockScheduler();
  WallClockScheduler(const WallClockScheduler&) = delete;
  WallClockScheduler& operator=(const WallClockScheduler&) = delete;

  TimeNs now() const override;
  EventId schedule_at(TimeNs at, EventFn fn) override;
  bool cancel(EventId id) override;

  void run_until(TimeNs deadline) override;
  void run() override { run_until(kTimeMax); }
  bool run_one() override;
  void stop() override;
  bool stopped() const override { return stopped_.load(); }
  std::uint64_t events_run() const override { return events_run_.load(); }

 private:
  using Key = std::pair<TimeNs, std::uint64_t>;  // (time, sequence): the virtual order
  // Takes the earliest event due by `deadline`, waiting for it; false when
  // the deadline passed with none due, or on stop().
  bool take_due(TimeNs deadline, EventFn& fn);

  const std::chrono::steady_clock::time_point start_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::map<Key, EventFn> queue_;
  std::map<EventId, Key> ids_;  // pending events by id
  std::uint64_t next_sequence_ = 0;
  std::atomic<bool> stopped_{false};
  std::atomic<std::uint64_t> events_run_{0};
};

}  // namespace hilcap::sim
