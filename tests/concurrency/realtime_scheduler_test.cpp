// The real-time scheduler's behaviour: order, absolute due times, wake-ups
// and cancels from other threads, stop. Nothing here asserts how fast
// anything is; the only clock checks are "never early" (an event never starts
// before it is due), which no amount of machine load can break. A broken
// wake-up shows as a run that does not end: the test's timeout catches it.
#include "scheduler/realtime_scheduler.h"

#include <gtest/gtest.h>
#include <sys/prctl.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace hilcap::sim {
namespace {

constexpr TimeNs kMs = 1'000'000;
constexpr TimeNs kMinute = 60'000 * kMs;

// Events run in due-time order, each at or after its due time, and report
// when they were due and when they started.
TEST(RealtimeScheduler, RunsEventsInDueOrderNeverEarly) {
  RealtimeScheduler s;
  struct Seen {
    char name;
    RealtimeScheduler::RunningEvent event;
    TimeNs now;
  };
  std::vector<Seen> seen;
  const TimeNs base = s.now();
  for (const auto& [name, offset] : {std::pair{'c', 3 * kMs}, {'a', 1 * kMs}, {'b', 2 * kMs}})
    s.schedule_at(base + offset, [&, n = name] {
      seen.push_back({n, s.current_event(), s.now()});
    });
  s.run();
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(std::string({seen[0].name, seen[1].name, seen[2].name}), "abc");
  for (std::size_t i = 0; i < seen.size(); ++i) {
    EXPECT_EQ(seen[i].event.due, base + static_cast<TimeNs>(i + 1) * kMs);
    EXPECT_GE(seen[i].event.started, seen[i].event.due);
    EXPECT_GE(seen[i].now, seen[i].event.started);
  }
  EXPECT_EQ(s.events_run(), 3u);
  EXPECT_EQ(s.pending(), 0u);
}

// Events due at the same time run in the order they were scheduled.
TEST(RealtimeScheduler, SameTimeEventsRunInSchedulingOrder) {
  RealtimeScheduler s;
  std::string order;
  const TimeNs at = s.now() + kMs;
  for (char c : std::string("abcdef"))
    s.schedule_at(at, [&order, c] { order += c; });
  s.run();
  EXPECT_EQ(order, "abcdef");
}

// A due time already passed runs at once and keeps its due time, so its
// lateness (started - due) is visible; it runs before a later-due event
// scheduled earlier.
TEST(RealtimeScheduler, PastDueTimeRunsAtOnceAndShowsItsLateness) {
  RealtimeScheduler s;
  std::string order;
  RealtimeScheduler::RunningEvent late;
  s.schedule_at(s.now() + kMs, [&] { order += 'b'; });
  s.schedule_at(0, [&] {
    order += 'a';
    late = s.current_event();
  });
  s.run();
  EXPECT_EQ(order, "ab");
  EXPECT_EQ(late.due, 0);
  EXPECT_GT(late.started, 0);
}

// A periodic event that schedules frame k at start + k * interval keeps that
// grid exactly (no drift), however late each run was.
TEST(RealtimeScheduler, AbsoluteDueTimesDoNotDrift) {
  RealtimeScheduler s;
  constexpr TimeNs kInterval = kMs / 2;
  constexpr int kFrames = 20;
  const TimeNs start = s.now();
  std::vector<RealtimeScheduler::RunningEvent> runs;
  std::function<void(int)> frame = [&](int k) {
    runs.push_back(s.current_event());
    if (k + 1 < kFrames) s.schedule_at(start + (k + 1) * kInterval, [&frame, k] { frame(k + 1); });
  };
  s.schedule_at(start, [&frame] { frame(0); });
  s.run();
  ASSERT_EQ(runs.size(), static_cast<std::size_t>(kFrames));
  for (int k = 0; k < kFrames; ++k) {
    EXPECT_EQ(runs[k].due, start + k * kInterval);
    EXPECT_GE(runs[k].started, runs[k].due);
  }
}

// run_until returns once the wall clock reached the deadline, having run
// what was due by then and nothing due later.
TEST(RealtimeScheduler, RunUntilStopsAtTheDeadline) {
  RealtimeScheduler s;
  const TimeNs deadline = s.now() + 2 * kMs;
  int early = 0;
  int late = 0;
  s.schedule_at(deadline - kMs, [&] { ++early; });
  s.schedule_at(deadline + kMinute, [&] { ++late; });
  s.run_until(deadline);
  EXPECT_GE(s.now(), deadline);
  EXPECT_EQ(early, 1);
  EXPECT_EQ(late, 0);
  EXPECT_EQ(s.pending(), 1u);
}

// run() and run_one() return at once when nothing is pending.
TEST(RealtimeScheduler, RunWithNothingPendingReturns) {
  RealtimeScheduler s;
  s.run();
  EXPECT_FALSE(s.run_one());
  EXPECT_EQ(s.events_run(), 0u);
}

// An event may schedule and cancel on its own scheduler (no lock is held
// while it runs); cancelling itself reports that it already ran.
TEST(RealtimeScheduler, EventsScheduleAndCancelFromInside) {
  RealtimeScheduler s;
  EventId self = 0;
  bool cancelled_self = true;
  int follow_up = 0;
  self = s.schedule_at(0, [&] {
    cancelled_self = s.cancel(self);
    const EventId doomed = s.schedule_after(kMinute, [&] { follow_up += 100; });
    EXPECT_TRUE(s.cancel(doomed));
    s.schedule_after(0, [&] { ++follow_up; });
  });
  s.run();
  EXPECT_FALSE(cancelled_self);
  EXPECT_EQ(follow_up, 1);
}

// Events scheduled while the loop is awake (here: from inside its own events)
// make no futex wake: the loop reads the queue again before it sleeps. Guards
// the bug where every schedule_at() woke the loop with a system call, which
// bounded the real-time stream (bench/RESULTS.md, benchmark 3).
TEST(RealtimeScheduler, SchedulingWhileAwakeMakesNoWakeUp) {
  RealtimeScheduler s;
  int ran = 0;
  std::function<void()> next = [&] {
    if (++ran < 1000) s.schedule_after(0, next);
  };
  s.schedule_at(0, next);
  s.run();
  EXPECT_EQ(ran, 1000);
  EXPECT_EQ(s.wake_ups(), 0u);
}

// A loop asleep towards a far deadline wakes for an earlier event scheduled
// from another thread (else this test would sleep a minute and time out).
TEST(RealtimeScheduler, EarlierEventFromAnotherThreadWakesTheLoop) {
  RealtimeScheduler s;
  std::atomic<bool> ran{false};
  std::atomic<bool> loop_started{false};
  s.schedule_at(0, [&] { loop_started = true; });
  std::thread loop([&] { s.run_until(s.now() + kMinute); });
  while (!loop_started)
    std::this_thread::yield();
  s.schedule_after(kMs, [&] {
    ran = true;
    s.stop();
  });
  loop.join();
  EXPECT_TRUE(ran);
  EXPECT_TRUE(s.stopped());
  EXPECT_LT(s.now(), kMinute);
}

// stop() from another thread ends a run_until sleeping towards a far
// deadline; later run calls return at once and run nothing.
TEST(RealtimeScheduler, StopFromAnotherThreadEndsTheRun) {
  RealtimeScheduler s;
  int ran = 0;
  s.schedule_after(kMinute, [&] { ++ran; });
  std::thread loop([&] { s.run_until(s.now() + kMinute); });
  s.stop();
  loop.join();
  EXPECT_TRUE(s.stopped());
  EXPECT_EQ(ran, 0);
  s.schedule_at(0, [&] { ++ran; });
  EXPECT_FALSE(s.run_one());
  s.run_until(s.now() + kMs);
  EXPECT_EQ(ran, 0);
}

// Several threads schedule and cancel while the loop runs: every event that
// was not cancelled runs exactly once, and every cancelled one never runs.
TEST(RealtimeScheduler, ConcurrentScheduleAndCancelRunEachEventOnce) {
  RealtimeScheduler s;
  constexpr int kThreads = 3;
  constexpr int kPerThread = 400;
  std::vector<std::atomic<int>> runs(kThreads * kPerThread);
  std::vector<std::vector<bool>> cancelled(kThreads, std::vector<bool>(kPerThread, false));
  std::thread loop([&] {
    while (!s.stopped())
      s.run_until(s.now() + kMs);
  });
  std::vector<std::thread> producers;
  for (int t = 0; t < kThreads; ++t) {
    producers.emplace_back([&, t] {
      std::mt19937_64 random(static_cast<std::uint64_t>(t) + 1);
      std::vector<EventId> ids;
      for (int i = 0; i < kPerThread; ++i) {
        const auto delay = static_cast<TimeNs>(random() % (2 * kMs));
        std::atomic<int>& counter = runs[static_cast<std::size_t>(t * kPerThread + i)];
        ids.push_back(s.schedule_after(delay, [&counter] { counter.fetch_add(1); }));
        if (random() % 4 == 0) {
          const std::size_t victim = random() % ids.size();
          if (s.cancel(ids[victim])) cancelled[t][victim] = true;
        }
      }
    });
  }
  for (std::thread& p : producers)
    p.join();
  // Everything left is due within 2 ms of the last schedule.
  while (s.pending() != 0)
    std::this_thread::yield();
  s.stop();
  loop.join();
  int total = 0;
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kPerThread; ++i) {
      const int n = runs[static_cast<std::size_t>(t * kPerThread + i)].load();
      EXPECT_EQ(n, cancelled[t][i] ? 0 : 1) << "thread " << t << " event " << i;
      total += n;
    }
  }
  EXPECT_EQ(static_cast<std::uint64_t>(total), s.events_run());
}

// The loop thread's timer slack is tightened while it runs and restored after.
TEST(RealtimeScheduler, TimerSlackIsRestoredAfterARun) {
  const int before = ::prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0);
  RealtimeScheduler s;
  int during = -1;
  s.schedule_at(0, [&] { during = ::prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0); });
  s.run();
  EXPECT_EQ(during, before > 1 ? 1 : before);
  EXPECT_EQ(::prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0), before);
}

}  // namespace
}  // namespace hilcap::sim
