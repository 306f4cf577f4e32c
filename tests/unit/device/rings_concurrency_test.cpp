#include <gtest/gtest.h>
#include <hilcap/device/rings.h>

#include <thread>

namespace hilcap::device {
namespace {

// Guards the cross-thread contract: one producer thread, one consumer thread,
// every entry arrives once and in order (run under ThreadSanitizer).
TEST(RingsConcurrency, ProducerAndConsumerThreadsKeepFifoOrder) {
  constexpr std::uint32_t kItems = 200'000;
  CompletionRing ring(64);
  std::thread producer([&] {
    for (std::uint32_t id = 0; id < kItems;) {
      if (ring.push({.buffer_id = id, .sequence = id})) {
        ++id;
      } else {
        std::this_thread::yield();
      }
    }
  });
  // Consume everything even after a mismatch, so that the producer never blocks.
  std::uint32_t expected = 0;
  std::uint32_t out_of_order = 0;
  while (expected < kItems) {
    CompletionEntry entry;
    if (!ring.pop(entry)) {
      std::this_thread::yield();
      continue;
    }
    if (entry.buffer_id != expected || entry.sequence != expected) ++out_of_order;
    ++expected;
  }
  producer.join();
  EXPECT_EQ(out_of_order, 0u);
  EXPECT_EQ(ring.size(), 0u);
}

}  // namespace
}  // namespace hilcap::device
