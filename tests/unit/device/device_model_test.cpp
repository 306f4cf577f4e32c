#include "device_model.h"

#include <gtest/gtest.h>
#include <hilcap/device/frame_header.h>

#include <memory>
#include <utility>
#include <vector>

#include "test_environment.h"

namespace hilcap::device {
namespace {

using testing::RecordingInterruptLine;
using testing::TestTimebase;

constexpr TimeNs kMs = 1'000'000;

// Frame k of a 30 fps grid started at 0.
TimeNs at_30fps(std::uint64_t k) {
  return static_cast<TimeNs>(k * 1'000'000'000 / 30);
}

DeviceConfig small_device(std::uint32_t ring_depth = 4) {
  DeviceConfig config;
  config.format = {PixelFormat::kGrey, 64, 64};
  config.ring_depth = ring_depth;
  config.timing.cadence = FrameRate{30, 1};
  return config;
}

bool carries_frame(const CompletionEntry& entry) {
  return entry.status == CompletionStatus::kOk || entry.status == CompletionStatus::kShort ||
         entry.status == CompletionStatus::kError;
}

class StepRecorder final : public DeviceObserver {
 public:
  void on_state_change(TimeNs, PinState from, PinState to) override {
    steps.emplace_back(from, to);
  }
  std::vector<std::pair<PinState, PinState>> steps;
};

// A device on a virtual clock with a minimal host: buffers of one frame each,
// and an interrupt handler that acknowledges, drains, records and (unless told
// otherwise) posts each buffer again after hold_ns_.
class MinimalHost {
 public:
  MinimalHost() = default;
  MinimalHost(const MinimalHost&) = delete;
  MinimalHost& operator=(const MinimalHost&) = delete;

  void create(const DeviceConfig& config) {
    auto created = DeviceModel::create(config, clock_, line_);
    ASSERT_TRUE(created.errors.empty()) << created.errors.front().message();
    device_ = std::move(created.device);
    buffers_.assign(config.ring_depth, std::vector<std::byte>(config.format.frame_bytes()));
    line_.handler = [this] {
      if (handle_interrupts_) service_interrupt();
    };
  }

  void post(std::uint32_t id) {
    ASSERT_TRUE(device_->submission_ring().push(
        {.buffer_id = id,
         .capacity = static_cast<std::uint32_t>(buffers_[id].size()),
         .address = buffers_[id].data()}));
  }
  void post_all() {
    for (std::uint32_t id = 0; id < buffers_.size(); ++id)
      post(id);
  }

  void service_interrupt() {
    device_->acknowledge_interrupt();
    device_->completion_ring().drain([this](const CompletionEntry& entry) {
      completions_.push_back(entry);
      completed_at_.push_back(clock_.now());
      if (entry.status == CompletionStatus::kOk) {
        const auto& buffer = buffers_[entry.buffer_id];
        verdicts_.push_back(verify_frame({buffer.data(), entry.bytes_used}, entry).check);
      }
      if (repost_ && carries_frame(entry)) {
        if (hold_ns_ == 0) {
          post(entry.buffer_id);
        } else {
          clock_.schedule_at(clock_.now() + hold_ns_, [this, id = entry.buffer_id] { post(id); });
        }
      }
    });
  }

  std::vector<CompletionEntry> frames() const {
    std::vector<CompletionEntry> out;
    for (const auto& entry : completions_) {
      if (carries_frame(entry)) out.push_back(entry);
    }
    return out;
  }

  void run() { ASSERT_EQ(device_->set_state(PinState::kRun), ControlStatus::kOk); }

  TestTimebase clock_;
  RecordingInterruptLine line_{clock_};
  std::unique_ptr<DeviceModel> device_;
  std::vector<std::vector<std::byte>> buffers_;
  std::vector<CompletionEntry> completions_;
  std::vector<TimeNs> completed_at_;
  std::vector<FrameCheck> verdicts_;
  bool handle_interrupts_ = true;
  bool repost_ = true;
  TimeNs hold_ns_ = 0;
};

class DeviceModelTest : public ::testing::Test, public MinimalHost {};

// Guards creation: an invalid configuration yields no device and names the field.
TEST_F(DeviceModelTest, CreateRejectsAnInvalidConfiguration) {
  DeviceConfig config = small_device();
  config.format.width = 0;
  const auto created = DeviceModel::create(config, clock_, line_);
  EXPECT_EQ(created.device, nullptr);
  ASSERT_FALSE(created.errors.empty());
  EXPECT_EQ(created.errors.front().json_pointer, "/device/width");
}

// Guards KS case 19: STOP -> RUN reaches the device as single steps, and back.
TEST_F(DeviceModelTest, StateRequestsWalkThroughEveryIntermediateState) {
  create(small_device());
  StepRecorder recorder;
  device_->set_observer(&recorder);
  run();
  EXPECT_EQ(device_->state(), PinState::kRun);
  ASSERT_EQ(device_->set_state(PinState::kStop), ControlStatus::kOk);
  using S = PinState;
  EXPECT_EQ(recorder.steps, (std::vector<std::pair<S, S>>{{S::kStop, S::kAcquire},
                                                          {S::kAcquire, S::kPause},
                                                          {S::kPause, S::kRun},
                                                          {S::kRun, S::kPause},
                                                          {S::kPause, S::kAcquire},
                                                          {S::kAcquire, S::kStop}}));
  EXPECT_EQ(device_->set_state(static_cast<PinState>(9)), ControlStatus::kInvalidRequest);
  device_->set_observer(nullptr);
}

// Guards "frames only in RUN": ACQUIRE and PAUSE neither fill buffers nor count drops.
TEST_F(DeviceModelTest, NoFramesOrDropsBeforeRun) {
  create(small_device());
  post_all();
  ASSERT_EQ(device_->set_state(PinState::kPause), ControlStatus::kOk);
  clock_.run_until(1000 * kMs);
  EXPECT_TRUE(completions_.empty());
  EXPECT_EQ(device_->completion_ring().size(), 0u);
  EXPECT_EQ(device_->frame_counters().picture_number, 0u);
  EXPECT_EQ(device_->stats().frames_due, 0u);
}

// Guards the timing of the data path: due on the grid, completion after the DMA
// time, interrupt after the latency, and frames that verify.
TEST_F(DeviceModelTest, FramesFollowTheGridDmaTimeAndInterruptLatency) {
  DeviceConfig config = small_device();
  config.timing.dma_ns = 2 * kMs;
  config.timing.interrupt_latency_ns = kMs / 2;
  create(config);
  post_all();
  run();
  clock_.run_until(995 * kMs);
  const auto delivered = frames();
  ASSERT_EQ(delivered.size(), 30u);
  ASSERT_EQ(line_.raised_at.size(), 30u);
  for (std::uint64_t k = 0; k < 30; ++k) {
    EXPECT_EQ(delivered[k].sequence, k);
    EXPECT_EQ(delivered[k].timestamp_ns, at_30fps(k));
    EXPECT_EQ(delivered[k].status, CompletionStatus::kOk);
    EXPECT_EQ(delivered[k].bytes_used, 64u * 64u);
    EXPECT_EQ(delivered[k].flags, 0);
    EXPECT_EQ(line_.raised_at[k], at_30fps(k) + 2 * kMs + kMs / 2);
  }
  EXPECT_EQ(verdicts_, std::vector<FrameCheck>(30, FrameCheck::kOk));
  EXPECT_EQ(device_->frame_counters().picture_number, 30u);
  EXPECT_EQ(device_->frame_counters().drop_count, 0u);
}

// Guards starvation: no buffer -> drop, sequence still advances, next frame flagged.
TEST_F(DeviceModelTest, StarvationDropsTheFrameAndFlagsTheNextOne) {
  create(small_device(2));
  repost_ = false;
  post(0);
  run();
  clock_.run_until(80 * kMs);  // frames 0 (delivered), 1 and 2 (no buffer)
  ASSERT_EQ(frames().size(), 1u);
  EXPECT_FALSE(frames()[0].has_flag(CompletionFlags::kDiscontinuity));
  post(0);
  clock_.run_until(110 * kMs);  // frame 3
  const auto delivered = frames();
  ASSERT_EQ(delivered.size(), 2u);
  EXPECT_EQ(delivered[1].sequence, 3u);
  EXPECT_EQ(delivered[1].drop_count, 2u);
  EXPECT_TRUE(delivered[1].has_flag(CompletionFlags::kDiscontinuity));
  EXPECT_EQ(device_->frame_counters().picture_number, 4u);
  EXPECT_EQ(device_->frame_counters().drop_count, 2u);
  EXPECT_EQ(device_->stats().dropped_by(ModelDropReason::kStarvation), 2u);
}

// Guards the invariant "sequence gaps equal drops" with every drop reason at once.
TEST_F(DeviceModelTest, SequenceGapsEqualDrops) {
  DeviceConfig config = small_device(3);
  config.timing.cadence = FrameRate{60, 1};
  config.timing.jitter = {.kind = JitterKind::kUniform, .amplitude_ns = 3 * kMs};
  config.timing.dma_ns = 5 * kMs;
  config.timing.drop_probability = 0.05;
  config.timing.drop_frames = {10, 11};
  config.timing.stalls.push_back({.start = AtFrame{50}, .duration_ns = 200 * kMs});
  config.faults.push_back(
      {.action = {.kind = FaultKind::kError}, .trigger = EachFrameWithProbability{0.05}});
  create(config);
  hold_ns_ = 60 * kMs;  // 3 buffers every ~60 ms cannot keep up with 60 fps: starvation too
  post_all();
  run();
  clock_.run_until(40'000 * kMs);
  const auto delivered = frames();
  ASSERT_GT(delivered.size(), 1000u);
  for (std::size_t i = 1; i < delivered.size(); ++i) {
    const auto gap = delivered[i].sequence - delivered[i - 1].sequence - 1;
    const auto drops = delivered[i].drop_count - delivered[i - 1].drop_count;
    ASSERT_EQ(gap, drops) << "at sequence " << delivered[i].sequence;
    ASSERT_EQ(delivered[i].has_flag(CompletionFlags::kDiscontinuity), gap > 0);
  }
  const DeviceStats stats = device_->stats();
  EXPECT_GT(stats.dropped_by(ModelDropReason::kStarvation), 0u);
  EXPECT_GT(stats.dropped_by(ModelDropReason::kRandom), 0u);
  EXPECT_EQ(stats.dropped_by(ModelDropReason::kScheduled), 2u);
  // Frames 50..61 fall in the 200 ms stall; frame 62 too if its jitter makes it early.
  EXPECT_GE(stats.dropped_by(ModelDropReason::kStall), 12u);
  EXPECT_LE(stats.dropped_by(ModelDropReason::kStall), 13u);
  EXPECT_GT(stats.error_frames, 0u);
  EXPECT_EQ(stats.frames_due, stats.frames_delivered + stats.dropped_total() + stats.in_flight);
  EXPECT_EQ(stats.frames_produced,
            stats.frames_delivered + stats.dropped_by(ModelDropReason::kAborted) + stats.in_flight);
  EXPECT_EQ(stats.frames_due, device_->frame_counters().picture_number);
  EXPECT_EQ(stats.dropped_total(), device_->frame_counters().drop_count);
}

// Guards STOP: every buffer the device holds comes back unfilled (DataUsed 0),
// the one being filled first, and nothing completes afterwards.
TEST_F(DeviceModelTest, StopReturnsEveryInFlightBufferUnfilled) {
  DeviceConfig config = small_device();
  config.timing.dma_ns = 50 * kMs;
  create(config);
  handle_interrupts_ = false;
  post_all();
  run();
  clock_.run_until(10 * kMs);  // frame 0 took buffer 0 and is in its DMA
  ASSERT_EQ(device_->stats().in_flight, 1u);
  ASSERT_EQ(device_->set_state(PinState::kStop), ControlStatus::kOk);
  std::vector<CompletionEntry> returned;
  device_->completion_ring().drain([&](const CompletionEntry& e) { returned.push_back(e); });
  ASSERT_EQ(returned.size(), 4u);
  for (std::uint32_t i = 0; i < 4; ++i) {
    EXPECT_EQ(returned[i].buffer_id, i);
    EXPECT_EQ(returned[i].status, CompletionStatus::kReturnedUnfilled);
    EXPECT_EQ(returned[i].bytes_used, 0u);
  }
  clock_.run_until(1000 * kMs);
  EXPECT_EQ(device_->completion_ring().size(), 0u);
  EXPECT_EQ(line_.raised_at, (std::vector<TimeNs>{10 * kMs}));
  const DeviceStats stats = device_->stats();
  EXPECT_EQ(stats.buffers_returned_unfilled, 4u);
  EXPECT_EQ(stats.dropped_by(ModelDropReason::kAborted), 1u);
  EXPECT_EQ(stats.frames_delivered, 0u);
  EXPECT_EQ(stats.in_flight, 0u);
  EXPECT_EQ(clock_.pending(), 0u);
}

// Guards KS counters: kept across PAUSE <-> RUN, reset on entering ACQUIRE from STOP.
TEST_F(DeviceModelTest, CountersSurvivePauseAndResetOnAcquire) {
  create(small_device());
  run();  // no buffers: every frame starves
  clock_.run_until(110 * kMs);
  EXPECT_EQ(device_->frame_counters().picture_number, 4u);
  EXPECT_EQ(device_->frame_counters().drop_count, 4u);
  ASSERT_EQ(device_->set_state(PinState::kPause), ControlStatus::kOk);
  clock_.run_until(190 * kMs);
  run();
  EXPECT_EQ(device_->frame_counters().picture_number, 4u);
  clock_.run_until(210 * kMs);  // frame 6, at 200 ms
  EXPECT_EQ(device_->frame_counters().picture_number, 5u);
  EXPECT_EQ(device_->frame_counters().drop_count, 5u);
  ASSERT_EQ(device_->set_state(PinState::kStop), ControlStatus::kOk);
  EXPECT_EQ(device_->frame_counters().drop_count, 5u);
  ASSERT_EQ(device_->set_state(PinState::kAcquire), ControlStatus::kOk);
  EXPECT_EQ(device_->frame_counters().picture_number, 0u);
  EXPECT_EQ(device_->frame_counters().drop_count, 0u);
}

// Guards KS case 20: pause then run resumes on the original grid, and the
// ticks missed while paused are neither frames nor drops.
TEST_F(DeviceModelTest, PauseThenRunResumesOnTheOriginalGrid) {
  create(small_device());
  post_all();
  run();
  clock_.run_until(110 * kMs);  // frames 0..3
  ASSERT_EQ(device_->set_state(PinState::kPause), ControlStatus::kOk);
  clock_.run_until(250 * kMs);
  run();
  clock_.run_until(390 * kMs);  // grid frames 8..11 (266.7, 300, 333.3, 366.7 ms)
  const auto delivered = frames();
  ASSERT_EQ(delivered.size(), 8u);
  for (std::uint64_t i = 4; i < 8; ++i) {
    EXPECT_EQ(delivered[i].sequence, i);
    EXPECT_EQ(delivered[i].timestamp_ns, at_30fps(i + 4));
    EXPECT_FALSE(delivered[i].has_flag(CompletionFlags::kDiscontinuity));
  }
  EXPECT_EQ(device_->frame_counters().picture_number, 8u);
  EXPECT_EQ(device_->frame_counters().drop_count, 0u);
}

// Guards KS case 20: over 1000 ticks with jitter, each stays within the jitter
// of start + k * period: no cumulative drift.
TEST_F(DeviceModelTest, ThousandTicksStayWithinJitterOfTheGrid) {
  DeviceConfig config = small_device();
  config.timing.jitter = {.kind = JitterKind::kUniform, .amplitude_ns = 2 * kMs};
  create(config);
  clock_.run_until(5 * kMs);  // the stream starts at 5 ms, not at 0
  post_all();
  run();
  clock_.run_until(5 * kMs + at_30fps(1000) - 3 * kMs);
  const auto delivered = frames();
  ASSERT_EQ(delivered.size(), 1000u);
  TimeNs worst = 0;
  for (std::uint64_t k = 0; k < 1000; ++k) {
    const TimeNs error = delivered[k].timestamp_ns - (5 * kMs + at_30fps(k));
    worst = std::max(worst, std::abs(error));
  }
  EXPECT_LE(worst, 2 * kMs);
  EXPECT_GT(worst, kMs);  // the jitter is really there
}

// Guards RUN -> PAUSE: a frame whose DMA is under way still completes.
TEST_F(DeviceModelTest, PauseLetsTheDmaInProgressComplete) {
  DeviceConfig config = small_device();
  config.timing.dma_ns = 20 * kMs;
  create(config);
  post_all();
  run();
  clock_.run_until(5 * kMs);
  ASSERT_EQ(device_->set_state(PinState::kPause), ControlStatus::kOk);
  clock_.run_until(500 * kMs);
  ASSERT_EQ(frames().size(), 1u);
  EXPECT_EQ(completed_at_[0], 20 * kMs);
}

// Guards interrupt moderation: while the line is raised and not acknowledged,
// more completions raise nothing; after the acknowledge the next one does.
TEST_F(DeviceModelTest, InterruptIsLevelTriggeredUntilAcknowledged) {
  create(small_device());
  handle_interrupts_ = false;
  post_all();
  run();
  clock_.run_until(110 * kMs);  // 4 completions
  EXPECT_EQ(device_->completion_ring().size(), 4u);
  EXPECT_EQ(line_.raised_at, (std::vector<TimeNs>{0}));
  EXPECT_EQ(device_->stats().interrupts_coalesced, 3u);
  service_interrupt();
  clock_.run_until(140 * kMs);  // frame 4, buffer 0 again
  EXPECT_EQ(line_.raised_at, (std::vector<TimeNs>{0, at_30fps(4)}));
}

// Guards interrupt latency with coalescing: a completion posted while an
// assertion is pending rides on it.
TEST_F(DeviceModelTest, CompletionsWithinTheLatencyShareOneInterrupt) {
  DeviceConfig config = small_device();
  config.timing.interrupt_latency_ns = 50 * kMs;
  create(config);
  post_all();
  run();
  clock_.run_until(140 * kMs);
  EXPECT_EQ(line_.raised_at, (std::vector<TimeNs>{50 * kMs, at_30fps(2) + 50 * kMs}));
  EXPECT_EQ(completed_at_, (std::vector<TimeNs>{50 * kMs, 50 * kMs, at_30fps(2) + 50 * kMs,
                                                at_30fps(2) + 50 * kMs}));
}

// Guards the frame faults end to end: what the host sees for error, short and corrupt frames.
TEST_F(DeviceModelTest, FrameFaultsReachTheHost) {
  DeviceConfig config = small_device();
  config.faults = {{.action = {.kind = FaultKind::kError}, .trigger = AtFrame{1}},
                   {.action = {.kind = FaultKind::kShort, .bytes = 1000}, .trigger = AtFrame{2}},
                   {.action = {.kind = FaultKind::kCorrupt}, .trigger = AtFrame{3}}};
  create(config);
  post_all();
  run();
  clock_.run_until(140 * kMs);
  const auto delivered = frames();
  ASSERT_EQ(delivered.size(), 5u);
  EXPECT_EQ(delivered[0].status, CompletionStatus::kOk);
  EXPECT_EQ(delivered[1].status, CompletionStatus::kError);
  EXPECT_EQ(delivered[1].bytes_used, 0u);
  EXPECT_EQ(delivered[2].status, CompletionStatus::kShort);
  EXPECT_EQ(delivered[2].bytes_used, 1000u);
  EXPECT_EQ(verify_frame({buffers_[2].data(), 1000}).check, FrameCheck::kShort);
  EXPECT_EQ(delivered[3].status, CompletionStatus::kOk);
  EXPECT_TRUE(delivered[3].has_flag(CompletionFlags::kCorrupted));
  EXPECT_EQ(verdicts_, (std::vector<FrameCheck>{FrameCheck::kOk, FrameCheck::kChecksumMismatch,
                                                FrameCheck::kOk}));
  const DeviceStats stats = device_->stats();
  EXPECT_EQ(stats.error_frames, 1u);
  EXPECT_EQ(stats.short_frames, 1u);
  EXPECT_EQ(stats.corrupt_frames, 1u);
  EXPECT_EQ(stats.faults_fired_of(FaultKind::kCorrupt), 1u);
}

// Guards stall faults: frames due during the stall are dropped as stalls, the grid is kept.
TEST_F(DeviceModelTest, StallFaultDropsFramesAndKeepsTheGrid) {
  DeviceConfig config = small_device();
  config.faults = {
      {.action = {.kind = FaultKind::kStall, .duration_ns = 100 * kMs}, .trigger = AtFrame{2}}};
  create(config);
  post_all();
  run();
  clock_.run_until(200 * kMs);
  const auto delivered = frames();
  ASSERT_EQ(delivered.size(), 4u);  // frames 0, 1, 5, 6
  EXPECT_EQ(delivered[2].sequence, 5u);
  EXPECT_EQ(delivered[2].timestamp_ns, at_30fps(5));
  EXPECT_TRUE(delivered[2].has_flag(CompletionFlags::kDiscontinuity));
  EXPECT_EQ(device_->stats().dropped_by(ModelDropReason::kStall), 3u);
}

// Guards injected faults (scenario steps): a stall from now, an error on the next frame.
TEST_F(DeviceModelTest, InjectedFaultsActFromNow) {
  create(small_device());
  post_all();
  run();
  clock_.run_until(40 * kMs);  // frames 0 and 1
  EXPECT_EQ(device_->inject_fault({.kind = FaultKind::kStall, .duration_ns = 50 * kMs}),
            ControlStatus::kOk);  // frame 2 (66.7 ms) falls inside
  EXPECT_EQ(device_->inject_fault({.kind = FaultKind::kError}), ControlStatus::kOk);
  EXPECT_EQ(device_->inject_fault({.kind = FaultKind::kShort, .bytes = 0}),
            ControlStatus::kInvalidRequest);
  clock_.run_until(110 * kMs);
  const auto delivered = frames();
  ASSERT_EQ(delivered.size(), 3u);
  EXPECT_EQ(delivered[2].sequence, 3u);
  EXPECT_EQ(delivered[2].status, CompletionStatus::kError);
  EXPECT_EQ(device_->stats().dropped_by(ModelDropReason::kStall), 1u);
}

// Guards disconnect: everything held comes back, later requests report
// disconnected, and no device event is left to hang on.
TEST_F(DeviceModelTest, DisconnectHandsBackBuffersAndRefusesLaterRequests) {
  DeviceConfig config = small_device();
  config.timing.dma_ns = 50 * kMs;
  config.faults = {{.action = {.kind = FaultKind::kDisconnect}, .trigger = AtFrame{3}}};
  create(config);
  post_all();
  run();
  clock_.run_until(2000 * kMs);
  EXPECT_FALSE(device_->connected());
  EXPECT_EQ(device_->state(), PinState::kStop);
  EXPECT_EQ(clock_.pending(), 0u);
  // Frames 0 and 1 completed; frame 2 was in its DMA at 100 ms; the host got
  // each of its 4 buffers back exactly once.
  ASSERT_EQ(frames().size(), 2u);
  std::vector<int> returns(4, 0);
  for (const auto& entry : completions_) {
    if (entry.status == CompletionStatus::kDisconnected) ++returns[entry.buffer_id];
  }
  EXPECT_EQ(returns, (std::vector<int>{1, 1, 1, 1}));
  EXPECT_EQ(device_->set_state(PinState::kRun), ControlStatus::kDisconnected);
  EXPECT_EQ(device_->inject_fault({.kind = FaultKind::kError}), ControlStatus::kDisconnected);
  EXPECT_EQ(device_->frame_counters().picture_number, 3u);
  // The host may now reclaim what it posts itself.
  post(0);
  BufferDescriptor reclaimed;
  ASSERT_TRUE(device_->submission_ring().pop(reclaimed));
  EXPECT_EQ(reclaimed.buffer_id, 0u);
}

// Guards an injected disconnect while idle: the status register and requests report it.
TEST_F(DeviceModelTest, InjectedDisconnectWhileStopped) {
  create(small_device());
  EXPECT_EQ(device_->inject_fault({.kind = FaultKind::kDisconnect}), ControlStatus::kOk);
  EXPECT_FALSE(device_->connected());
  EXPECT_EQ(device_->set_state(PinState::kAcquire), ControlStatus::kDisconnected);
  clock_.run_until(kMs);
  EXPECT_EQ(clock_.pending(), 0u);
}

// Guards descriptor checks: a buffer too small for a frame is returned untouched and the frame
// dropped.
TEST_F(DeviceModelTest, BufferTooSmallIsRejectedAndTheFrameDropped) {
  create(small_device());
  repost_ = false;
  std::vector<std::byte> tiny(10, std::byte{0x11});
  ASSERT_TRUE(
      device_->submission_ring().push({.buffer_id = 7, .capacity = 10, .address = tiny.data()}));
  post(0);
  run();
  clock_.run_until(40 * kMs);
  ASSERT_EQ(completions_.size(), 2u);
  EXPECT_EQ(completions_[0].buffer_id, 7u);
  EXPECT_EQ(completions_[0].status, CompletionStatus::kBufferRejected);
  EXPECT_EQ(tiny, std::vector<std::byte>(10, std::byte{0x11}));
  EXPECT_EQ(completions_[1].sequence, 1u);
  EXPECT_TRUE(completions_[1].has_flag(CompletionFlags::kDiscontinuity));
  EXPECT_EQ(device_->stats().dropped_by(ModelDropReason::kBufferRejected), 1u);
}

// Guards replay through the device: recorded arrival times, short and error frames.
TEST_F(DeviceModelTest, ReplayedRecordingDrivesTheFrames) {
  DeviceConfig config = small_device();
  const auto recording =
      parse_timing_recording("0ms\n10ms 100\n25ms error\n40ms\n", "/device/timing/replay");
  ASSERT_TRUE(std::holds_alternative<TimingRecording>(recording));
  config.timing.cadence = std::get<TimingRecording>(recording);
  create(config);
  post_all();
  run();
  clock_.run_until(60 * kMs);
  const auto delivered = frames();
  ASSERT_EQ(delivered.size(), 5u);
  const std::vector<TimeNs> times = {0, 10 * kMs, 25 * kMs, 40 * kMs, 53'333'333};
  const std::vector<CompletionStatus> statuses = {CompletionStatus::kOk, CompletionStatus::kShort,
                                                  CompletionStatus::kError, CompletionStatus::kOk,
                                                  CompletionStatus::kOk};
  for (std::size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(delivered[i].timestamp_ns, times[i]);
    EXPECT_EQ(delivered[i].status, statuses[i]);
  }
  EXPECT_EQ(delivered[1].bytes_used, 100u);
}

// Guards the host's ring contract: a host that never drains sees drops, not a
// crash, and STOP reports what it could not hand back.
TEST_F(DeviceModelTest, BrokenRingContractDropsInsteadOfOverflowing) {
  create(small_device(2));
  handle_interrupts_ = false;
  post_all();
  run();
  clock_.run_until(40 * kMs);  // two completions fill the completion ring
  post_all();                  // four buffers outstanding with a 2-slot ring
  clock_.run_until(70 * kMs);
  EXPECT_EQ(device_->stats().dropped_by(ModelDropReason::kCompletionRingFull), 1u);
  ASSERT_EQ(device_->set_state(PinState::kStop), ControlStatus::kOk);
  EXPECT_EQ(device_->stats().buffers_left_posted, 2u);
}

// Guards determinism: the same seed gives the same completions, entry for entry.
TEST_F(DeviceModelTest, SameSeedSameRun) {
  auto run_once = [](std::uint64_t seed) {
    DeviceConfig config = small_device();
    config.seed = seed;
    config.timing.jitter = {.kind = JitterKind::kNormal, .sigma_ns = 3 * kMs};
    config.timing.drop_probability = 0.1;
    config.faults = {
        {.action = {.kind = FaultKind::kCorrupt}, .trigger = EachFrameWithProbability{0.1}}};
    MinimalHost host;
    host.create(config);
    host.hold_ns_ = 70 * kMs;
    host.post_all();
    host.run();
    host.clock_.run_until(20'000 * kMs);
    std::vector<std::tuple<std::uint32_t, std::uint64_t, TimeNs, std::uint8_t, std::uint64_t>> log;
    for (const auto& e : host.completions_) {
      log.emplace_back(e.buffer_id, e.sequence, e.timestamp_ns, e.flags, e.checksum);
    }
    return log;
  };
  const auto first = run_once(123);
  EXPECT_GT(first.size(), 300u);
  EXPECT_EQ(first, run_once(123));
  EXPECT_NE(first, run_once(124));
}

// Guards the header-only fast path over a long run: every frame verifiable.
TEST_F(DeviceModelTest, HeaderOnlyFramesVerifyOverALongRun) {
  DeviceConfig config;
  config.format = {PixelFormat::kYuy2, 1920, 1080};
  config.payload = PayloadMode::kHeaderOnly;
  config.ring_depth = 4;
  config.timing.cadence = FrameRate{1000, 1};
  create(config);
  post_all();
  run();
  clock_.run_until(20'000 * kMs - 1);
  EXPECT_EQ(frames().size(), 20'000u);
  EXPECT_EQ(verdicts_, std::vector<FrameCheck>(20'000, FrameCheck::kOk));
}

}  // namespace
}  // namespace hilcap::device
