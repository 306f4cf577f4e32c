// The device on its own thread, the host on another, as in real-time mode:
// the control surface, the rings and the interrupt line used across threads
// (run under ThreadSanitizer). Time here is virtual but runs free on the
// device thread, so the host is much slower than the device and starvation,
// moderation and STOP all happen concurrently with frames.
#include <gtest/gtest.h>
#include <hilcap/device/frame_header.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <vector>

#include "device_model.h"
#include "free_running_clock.h"

namespace hilcap::device {
namespace {

using FreeRunningClock = hilcap::test_support::FreeRunningClock;

// Wakes the host thread, as a real-time integrator's interrupt line would.
class WakingInterruptLine final : public InterruptLine {
 public:
  void raise() override {
    std::lock_guard lock(mutex_);
    raised_ = true;
    wake_.notify_one();
  }

  // Waits for an interrupt; false after the guard time (a hang, reported by the test).
  bool wait() {
    std::unique_lock lock(mutex_);
    const bool raised = wake_.wait_for(lock, std::chrono::seconds(20), [this] { return raised_; });
    raised_ = false;
    return raised;
  }

 private:
  std::mutex mutex_;
  std::condition_variable wake_;
  bool raised_ = false;
};

// Guards the real-time shape: host thread and device thread sharing the rings,
// the registers and the interrupt line; frames in order with gaps equal to
// drops, and STOP from the host thread returning every buffer.
TEST(DeviceConcurrency, HostThreadAndDeviceThreadShareRingsAndRegisters) {
  DeviceConfig config;
  config.format = {PixelFormat::kYuy2, 64, 16};
  config.ring_depth = 4;
  config.timing.cadence = FrameRate{60, 1};
  config.timing.dma_ns = 3'000'000;
  config.timing.interrupt_latency_ns = 100'000;
  config.faults = {
      {.action = {.kind = FaultKind::kCorrupt}, .trigger = EachFrameWithProbability{0.1}}};

  FreeRunningClock clock;
  WakingInterruptLine line;
  auto created = DeviceModel::create(config, clock, line);
  ASSERT_TRUE(created.errors.empty());
  DeviceModel& device = *created.device;
  std::vector<std::vector<std::byte>> buffers(4,
                                              std::vector<std::byte>(config.format.frame_bytes()));
  auto post = [&](std::uint32_t id) {
    ASSERT_TRUE(
        device.submission_ring().push({.buffer_id = id,
                                       .capacity = static_cast<std::uint32_t>(buffers[id].size()),
                                       .address = buffers[id].data()}));
  };
  for (std::uint32_t id = 0; id < 4; ++id)
    post(id);
  ASSERT_EQ(device.set_state(PinState::kRun), ControlStatus::kOk);

  std::uint64_t delivered = 0;
  std::uint64_t last_sequence = 0;
  std::uint64_t last_drop_count = 0;
  std::uint64_t gaps_not_matching_drops = 0;
  std::uint64_t bad_frames = 0;
  bool hung = false;
  while (delivered < 300 && !hung) {
    hung = !line.wait();
    device.acknowledge_interrupt();
    device.completion_ring().drain([&](const CompletionEntry& entry) {
      const FrameCheck check =
          verify_frame({buffers[entry.buffer_id].data(), entry.bytes_used}, entry).check;
      const bool corrupted = entry.has_flag(CompletionFlags::kCorrupted);
      if (check != (corrupted ? FrameCheck::kChecksumMismatch : FrameCheck::kOk)) ++bad_frames;
      if (delivered > 0 &&
          entry.sequence - last_sequence - 1 != entry.drop_count - last_drop_count) {
        ++gaps_not_matching_drops;
      }
      last_sequence = entry.sequence;
      last_drop_count = entry.drop_count;
      ++delivered;
      post(entry.buffer_id);
    });
    if (delivered % 50 == 0) (void)device.frame_counters();  // a register read mid-stream
  }
  ASSERT_FALSE(hung);

  // STOP from the host thread while the device thread runs: every buffer comes back.
  ASSERT_EQ(device.set_state(PinState::kStop), ControlStatus::kOk);
  std::vector<int> returned(4, 0);
  std::size_t back_with_host = 0;
  while (back_with_host < 4 && !hung) {
    device.completion_ring().drain([&](const CompletionEntry& entry) {
      if (entry.status == CompletionStatus::kReturnedUnfilled) ++returned[entry.buffer_id];
      ++back_with_host;
    });
    if (back_with_host < 4) hung = !line.wait();
    device.acknowledge_interrupt();
  }
  clock.shutdown();
  EXPECT_FALSE(hung);
  EXPECT_EQ(bad_frames, 0u);
  EXPECT_EQ(gaps_not_matching_drops, 0u);
  const DeviceStats stats = device.stats();
  EXPECT_EQ(stats.in_flight, 0u);
  EXPECT_EQ(stats.frames_due, stats.frames_delivered + stats.dropped_total());
  EXPECT_GE(stats.frames_delivered, 300u);
}

}  // namespace
}  // namespace hilcap::device
