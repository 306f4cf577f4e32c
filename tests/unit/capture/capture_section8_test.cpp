// Reference §8 cases 19 and 20 (shared/reference/ks-semantics.md): the capture
// pin and its state machine, and tick timing, with the real device model in
// virtual time, asserted through <hilcap/ks.h> as a Windows KS client sees
// them (KSPROPERTY_CONNECTION_STATE, KSPROPERTY_DROPPEDFRAMES_CURRENT, ALLOC
// and FREE, and each frame's KSSTREAM_HEADER + KS_FRAME_INFO).
#include <gtest/gtest.h>
#include <hilcap/capture_pin.h>
#include <hilcap/ks.h>
#include <hilcap/ks_extensions.h>

#include <cstdlib>
#include <utility>
#include <vector>

#include "capture_rig.h"
#include "device_observer.h"
#include "ks_test_client.h"

namespace hilcap {
namespace {

using device::PinState;
using test::CaptureRig;
using test::grid_time;
using test::kMs;
using test::Overlapped;

constexpr DWORD kOk = ERROR_SUCCESS;

class StepRecorder final : public device::DeviceObserver {
 public:
  void on_state_change(device::TimeNs, PinState from, PinState to) override {
    steps.emplace_back(from, to);
  }
  std::vector<std::pair<PinState, PinState>> steps;
};

KSPROPERTY_DROPPEDFRAMES_CURRENT_S counters(HANDLE pin) {
  KSPROPERTY_DROPPEDFRAMES_CURRENT_S value{};
  EXPECT_EQ(test::dropped_frames(pin, value), kOk);
  return value;
}

// ALLOC that must succeed at once (a frame is ready).
PVOID alloc_ready(HANDLE allocator) {
  PVOID frame = nullptr;
  Overlapped o;
  EXPECT_TRUE(test::alloc(allocator, &frame, &o.ov)) << GetLastError();
  return frame;
}

// Case 19: one STOP -> RUN request reaches the device as STOP -> ACQUIRE ->
// PAUSE -> RUN, and RUN -> STOP as single steps down.
TEST(CaptureSection8, Case19_StateRequestsReachTheDeviceAsSingleSteps) {
  StepRecorder recorder;
  CaptureRig rig(test::small_device());
  rig.device().set_observer(&recorder);
  rig.allocator(2);
  ASSERT_EQ(test::set_state(rig.pin_handle(), KSSTATE_RUN), kOk);
  using Step = std::pair<PinState, PinState>;
  EXPECT_EQ(recorder.steps, (std::vector<Step>{{PinState::kStop, PinState::kAcquire},
                                               {PinState::kAcquire, PinState::kPause},
                                               {PinState::kPause, PinState::kRun}}));
  KSSTATE state = KSSTATE_STOP;
  EXPECT_EQ(test::get_state(rig.pin_handle(), state), kOk);
  EXPECT_EQ(state, KSSTATE_RUN);
  recorder.steps.clear();
  ASSERT_EQ(test::set_state(rig.pin_handle(), KSSTATE_STOP), kOk);
  EXPECT_EQ(recorder.steps, (std::vector<Step>{{PinState::kRun, PinState::kPause},
                                               {PinState::kPause, PinState::kAcquire},
                                               {PinState::kAcquire, PinState::kStop}}));
  EXPECT_EQ(rig.device().state(), PinState::kStop);
  rig.device().set_observer(nullptr);
}

// Case 19: in ACQUIRE and PAUSE no frame is filled and no drop is counted.
TEST(CaptureSection8, Case19_NoFramesAndNoDropsBeforeRun) {
  CaptureRig rig(test::small_device());
  rig.allocator(2);
  for (KSSTATE state : {KSSTATE_ACQUIRE, KSSTATE_PAUSE}) {
    ASSERT_EQ(test::set_state(rig.pin_handle(), state), kOk);
    rig.run_for(test::kSecond);
    const auto value = counters(rig.pin_handle());
    EXPECT_EQ(value.PictureNumber, 0);
    EXPECT_EQ(value.DropCount, 0);
    EXPECT_EQ(rig.pin().stats().frames.handed_over(), 0u);
    EXPECT_EQ(rig.pin().frames_at_device(), 2u) << "both frames posted, none filled";
  }
  EXPECT_EQ(rig.device().stats().frames_due, 0u);
}

// Case 19: a RUN tick with no posted buffer fills nothing and drops exactly
// one frame; PictureNumber advances on every tick; the next delivered frame
// carries DATADISCONTINUITY in its KSSTREAM_HEADER, the one after it not.
TEST(CaptureSection8, Case19_StarvedTicksDropOneEachAndMarkTheNextFrame) {
  CaptureRig rig(test::small_device());
  const HANDLE allocator = rig.allocator(2);
  ASSERT_EQ(test::set_state(rig.pin_handle(), KSSTATE_RUN), kOk);
  // Ticks 0 and 1 fill the two posted frames; they wait, ready, unclaimed.
  for (std::uint64_t k = 0; k < 2; ++k) {
    rig.run_until(grid_time(k));
    const auto value = counters(rig.pin_handle());
    EXPECT_EQ(value.PictureNumber, static_cast<LONGLONG>(k + 1));
    EXPECT_EQ(value.DropCount, 0);
  }
  // Ticks 2..6 find nothing posted.
  for (std::uint64_t k = 2; k < 7; ++k) {
    rig.run_until(grid_time(k));
    const auto value = counters(rig.pin_handle());
    EXPECT_EQ(value.PictureNumber, static_cast<LONGLONG>(k + 1)) << "tick " << k;
    EXPECT_EQ(value.DropCount, static_cast<LONGLONG>(k - 1)) << "tick " << k;
  }
  EXPECT_EQ(rig.pin().stats().frames.handed_over(), 2u);

  const PVOID first = alloc_ready(allocator);
  const PVOID second = alloc_ready(allocator);
  const auto h1 = test::header_of(allocator, first);
  EXPECT_EQ(h1.FrameInfo.PictureNumber, 1);
  EXPECT_FALSE(test::has_option(h1, KSSTREAM_HEADER_OPTIONSF_DATADISCONTINUITY));
  EXPECT_EQ(test::header_of(allocator, second).FrameInfo.PictureNumber, 2);

  ASSERT_TRUE(test::free_frame(allocator, first));
  rig.run_until(grid_time(7));
  const PVOID after_drops = alloc_ready(allocator);
  const auto h = test::header_of(allocator, after_drops);
  EXPECT_TRUE(test::has_option(h, KSSTREAM_HEADER_OPTIONSF_DATADISCONTINUITY));
  EXPECT_EQ(h.FrameInfo.PictureNumber, 8);
  EXPECT_EQ(h.FrameInfo.DropCount, 5);
  EXPECT_EQ(h.Header.DataUsed, rig.frame_bytes());

  ASSERT_TRUE(test::free_frame(allocator, after_drops));
  rig.run_until(grid_time(8));
  const PVOID next = alloc_ready(allocator);
  const auto h_next = test::header_of(allocator, next);
  EXPECT_FALSE(test::has_option(h_next, KSSTREAM_HEADER_OPTIONSF_DATADISCONTINUITY));
  EXPECT_EQ(h_next.FrameInfo.PictureNumber, 9);
  EXPECT_EQ(h_next.FrameInfo.DropCount, 5);
}

// Case 19: PAUSE <-> RUN keeps PictureNumber and DropCount; re-entering
// ACQUIRE from STOP resets them.
TEST(CaptureSection8, Case19_PauseKeepsTheCountersAcquireResetsThem) {
  CaptureRig rig(test::small_device());
  rig.allocator(2);
  ASSERT_EQ(test::set_state(rig.pin_handle(), KSSTATE_RUN), kOk);
  rig.run_until(grid_time(5));  // 6 ticks, 4 of them starved
  const auto before = counters(rig.pin_handle());
  EXPECT_EQ(before.PictureNumber, 6);
  EXPECT_EQ(before.DropCount, 4);
  ASSERT_EQ(test::set_state(rig.pin_handle(), KSSTATE_PAUSE), kOk);
  rig.run_for(test::kSecond);
  auto value = counters(rig.pin_handle());
  EXPECT_EQ(value.PictureNumber, before.PictureNumber);
  EXPECT_EQ(value.DropCount, before.DropCount);
  ASSERT_EQ(test::set_state(rig.pin_handle(), KSSTATE_RUN), kOk);
  value = counters(rig.pin_handle());
  EXPECT_EQ(value.PictureNumber, before.PictureNumber);
  EXPECT_EQ(value.DropCount, before.DropCount);

  ASSERT_EQ(test::set_state(rig.pin_handle(), KSSTATE_STOP), kOk);
  ASSERT_EQ(test::set_state(rig.pin_handle(), KSSTATE_ACQUIRE), kOk);
  value = counters(rig.pin_handle());
  EXPECT_EQ(value.PictureNumber, 0);
  EXPECT_EQ(value.DropCount, 0);
}

// Case 19: -> STOP returns every in-flight frame with DataUsed 0 (the one
// being filled and those still posted) before the request returns, and gives
// the exclusive hardware back.
TEST(CaptureSection8, Case19_StopReturnsInFlightFramesEmpty) {
  device::DeviceConfig config = test::small_device();
  config.timing.dma_ns = 10 * kMs;
  CaptureRig rig(config);
  const HANDLE allocator = rig.allocator(3);
  ASSERT_EQ(test::set_state(rig.pin_handle(), KSSTATE_RUN), kOk);
  Overlapped waiting;
  PVOID frame = nullptr;
  ASSERT_FALSE(test::alloc(allocator, &frame, &waiting.ov));
  ASSERT_EQ(GetLastError(), static_cast<DWORD>(ERROR_IO_PENDING));
  rig.run_until(grid_time(0) + kMs);  // frame 0 is being filled, two frames posted
  EXPECT_EQ(rig.device().stats().in_flight, 1u);
  EXPECT_FALSE(waiting.signalled());

  ASSERT_EQ(test::set_state(rig.pin_handle(), KSSTATE_STOP), kOk);
  // Before anything else runs: the pending ALLOC got the first frame back.
  EXPECT_TRUE(waiting.signalled());
  EXPECT_EQ(waiting.ov.Internal, 0u);
  EXPECT_EQ(waiting.ov.InternalHigh, sizeof(PVOID));
  std::vector<PVOID> frames{frame, alloc_ready(allocator), alloc_ready(allocator)};
  for (PVOID f : frames) {
    const auto h = test::header_of(allocator, f);
    EXPECT_EQ(h.Header.DataUsed, 0u);
    EXPECT_EQ(h.Header.OptionsFlags, 0u);
    EXPECT_EQ(h.Header.Data, f);
  }
  EXPECT_EQ(rig.pin().frames_at_device(), 0u);
  EXPECT_EQ(rig.pin().stats().frames[FrameFate::kReturnedUnfilled], 3u);
  EXPECT_TRUE(rig.conserved());

  // The hardware is free again: another pin may take it.
  const auto other = CapturePin::open(rig.device());
  EXPECT_EQ(test::set_state(other->handle(), KSSTATE_ACQUIRE), kOk);
  EXPECT_EQ(test::set_state(other->handle(), KSSTATE_STOP), kOk);
}

// Case 19: a second pin entering ACQUIRE while the first holds the hardware
// fails with STATUS_SHARING_VIOLATION and stays in STOP; once the first
// stops, the second may take it.
TEST(CaptureSection8, Case19_SecondPinGetsSharingViolation) {
  CaptureRig rig(test::small_device());
  const auto second = CapturePin::open(rig.device());
  ASSERT_EQ(test::set_state(rig.pin_handle(), KSSTATE_ACQUIRE), kOk);
  for (ULONG target : {KSSTATE_ACQUIRE, KSSTATE_RUN}) {
    EXPECT_EQ(test::set_state(second->handle(), target),
              static_cast<DWORD>(ERROR_SHARING_VIOLATION));
  }
  KSSTATE state = KSSTATE_RUN;
  EXPECT_EQ(test::get_state(second->handle(), state), kOk);
  EXPECT_EQ(state, KSSTATE_STOP);
  EXPECT_EQ(test::get_state(rig.pin_handle(), state), kOk);
  EXPECT_EQ(state, KSSTATE_ACQUIRE);

  ASSERT_EQ(test::set_state(rig.pin_handle(), KSSTATE_STOP), kOk);
  EXPECT_EQ(test::set_state(second->handle(), KSSTATE_ACQUIRE), kOk);
  EXPECT_EQ(test::set_state(rig.pin_handle(), KSSTATE_ACQUIRE),
            static_cast<DWORD>(ERROR_SHARING_VIOLATION));
}

// Case 20: across 1000 ticks the k-th frame's presentation time stays within
// the jitter of start + k * period: no cumulative drift.
TEST(CaptureSection8, Case20_ThousandTicksStayOnTheGrid) {
  constexpr device::TimeNs kJitter = 2 * kMs;
  device::DeviceConfig config = test::small_device();
  config.timing.jitter = {.kind = device::JitterKind::kUniform, .amplitude_ns = kJitter};
  config.seed = 20;
  CaptureRig rig(config, {.frame_interval_ns = grid_time(1)});
  const HANDLE allocator = rig.allocator(4);
  ASSERT_EQ(test::set_state(rig.pin_handle(), KSSTATE_RUN), kOk);  // at 0: the grid's start
  device::TimeNs worst = 0;
  bool jittered = false;
  for (std::uint64_t k = 0; k < 1000; ++k) {
    rig.run_until(grid_time(k) + kJitter);
    const PVOID frame = alloc_ready(allocator);
    const auto h = test::header_of(allocator, frame);
    ASSERT_EQ(h.FrameInfo.PictureNumber, static_cast<LONGLONG>(k + 1));
    ASSERT_EQ(h.FrameInfo.DropCount, 0);
    ASSERT_TRUE(test::has_option(h, KSSTREAM_HEADER_OPTIONSF_TIMEVALID));
    ASSERT_TRUE(test::has_option(h, KSSTREAM_HEADER_OPTIONSF_DURATIONVALID));
    ASSERT_FALSE(test::has_option(h, KSSTREAM_HEADER_OPTIONSF_DATADISCONTINUITY));
    EXPECT_EQ(h.Header.Duration, grid_time(1) / 100);
    const device::TimeNs error = h.Header.PresentationTime.Time * 100 - grid_time(k);
    // 100 ns units: the reported time is the capture time rounded down.
    ASSERT_LE(std::llabs(error), kJitter + 100) << "frame " << k;
    worst = std::max<device::TimeNs>(worst, std::llabs(error));
    jittered = jittered || std::llabs(error) > 100;
    ASSERT_TRUE(test::free_frame(allocator, frame));
  }
  EXPECT_TRUE(jittered) << "the jitter was configured, so some frames are off the grid";
  EXPECT_LE(worst, kJitter + 100);
  const auto value = counters(rig.pin_handle());
  EXPECT_EQ(value.PictureNumber, 1000);
  EXPECT_EQ(value.DropCount, 0);
}

// Case 20: pause then unpause resumes on the original grid; the ticks missed
// while paused are not drops and do not count as pictures.
TEST(CaptureSection8, Case20_UnpauseResumesOnTheOriginalGrid) {
  CaptureRig rig(test::small_device());
  const HANDLE allocator = rig.allocator(4);
  ASSERT_EQ(test::set_state(rig.pin_handle(), KSSTATE_RUN), kOk);
  for (std::uint64_t k = 0; k < 10; ++k) {
    rig.run_until(grid_time(k));
    ASSERT_TRUE(test::free_frame(allocator, alloc_ready(allocator)));
  }
  rig.run_until(grid_time(9) + 10 * kMs);
  ASSERT_EQ(test::set_state(rig.pin_handle(), KSSTATE_PAUSE), kOk);
  rig.run_until(grid_time(15) + 10 * kMs);  // ticks 10..15 pass while paused
  ASSERT_EQ(test::set_state(rig.pin_handle(), KSSTATE_RUN), kOk);
  rig.run_until(grid_time(16) - 1);
  EXPECT_EQ(rig.pin().stats().frames.handed_over(), 10u) << "nothing off the grid";
  rig.run_until(grid_time(16));
  const PVOID frame = alloc_ready(allocator);
  const auto h = test::header_of(allocator, frame);
  EXPECT_EQ(h.Header.PresentationTime.Time, grid_time(16) / 100);
  EXPECT_EQ(h.FrameInfo.PictureNumber, 11);
  EXPECT_EQ(h.FrameInfo.DropCount, 0);
  EXPECT_FALSE(test::has_option(h, KSSTREAM_HEADER_OPTIONSF_DATADISCONTINUITY));
  const auto value = counters(rig.pin_handle());
  EXPECT_EQ(value.PictureNumber, 11);
  EXPECT_EQ(value.DropCount, 0);
}

}  // namespace
}  // namespace hilcap
