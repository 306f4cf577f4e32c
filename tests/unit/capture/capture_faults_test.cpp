// Device faults as a KS client of the capture pin sees them: error, short and
// corrupt frames flagged in their KSSTREAM_HEADER, and a disconnect (surprise
// removal) that fails pending and later ALLOCs and pin properties and leaves
// nothing waiting. Virtual time, real device model.
#include <gtest/gtest.h>
#include <hilcap/capture_pin.h>
#include <hilcap/ks.h>
#include <hilcap/ks_extensions.h>

#include <array>
#include <vector>

#include "capture_rig.h"
#include "ks/nt_status.h"
#include "ks_policy.h"
#include "ks_test_client.h"

namespace hilcap {
namespace {

using device::AtFrame;
using device::FaultKind;
using test::CaptureRig;
using test::grid_time;
using test::kMs;
using test::Overlapped;

constexpr DWORD kOk = ERROR_SUCCESS;

DWORD gone_error() {
  return ks::win32_error_from_ntstatus(kKsPolicy.device_gone_status);
}

PVOID alloc_ready(HANDLE allocator) {
  PVOID frame = nullptr;
  Overlapped o;
  EXPECT_TRUE(test::alloc(allocator, &frame, &o.ov)) << GetLastError();
  return frame;
}

device::DeviceConfig faulty_frames() {
  device::DeviceConfig config = test::small_device();
  config.faults = {{.action = {.kind = FaultKind::kError}, .trigger = AtFrame{1}},
                   {.action = {.kind = FaultKind::kShort, .bytes = 1000}, .trigger = AtFrame{2}},
                   {.action = {.kind = FaultKind::kCorrupt}, .trigger = AtFrame{3}}};
  return config;
}

// Runs five frames through a client that takes and frees each one.
std::vector<KSHILCAP_FRAME_HEADER> five_frames(CaptureRig& rig) {
  const HANDLE allocator = rig.allocator(2);
  EXPECT_EQ(test::set_state(rig.pin_handle(), KSSTATE_RUN), kOk);
  std::vector<KSHILCAP_FRAME_HEADER> headers;
  for (std::uint64_t k = 0; k < 5; ++k) {
    rig.run_until(grid_time(k));
    const PVOID frame = alloc_ready(allocator);
    headers.push_back(test::header_of(allocator, frame));
    EXPECT_TRUE(test::free_frame(allocator, frame));
  }
  return headers;
}

// Error, short and corrupt frames carry the hilcap error flag and their
// DataUsed; the corrupt one is caught by verifying its in-band checksum.
TEST(CaptureFaults, DamagedFramesAreFlagged) {
  CaptureRig rig(faulty_frames());
  const auto h = five_frames(rig);
  const auto error = [](const KSHILCAP_FRAME_HEADER& header) {
    return test::has_option(header, KSSTREAM_HEADER_OPTIONSF_HILCAP_ERROR);
  };
  EXPECT_FALSE(error(h[0]));
  EXPECT_TRUE(error(h[1]));
  EXPECT_EQ(h[1].Header.DataUsed, 0u);
  EXPECT_TRUE(error(h[2]));
  EXPECT_EQ(h[2].Header.DataUsed, 1000u);
  EXPECT_TRUE(error(h[3]));
  EXPECT_EQ(h[3].Header.DataUsed, rig.frame_bytes());
  EXPECT_FALSE(error(h[4]));
  for (std::size_t k = 0; k < h.size(); ++k) {
    EXPECT_EQ(h[k].FrameInfo.PictureNumber, static_cast<LONGLONG>(k + 1));
    EXPECT_TRUE(test::has_option(h[k], KSSTREAM_HEADER_OPTIONSF_TIMEVALID));
  }
  const CapturePinStats stats = rig.pin().stats();
  EXPECT_EQ(stats.frames[FrameFate::kOk], 2u);
  EXPECT_EQ(stats.frames[FrameFate::kError], 1u);
  EXPECT_EQ(stats.frames[FrameFate::kShort], 1u);
  EXPECT_EQ(stats.frames[FrameFate::kCorrupt], 1u);
  EXPECT_EQ(stats.frames.handed_over(), 5u);
}

// Without verification the host cannot tell a corrupted payload: that frame
// looks whole (the device's ground-truth flag is not used).
TEST(CaptureFaults, CorruptionIsFoundOnlyByVerification) {
  CaptureRig rig(faulty_frames(), {.verify_frames = false});
  const auto h = five_frames(rig);
  EXPECT_FALSE(test::has_option(h[3], KSSTREAM_HEADER_OPTIONSF_HILCAP_ERROR));
  EXPECT_EQ(rig.pin().stats().frames[FrameFate::kCorrupt], 0u);
  EXPECT_EQ(rig.pin().stats().frames[FrameFate::kOk], 3u);
}

// A disconnect mid-stream: frames delivered before it can still be taken;
// every pending ALLOC completes with STATUS_DEVICE_NOT_CONNECTED; later ALLOCs
// fail at once; pin properties fail; FREE keeps frames (nothing is posted to
// the dead device); frames are conserved and no event is left to wait for.
TEST(CaptureFaults, DisconnectFailsWaitersAndLaterRequests) {
  device::DeviceConfig config = test::small_device();
  config.faults = {{.action = {.kind = FaultKind::kDisconnect}, .trigger = AtFrame{2}}};
  CaptureRig rig(config);
  const HANDLE allocator = rig.allocator(3);
  ASSERT_EQ(test::set_state(rig.pin_handle(), KSSTATE_RUN), kOk);
  rig.run_until(grid_time(1));  // frames 0 and 1 ready, one buffer still posted
  const PVOID first = alloc_ready(allocator);
  std::array<Overlapped, 2> waiting;
  std::array<PVOID, 2> frames{};
  // The second ready frame goes to the first request; the other one waits.
  EXPECT_TRUE(test::alloc(allocator, &frames[0], &waiting[0].ov));
  ASSERT_FALSE(test::alloc(allocator, &frames[1], &waiting[1].ov));

  rig.scheduler().run();  // the disconnect at tick 2; then nothing is left
  EXPECT_FALSE(rig.device().connected());
  ASSERT_TRUE(waiting[1].signalled());
  DWORD n = 99;
  EXPECT_FALSE(GetOverlappedResult(allocator, &waiting[1].ov, &n, FALSE));
  EXPECT_EQ(GetLastError(), gone_error());
  EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_DEVICE_NOT_CONNECTED));
  EXPECT_EQ(frames[1], nullptr);

  Overlapped late;
  PVOID frame = nullptr;
  EXPECT_FALSE(test::alloc(allocator, &frame, &late.ov));
  EXPECT_EQ(GetLastError(), gone_error());
  EXPECT_FALSE(late.signalled()) << "failed at once, not pended";

  KSSTATE state;
  EXPECT_EQ(test::get_state(rig.pin_handle(), state), gone_error());
  EXPECT_EQ(test::set_state(rig.pin_handle(), KSSTATE_STOP), gone_error());
  KSPROPERTY_DROPPEDFRAMES_CURRENT_S value;
  EXPECT_EQ(test::dropped_frames(rig.pin_handle(), value), gone_error());
  EXPECT_EQ(rig.create_allocator(2).status, kKsPolicy.device_gone_status);

  const std::uint64_t posted = rig.pin().stats().buffers_posted;
  EXPECT_EQ(rig.pin().frames_at_device(), 1u) << "the buffer still posted is reclaimed";
  ASSERT_TRUE(test::free_frame(allocator, first));
  ASSERT_TRUE(test::free_frame(allocator, frames[0]));
  EXPECT_EQ(rig.pin().stats().buffers_posted, posted);
  EXPECT_EQ(rig.pin().frames_at_device(), 3u);
  EXPECT_TRUE(rig.conserved());
  EXPECT_EQ(rig.device().submission_ring().size(), 0u);
  EXPECT_EQ(rig.scheduler().pending(), 0u);
}

// A disconnect while a frame is being filled: the buffers come back
// (kDisconnected) and stay with the pin; the waiting client is released.
TEST(CaptureFaults, DisconnectDuringDmaReclaimsEveryBuffer) {
  device::DeviceConfig config = test::small_device();
  config.timing.dma_ns = 10 * kMs;
  CaptureRig rig(config);
  const HANDLE allocator = rig.allocator(3);
  ASSERT_EQ(test::set_state(rig.pin_handle(), KSSTATE_RUN), kOk);
  Overlapped waiting;
  PVOID frame = nullptr;
  ASSERT_FALSE(test::alloc(allocator, &frame, &waiting.ov));
  rig.run_until(grid_time(0) + kMs);
  ASSERT_EQ(rig.device().stats().in_flight, 1u);
  ASSERT_EQ(rig.device().inject_fault({.kind = FaultKind::kDisconnect}),
            device::ControlStatus::kOk);
  rig.scheduler().run();
  EXPECT_EQ(waiting.ov.Internal,
            static_cast<ULONG_PTR>(static_cast<ULONG>(kKsPolicy.device_gone_status)));
  EXPECT_EQ(rig.pin().frames_at_device(), 3u);
  EXPECT_EQ(rig.pin().stats().frames.handed_over(), 0u);
  EXPECT_TRUE(rig.conserved());
}

// A disconnect while the pin is stopped (it holds nothing): the next request
// that would wait fails, and so does leaving STOP.
TEST(CaptureFaults, DisconnectWhileStopped) {
  CaptureRig rig(test::small_device());
  const HANDLE allocator = rig.allocator(2);
  Overlapped waiting;
  PVOID frame = nullptr;
  ASSERT_FALSE(test::alloc(allocator, &frame, &waiting.ov));
  ASSERT_EQ(rig.device().inject_fault({.kind = FaultKind::kDisconnect}),
            device::ControlStatus::kOk);
  rig.scheduler().run();  // the device's last interrupt tells the pin
  EXPECT_EQ(waiting.ov.Internal,
            static_cast<ULONG_PTR>(static_cast<ULONG>(kKsPolicy.device_gone_status)));
  EXPECT_EQ(test::set_state(rig.pin_handle(), KSSTATE_ACQUIRE), gone_error());
  EXPECT_EQ(rig.pin().frames_at_device(), 2u);
  EXPECT_TRUE(rig.conserved());
}

}  // namespace
}  // namespace hilcap
