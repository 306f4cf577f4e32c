#include "scheduler/event_queue.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace hilcap::sim {
namespace {

// Events come out by time, then in the order they were pushed.
TEST(EventQueue, PopsByTimeThenPushOrder) {
  EventQueue q;
  std::string order;
  q.push(20, [&] { order += 'c'; });
  q.push(10, [&] { order += 'a'; });
  q.push(10, [&] { order += 'b'; });
  while (q.next_time() != kTimeMax)
    q.pop().fn();
  EXPECT_EQ(order, "abc");
  EXPECT_EQ(q.live(), 0u);
}

// A cancelled event never comes out and cancels once; the next live event's
// time is reported past it.
TEST(EventQueue, CancelledEventIsSkipped) {
  EventQueue q;
  const EventId early = q.push(5, [] {});
  q.push(7, [] {});
  EXPECT_TRUE(q.cancel(early));
  EXPECT_FALSE(q.cancel(early));
  EXPECT_FALSE(q.cancel(0));
  EXPECT_EQ(q.next_time(), 7);
  EXPECT_EQ(q.pop().at, 7);
  EXPECT_EQ(q.next_time(), kTimeMax);
}

// An id whose slot was reused by a later event does not cancel that event.
TEST(EventQueue, StaleIdDoesNotCancelTheSlotsNextEvent) {
  EventQueue q;
  const EventId first = q.push(1, [] {});
  q.pop();
  const EventId second = q.push(2, [] {});
  EXPECT_NE(first, second);
  EXPECT_FALSE(q.cancel(first));
  EXPECT_EQ(q.live(), 1u);
}

// Cancelling far-future events in bulk (client timeouts) does not leave the
// live events out of order or lost when the heap is compacted.
TEST(EventQueue, BulkCancelKeepsLiveEventsInOrder) {
  EventQueue q;
  std::vector<EventId> doomed;
  for (int i = 0; i < 500; ++i)
    doomed.push_back(q.push(1'000'000 + i, [] {}));
  for (TimeNs t : {30, 10, 20})
    q.push(t, [] {});
  for (EventId id : doomed)
    EXPECT_TRUE(q.cancel(id));
  EXPECT_EQ(q.live(), 3u);
  std::vector<TimeNs> times;
  while (q.next_time() != kTimeMax)
    times.push_back(q.pop().at);
  EXPECT_EQ(times, (std::vector<TimeNs>{10, 20, 30}));
}

}  // namespace
}  // namespace hilcap::sim
