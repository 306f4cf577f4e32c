#include <gtest/gtest.h>
#include <hilcap/device/rings.h>

#include <vector>

namespace hilcap::device {
namespace {

// Guards FIFO order on the submission ring: the device takes buffers in the order posted.
TEST(Rings, SubmissionRingIsFifo) {
  SubmissionRing ring(4);
  std::byte memory[3];
  for (std::uint32_t id = 0; id < 3; ++id) {
    ASSERT_TRUE(ring.push({.buffer_id = id, .capacity = 1, .address = &memory[id]}));
  }
  for (std::uint32_t id = 0; id < 3; ++id) {
    BufferDescriptor taken;
    ASSERT_TRUE(ring.pop(taken));
    EXPECT_EQ(taken.buffer_id, id);
    EXPECT_EQ(taken.address, &memory[id]);
  }
}

// Guards capacity: exactly `capacity` entries fit, the next push fails and changes nothing.
TEST(Rings, HoldsExactlyItsCapacity) {
  CompletionRing ring(3);
  EXPECT_EQ(ring.capacity(), 3u);
  EXPECT_EQ(ring.free_slots(), 3u);
  for (std::uint32_t id = 0; id < 3; ++id)
    ASSERT_TRUE(ring.push({.buffer_id = id}));
  EXPECT_EQ(ring.free_slots(), 0u);
  EXPECT_FALSE(ring.push({.buffer_id = 99}));
  EXPECT_EQ(ring.size(), 3u);
  CompletionEntry entry;
  ASSERT_TRUE(ring.pop(entry));
  EXPECT_EQ(entry.buffer_id, 0u);
  EXPECT_EQ(ring.free_slots(), 1u);
}

// Guards the empty case: pop reports empty instead of returning stale data.
TEST(Rings, PopOnEmptyRingFails) {
  CompletionRing ring(2);
  CompletionEntry entry{.buffer_id = 7};
  EXPECT_FALSE(ring.pop(entry));
  EXPECT_EQ(entry.buffer_id, 7u);
  ASSERT_TRUE(ring.push({.buffer_id = 1}));
  ASSERT_TRUE(ring.pop(entry));
  EXPECT_FALSE(ring.pop(entry));
  EXPECT_EQ(ring.size(), 0u);
}

// Guards drain (the host's completion path): every queued entry, oldest first, across wrap-around.
TEST(Rings, DrainTakesEverythingInOrderAcrossWrapAround) {
  CompletionRing ring(4);
  std::vector<std::uint32_t> seen;
  std::uint32_t next = 0;
  for (int round = 0; round < 5; ++round) {
    for (int i = 0; i < 3; ++i)
      ASSERT_TRUE(ring.push({.buffer_id = next++}));
    EXPECT_EQ(ring.drain([&](const CompletionEntry& e) { seen.push_back(e.buffer_id); }), 3u);
  }
  ASSERT_EQ(seen.size(), 15u);
  for (std::uint32_t i = 0; i < seen.size(); ++i)
    EXPECT_EQ(seen[i], i);
}

}  // namespace
}  // namespace hilcap::device
