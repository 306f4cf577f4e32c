#include "fault_injector.h"

#include <gtest/gtest.h>

#include <vector>

namespace hilcap::device {
namespace {

constexpr TimeNs kFrameNs = 10'000'000;  // frame k is due at k * 10 ms in these tests

// Frames (0..n-1) on which a fill fault acted.
std::vector<std::uint64_t> filled_faults(FaultInjector& injector, std::uint64_t n) {
  std::vector<std::uint64_t> hits;
  for (std::uint64_t k = 0; k < n; ++k) {
    const FillFaults faults = injector.on_frame_filled(k, static_cast<TimeNs>(k) * kFrameNs);
    if (faults.error || faults.corrupt || faults.short_bytes > 0) hits.push_back(k);
  }
  return hits;
}

// Guards one-shot faults at a frame: they act on that frame and never again.
TEST(FaultInjector, OneShotAtFrameFiresOnce) {
  FaultInjector injector({{.action = {.kind = FaultKind::kError}, .trigger = AtFrame{5}}}, 1);
  EXPECT_EQ(filled_faults(injector, 50), (std::vector<std::uint64_t>{5}));
  EXPECT_EQ(injector.fired(FaultKind::kError), 1u);
}

// Guards the fill rule: a one-shot whose frame got no buffer acts on the next filled frame.
TEST(FaultInjector, OneShotWaitsForAFrameThatIsFilled) {
  FaultInjector injector(
      {{.action = {.kind = FaultKind::kShort, .bytes = 100}, .trigger = AtFrame{5}}}, 1);
  for (std::uint64_t k = 0; k < 5; ++k)
    EXPECT_EQ(injector.on_frame_filled(k, 0).short_bytes, 0u);
  // Frame 5 is dropped (never filled); frame 6 is.
  EXPECT_EQ(injector.on_frame_filled(6, 0).short_bytes, 100u);
  EXPECT_EQ(injector.on_frame_filled(7, 0).short_bytes, 0u);
}

// Guards one-shot faults at a time: the first frame due at or after it, once.
TEST(FaultInjector, OneShotAtTimeFiresOnceAtTheFirstFrameAtOrAfterIt) {
  FaultInjector injector({{.action = {.kind = FaultKind::kCorrupt}, .trigger = AtTime{45'000'000}}},
                         1);
  EXPECT_EQ(filled_faults(injector, 50), (std::vector<std::uint64_t>{5}));
}

// Guards probabilistic faults: about the configured rate and the same frames for the same seed.
TEST(FaultInjector, ProbabilityIsDeterministicPerSeed) {
  const std::vector<FaultSpec> specs = {
      {.action = {.kind = FaultKind::kError}, .trigger = EachFrameWithProbability{0.05}}};
  FaultInjector a(specs, 21);
  FaultInjector b(specs, 21);
  FaultInjector c(specs, 22);
  const auto hits_a = filled_faults(a, 20'000);
  EXPECT_EQ(hits_a, filled_faults(b, 20'000));
  EXPECT_NE(hits_a, filled_faults(c, 20'000));
  EXPECT_NEAR(static_cast<double>(hits_a.size()), 1000.0, 120.0);
  EXPECT_EQ(a.fired(FaultKind::kError), hits_a.size());
}

// Guards independence: two faults with the same probability do not fire on the same frames.
TEST(FaultInjector, EachFaultDrawsFromItsOwnStream) {
  FaultInjector injector(
      {{.action = {.kind = FaultKind::kError}, .trigger = EachFrameWithProbability{0.5}},
       {.action = {.kind = FaultKind::kCorrupt}, .trigger = EachFrameWithProbability{0.5}}},
      3);
  int both = 0;
  for (std::uint64_t k = 0; k < 10'000; ++k) {
    const FillFaults faults = injector.on_frame_filled(k, 0);
    if (faults.error && faults.corrupt) ++both;
  }
  EXPECT_NEAR(both, 2500, 200);
}

// Guards re-arming: after the counters reset a one-shot fault can fire again.
TEST(FaultInjector, RearmLetsOneShotsFireAgain) {
  FaultInjector injector({{.action = {.kind = FaultKind::kError}, .trigger = AtFrame{2}}}, 1);
  EXPECT_EQ(filled_faults(injector, 10), (std::vector<std::uint64_t>{2}));
  EXPECT_TRUE(filled_faults(injector, 10).empty());
  injector.rearm();
  EXPECT_EQ(filled_faults(injector, 10), (std::vector<std::uint64_t>{2}));
}

// Guards due-time faults: stall and disconnect act when the frame is due, once.
TEST(FaultInjector, StallAndDisconnectActWhenTheFrameIsDue) {
  FaultInjector injector(
      {{.action = {.kind = FaultKind::kStall, .duration_ns = 70}, .trigger = AtFrame{3}},
       {.action = {.kind = FaultKind::kDisconnect}, .trigger = AtTime{80'000'000}}},
      1);
  for (std::uint64_t k = 0; k < 12; ++k) {
    const DueFaults faults = injector.on_frame_due(k, static_cast<TimeNs>(k) * kFrameNs);
    EXPECT_EQ(faults.stall_ns, k == 3 ? 70 : 0) << k;
    EXPECT_EQ(faults.disconnect, k == 8) << k;
  }
  EXPECT_EQ(injector.fired(FaultKind::kStall), 1u);
  EXPECT_EQ(injector.fired(FaultKind::kDisconnect), 1u);
}

// Guards injected faults: they act on the next filled frame only.
TEST(FaultInjector, InjectedFaultActsOnTheNextFilledFrame) {
  FaultInjector injector({}, 1);
  injector.inject_on_next_fill({.kind = FaultKind::kShort, .bytes = 64});
  injector.inject_on_next_fill({.kind = FaultKind::kCorrupt});
  const FillFaults first = injector.on_frame_filled(0, 0);
  EXPECT_EQ(first.short_bytes, 64u);
  EXPECT_TRUE(first.corrupt);
  const FillFaults second = injector.on_frame_filled(1, 0);
  EXPECT_EQ(second.short_bytes, 0u);
  EXPECT_FALSE(second.corrupt);
}

}  // namespace
}  // namespace hilcap::device
