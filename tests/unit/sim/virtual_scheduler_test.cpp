#include "scheduler/virtual_scheduler.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace hilcap::sim {
namespace {

// Events run in time order regardless of the order they were scheduled in.
TEST(VirtualScheduler, RunsEventsInTimeOrder) {
  VirtualScheduler s;
  std::vector<TimeNs> seen;
  for (TimeNs t : {30, 10, 20})
    s.schedule_at(t, [&] { seen.push_back(s.now()); });
  s.run();
  EXPECT_EQ(seen, (std::vector<TimeNs>{10, 20, 30}));
  EXPECT_EQ(s.now(), 30);
  EXPECT_EQ(s.events_run(), 3u);
}

// Events due at the same time run in the order they were scheduled (FIFO tie-break).
TEST(VirtualScheduler, SameTimeEventsRunInSchedulingOrder) {
  VirtualScheduler s;
  std::string order;
  for (char c : std::string("abcdefghij"))
    s.schedule_at(5, [&order, c] { order += c; });
  s.schedule_at(4, [&order] { order += '<'; });
  s.run();
  EXPECT_EQ(order, "<abcdefghij");
}

// A time in the past runs at now(), after the events already due now.
TEST(VirtualScheduler, PastTimeRunsAtNowAfterEventsAlreadyDue) {
  VirtualScheduler s;
  std::vector<std::pair<char, TimeNs>> seen;
  s.schedule_at(100, [&] {
    s.schedule_at(0, [&] { seen.push_back({'p', s.now()}); });
    seen.push_back({'a', s.now()});
  });
  s.schedule_at(100, [&] { seen.push_back({'b', s.now()}); });
  s.run();
  EXPECT_EQ(seen, (std::vector<std::pair<char, TimeNs>>{{'a', 100}, {'b', 100}, {'p', 100}}));
}

// A cancelled event does not run; cancel reports true once, then false.
TEST(VirtualScheduler, CancelledEventDoesNotRun) {
  VirtualScheduler s;
  int ran = 0;
  const EventId keep = s.schedule_at(10, [&] { ran += 1; });
  const EventId drop = s.schedule_at(20, [&] { ran += 100; });
  EXPECT_NE(keep, drop);
  EXPECT_TRUE(s.cancel(drop));
  EXPECT_FALSE(s.cancel(drop));
  EXPECT_EQ(s.pending(), 1u);
  s.run();
  EXPECT_EQ(ran, 1);
  EXPECT_EQ(s.events_run(), 1u);
  EXPECT_EQ(s.now(), 10);  // the cancelled event did not advance the clock
}

// cancel is false for events that already ran, for 0 and for ids never issued.
TEST(VirtualScheduler, CancelRejectsRunUnknownAndZeroIds) {
  VirtualScheduler s;
  const EventId id = s.schedule_at(1, [] {});
  s.run();
  EXPECT_FALSE(s.cancel(id));
  EXPECT_FALSE(s.cancel(0));
  EXPECT_FALSE(s.cancel(0xFFFF'FFFF'FFFF'FFFFull));
  EXPECT_FALSE(s.cancel(id + 1));
}

// A stale id whose slot was reused must not cancel the new event (generation check).
TEST(VirtualScheduler, StaleIdDoesNotCancelEventReusingItsSlot) {
  VirtualScheduler s;
  const EventId old_id = s.schedule_at(1, [] {});
  s.run();
  bool ran = false;
  const EventId new_id = s.schedule_at(2, [&] { ran = true; });
  EXPECT_NE(old_id, new_id);
  EXPECT_FALSE(s.cancel(old_id));
  s.run();
  EXPECT_TRUE(ran);
}

// An event can cancel a later event, and cancelling itself while running reports false.
TEST(VirtualScheduler, EventsCancelOthersButNotThemselves) {
  VirtualScheduler s;
  bool later_ran = false;
  bool self_cancel = true;
  EventId self = 0;
  const EventId later = s.schedule_at(20, [&] { later_ran = true; });
  self = s.schedule_at(10, [&] {
    self_cancel = s.cancel(self);
    EXPECT_TRUE(s.cancel(later));
  });
  s.run();
  EXPECT_FALSE(self_cancel);
  EXPECT_FALSE(later_ran);
}

// run_until runs events at exactly the deadline, leaves later ones, and sets now() to the deadline.
TEST(VirtualScheduler, RunUntilIncludesDeadlineAndAdvancesClock) {
  VirtualScheduler s;
  std::vector<TimeNs> seen;
  for (TimeNs t : {99, 100, 101})
    s.schedule_at(t, [&] { seen.push_back(s.now()); });
  s.run_until(100);
  EXPECT_EQ(seen, (std::vector<TimeNs>{99, 100}));
  EXPECT_EQ(s.now(), 100);
  s.run_until(50);  // time never goes backwards
  EXPECT_EQ(s.now(), 100);
  s.run_for(1);
  EXPECT_EQ(seen, (std::vector<TimeNs>{99, 100, 101}));
  s.run_for(1000);
  EXPECT_EQ(s.now(), 1101);
}

// Issue 12: a virtual-time run could not be interrupted. run_until with an
// interrupt flag returns before the next event once it is set (a signal
// handler sets it), the clock at the last event run; cleared, it goes on.
TEST(VirtualScheduler, RunUntilReturnsAtAnInterrupt) {
  VirtualScheduler s;
  std::atomic<bool> interrupt{false};
  std::vector<TimeNs> seen;
  for (TimeNs t : {10, 20, 30, 40})
    s.schedule_at(t, [&] {
      seen.push_back(s.now());
      if (s.now() == 20) interrupt.store(true);
    });
  EXPECT_FALSE(s.run_until(100, interrupt));
  EXPECT_EQ(seen, (std::vector<TimeNs>{10, 20}));
  EXPECT_EQ(s.now(), 20);
  EXPECT_FALSE(s.run_until(100, interrupt));  // still set: nothing runs
  EXPECT_EQ(seen.size(), 2u);
  interrupt.store(false);
  EXPECT_TRUE(s.run_until(100, interrupt));
  EXPECT_EQ(seen, (std::vector<TimeNs>{10, 20, 30, 40}));
  EXPECT_EQ(s.now(), 100);
}

// Events scheduled by an event at the deadline, for the deadline, still run in that run_until.
TEST(VirtualScheduler, RunUntilRunsChainedEventsDueAtDeadline) {
  VirtualScheduler s;
  int chain = 0;
  s.schedule_at(100, [&] {
    ++chain;
    s.schedule_after(0, [&] {
      ++chain;
      s.schedule_after(1, [&] { ++chain; });
    });
  });
  s.run_until(100);
  EXPECT_EQ(chain, 2);
  EXPECT_EQ(s.pending(), 1u);
}

// Events scheduled from events form a periodic chain without drift.
TEST(VirtualScheduler, PeriodicChainFromEvents) {
  VirtualScheduler s;
  std::vector<TimeNs> ticks;
  std::function<void()> tick = [&] {
    ticks.push_back(s.now());
    if (ticks.size() < 5) s.schedule_after(33'333'333, tick);
  };
  s.schedule_at(0, tick);
  s.run();
  ASSERT_EQ(ticks.size(), 5u);
  EXPECT_EQ(ticks.back(), 4 * 33'333'333);
}

// stop() ends the run after the current event and is sticky for later run calls.
TEST(VirtualScheduler, StopEndsRunAfterCurrentEvent) {
  VirtualScheduler s;
  int ran = 0;
  s.schedule_at(1, [&] {
    ++ran;
    s.stop();
  });
  s.schedule_at(1, [&] { ++ran; });
  s.schedule_at(2, [&] { ++ran; });
  s.run();
  EXPECT_EQ(ran, 1);
  EXPECT_TRUE(s.stopped());
  s.run_until(10);
  EXPECT_EQ(ran, 1);
  EXPECT_EQ(s.now(), 1);  // a stopped run does not advance the clock either
}

// run_one runs exactly the earliest event, skipping cancelled ones, and reports when none is left.
TEST(VirtualScheduler, RunOneStepsThroughEvents) {
  VirtualScheduler s;
  std::vector<int> seen;
  s.schedule_at(5, [&] { seen.push_back(5); });
  const EventId cancelled = s.schedule_at(3, [&] { seen.push_back(3); });
  s.schedule_at(9, [&] { seen.push_back(9); });
  s.cancel(cancelled);
  EXPECT_TRUE(s.run_one());
  EXPECT_EQ(seen, std::vector<int>{5});
  EXPECT_EQ(s.now(), 5);
  EXPECT_TRUE(s.run_one());
  EXPECT_FALSE(s.run_one());
  EXPECT_EQ(seen, (std::vector<int>{5, 9}));
}

// Heavy cancellation compacts the queue and keeps ordering of the survivors.
TEST(VirtualScheduler, ManyCancellationsKeepSurvivorsInOrder) {
  VirtualScheduler s;
  std::vector<TimeNs> seen;
  std::vector<EventId> ids;
  for (TimeNs t = 0; t < 10'000; ++t) {
    ids.push_back(s.schedule_at(10'000 - t, [&] { seen.push_back(s.now()); }));
  }
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (i % 10 != 0) {
      EXPECT_TRUE(s.cancel(ids[i]));
    }
  }
  EXPECT_EQ(s.pending(), 1000u);
  s.run();
  ASSERT_EQ(seen.size(), 1000u);
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
  for (std::size_t i = 0; i < ids.size(); ++i)
    EXPECT_FALSE(s.cancel(ids[i]));
}

// A callback holding a large capture (beyond std::function's inline buffer) still works.
TEST(VirtualScheduler, LargeCapturesAreKeptAlive) {
  VirtualScheduler s;
  std::vector<int> big(1000, 7);
  long sum = 0;
  s.schedule_at(3, [&sum, big] {
    for (int v : big)
      sum += v;
  });
  s.run();
  EXPECT_EQ(sum, 7000);
}

// The same random workload gives the same trace of (time, label) on every run.
TEST(VirtualScheduler, RandomWorkloadIsDeterministic) {
  auto trace_of = [](std::uint64_t seed) {
    VirtualScheduler s;
    std::mt19937_64 rng(seed);
    std::vector<std::pair<TimeNs, int>> trace;
    std::vector<EventId> ids;
    for (int i = 0; i < 2000; ++i) {
      const TimeNs at = static_cast<TimeNs>(rng() % 1000);
      ids.push_back(s.schedule_at(at, [&trace, &s, i] { trace.push_back({s.now(), i}); }));
      if (rng() % 4 == 0) s.cancel(ids[rng() % ids.size()]);
    }
    s.run();
    return trace;
  };
  const auto a = trace_of(42);
  EXPECT_EQ(a, trace_of(42));
  EXPECT_NE(a, trace_of(43));
  EXPECT_TRUE(
      std::is_sorted(a.begin(), a.end(), [](auto& x, auto& y) { return x.first < y.first; }));
}

}  // namespace
}  // namespace hilcap::sim
