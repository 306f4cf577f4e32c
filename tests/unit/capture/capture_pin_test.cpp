// The capture pin as a KS client sees it, beyond reference §8: ALLOC and FREE
// in capture mode, KsCreateAllocator on a pin, the pin's property surface, the
// frame-header property and closing the pin. Virtual time, real device model.
#include <gtest/gtest.h>
#include <hilcap/capture_pin.h>
#include <hilcap/device/frame_header.h>
#include <hilcap/ks.h>
#include <hilcap/ks_extensions.h>

#include <array>
#include <cstring>
#include <span>
#include <vector>

#include "capture_rig.h"
#include "ks/nt_status.h"
#include "ks_policy.h"
#include "ks_test_client.h"

namespace hilcap {
namespace {

using test::CaptureRig;
using test::grid_time;
using test::kMs;
using test::Overlapped;

constexpr DWORD kOk = ERROR_SUCCESS;

DWORD win32_error(NTSTATUS status) {
  return ks::win32_error_from_ntstatus(status);
}

PVOID alloc_ready(HANDLE allocator) {
  PVOID frame = nullptr;
  Overlapped o;
  EXPECT_TRUE(test::alloc(allocator, &frame, &o.ov)) << GetLastError();
  return frame;
}

// A pending ALLOC completes when the next frame is delivered, with a frame
// whose in-band header verifies against its KS metadata.
TEST(CapturePin, AllocPendsUntilTheNextCompletion) {
  CaptureRig rig(test::small_device());
  const HANDLE allocator = rig.allocator(3);
  ASSERT_EQ(test::set_state(rig.pin_handle(), KSSTATE_RUN), kOk);
  Overlapped o;
  PVOID frame = nullptr;
  ASSERT_FALSE(test::alloc(allocator, &frame, &o.ov));
  ASSERT_EQ(GetLastError(), static_cast<DWORD>(ERROR_IO_PENDING));
  EXPECT_FALSE(HasOverlappedIoCompleted(&o.ov));
  rig.run_until(grid_time(0));
  ASSERT_TRUE(o.signalled());
  DWORD n = 0;
  ASSERT_TRUE(GetOverlappedResult(allocator, &o.ov, &n, FALSE));
  EXPECT_EQ(n, sizeof(PVOID));
  const auto h = test::header_of(allocator, frame);
  EXPECT_EQ(h.FrameInfo.PictureNumber, 1);
  ASSERT_EQ(h.Header.DataUsed, rig.frame_bytes());
  const std::span<const std::byte> bytes(static_cast<const std::byte*>(frame), h.Header.DataUsed);
  const device::FrameVerdict verdict = device::verify_frame(bytes);
  EXPECT_EQ(verdict.check, device::FrameCheck::kOk);
  EXPECT_EQ(verdict.header.sequence + 1, static_cast<std::uint64_t>(h.FrameInfo.PictureNumber));
  EXPECT_EQ(verdict.header.timestamp_ns / 100, h.Header.PresentationTime.Time);
  EXPECT_EQ(rig.pin().stats().frames[FrameFate::kOk], 1u);
}

// FREE hands the frame back to the pin, which posts it on the submission ring.
TEST(CapturePin, FreePostsTheBufferAgain) {
  CaptureRig rig(test::small_device());
  const HANDLE allocator = rig.allocator(2);
  ASSERT_EQ(test::set_state(rig.pin_handle(), KSSTATE_RUN), kOk);
  EXPECT_EQ(rig.pin().stats().buffers_posted, 2u);
  rig.run_until(grid_time(0));
  const PVOID frame = alloc_ready(allocator);
  EXPECT_EQ(rig.pin().frames_at_device(), 1u);
  EXPECT_EQ(rig.device().submission_ring().size(), 1u);
  ASSERT_TRUE(test::free_frame(allocator, frame));
  EXPECT_EQ(rig.pin().stats().buffers_posted, 3u);
  EXPECT_EQ(rig.pin().frames_at_device(), 2u);
  EXPECT_EQ(rig.device().submission_ring().size(), 2u);
  EXPECT_TRUE(rig.conserved());
}

// Pending ALLOCs are served oldest first, one per delivered frame, in ring order.
TEST(CapturePin, PendingAllocsAreServedInIssueOrder) {
  CaptureRig rig(test::small_device());
  const HANDLE allocator = rig.allocator(3);
  ASSERT_EQ(test::set_state(rig.pin_handle(), KSSTATE_RUN), kOk);
  std::array<Overlapped, 4> requests;
  std::array<PVOID, 4> frames{};
  for (std::size_t i = 0; i < requests.size(); ++i) {
    ASSERT_FALSE(test::alloc(allocator, &frames[i], &requests[i].ov));
  }
  for (std::uint64_t k = 0; k < 3; ++k) {
    rig.run_until(grid_time(k));
    for (std::size_t i = 0; i < requests.size(); ++i) {
      EXPECT_EQ(requests[i].signalled(), i <= k) << "tick " << k << " request " << i;
    }
    EXPECT_EQ(test::header_of(allocator, frames[k]).FrameInfo.PictureNumber,
              static_cast<LONGLONG>(k + 1));
  }
  rig.run_until(grid_time(5));
  EXPECT_FALSE(requests[3].signalled()) << "no buffer was posted for ticks 3..5";
  ASSERT_TRUE(test::free_frame(allocator, frames[0]));
  rig.run_until(grid_time(6));
  ASSERT_TRUE(requests[3].signalled());
  const auto h = test::header_of(allocator, frames[3]);
  EXPECT_EQ(h.FrameInfo.PictureNumber, 7);
  EXPECT_EQ(h.FrameInfo.DropCount, 3);
  EXPECT_TRUE(test::has_option(h, KSSTREAM_HEADER_OPTIONSF_DATADISCONTINUITY));
}

// Cancelling an ALLOC while the device fills a frame: the request ends
// cancelled, and the frame, once filled, is ready for the next ALLOC.
TEST(CapturePin, CancelWhileTheDeviceIsFilling) {
  device::DeviceConfig config = test::small_device();
  config.timing.dma_ns = 10 * kMs;
  CaptureRig rig(config);
  const HANDLE allocator = rig.allocator(2);
  ASSERT_EQ(test::set_state(rig.pin_handle(), KSSTATE_RUN), kOk);
  Overlapped o;
  PVOID frame = nullptr;
  ASSERT_FALSE(test::alloc(allocator, &frame, &o.ov));
  rig.run_until(grid_time(0) + kMs);
  ASSERT_EQ(rig.device().stats().in_flight, 1u);
  ASSERT_TRUE(CancelIoEx(allocator, &o.ov));
  EXPECT_EQ(o.ov.Internal, static_cast<ULONG_PTR>(static_cast<ULONG>(STATUS_CANCELLED)));
  EXPECT_EQ(frame, nullptr);
  EXPECT_TRUE(rig.conserved());
  rig.run_until(grid_time(0) + 10 * kMs);
  const auto occupancy = rig.pin().allocator()->occupancy();
  EXPECT_EQ(occupancy.ready, 1u);
  EXPECT_EQ(occupancy.pending, 0u);
  EXPECT_EQ(test::header_of(allocator, alloc_ready(allocator)).FrameInfo.PictureNumber, 1);
  EXPECT_TRUE(rig.conserved());
}

// A client that keeps up: every frame is allocated, checked and freed; frames
// are conserved after every interrupt (the rig checks) and at the end.
TEST(CapturePin, SteadyStreamIsConservedAndLossless) {
  device::DeviceConfig config = test::small_device(3);
  config.timing.dma_ns = 3 * kMs;
  config.timing.interrupt_latency_ns = 1 * kMs;
  CaptureRig rig(config, {}, /*dpc_latency_ns=*/2 * kMs);
  const HANDLE allocator = rig.allocator(3);
  ASSERT_EQ(test::set_state(rig.pin_handle(), KSSTATE_RUN), kOk);
  Overlapped o;
  PVOID frame = nullptr;
  LONGLONG expected = 1;
  ASSERT_FALSE(test::alloc(allocator, &frame, &o.ov));
  for (std::uint64_t k = 0; k < 300; ++k) {
    rig.run_until(grid_time(k) + 10 * kMs);
    ASSERT_TRUE(o.signalled()) << "frame " << k;
    const auto h = test::header_of(allocator, frame);
    EXPECT_EQ(h.FrameInfo.PictureNumber, expected++);
    EXPECT_EQ(h.Header.OptionsFlags & KSSTREAM_HEADER_OPTIONSF_HILCAP_ERROR, 0u);
    ASSERT_TRUE(test::free_frame(allocator, frame));
    ASSERT_TRUE(rig.conserved());
    ASSERT_FALSE(test::alloc(allocator, &frame, &o.ov));
  }
  ASSERT_TRUE(CancelIoEx(allocator, &o.ov));  // the last request must not outlive `o`
  const CapturePinStats stats = rig.pin().stats();
  EXPECT_EQ(stats.frames[FrameFate::kOk], 300u);
  EXPECT_EQ(stats.frames.handed_over(), 300u);
  EXPECT_EQ(stats.completions, 300u);
  EXPECT_LE(stats.interrupts, 300u);
  EXPECT_EQ(rig.device().stats().dropped_total(), 0u);
}

// KsCreateAllocator on a pin: Frames above the ring depth and FrameSize below
// one frame are refused (kKsPolicy.pin_framing_status) naming the field.
TEST(CapturePin, AllocatorFramingMustFitTheDevice) {
  CaptureRig rig(test::small_device(4));
  AllocatorCreated created = rig.create_allocator(5);
  EXPECT_EQ(created.status, kKsPolicy.pin_framing_status);
  EXPECT_EQ(created.handle, nullptr);
  EXPECT_NE(created.error.find("KSALLOCATOR_FRAMING.Frames: expected at most 4"), std::string::npos)
      << created.error;
  EXPECT_NE(created.error.find("found 5"), std::string::npos) << created.error;

  created = rig.create_allocator(2, rig.frame_bytes() - 1);
  EXPECT_EQ(created.status, kKsPolicy.pin_framing_status);
  EXPECT_NE(created.error.find("KSALLOCATOR_FRAMING.FrameSize: expected at least 4096 (one "
                               "64x64 GREY frame), found 4095"),
            std::string::npos)
      << created.error;

  const KSALLOCATOR_FRAMING f = test::framing(5, rig.frame_bytes());
  HANDLE h = nullptr;
  EXPECT_EQ(KsCreateAllocator(rig.pin_handle(), &f, &h), win32_error(kKsPolicy.pin_framing_status));
  EXPECT_EQ(h, nullptr);
  EXPECT_EQ(rig.pin().allocator(), nullptr);

  EXPECT_EQ(rig.create_allocator(4, rig.frame_bytes() + 100).status, STATUS_SUCCESS);
  EXPECT_EQ(rig.pin().allocator()->framing().FrameSize, rig.frame_bytes() + 100);
}

// KsCreateAllocator on a pin: only in STOP, and one open allocator at a time;
// once the first is closed a new one may be made; other handles are refused.
TEST(CapturePin, OneAllocatorAtATimeMadeInStop) {
  CaptureRig rig(test::small_device());
  const AllocatorCreated first = rig.create_allocator(2);
  ASSERT_EQ(first.status, STATUS_SUCCESS);
  EXPECT_EQ(rig.create_allocator(2).status, kKsPolicy.pin_allocator_state_status);
  ASSERT_EQ(test::set_state(rig.pin_handle(), KSSTATE_PAUSE), kOk);
  ASSERT_TRUE(CloseHandle(first.handle));
  const AllocatorCreated in_pause = rig.create_allocator(2);
  EXPECT_EQ(in_pause.status, kKsPolicy.pin_allocator_state_status);
  EXPECT_NE(in_pause.error.find("expected a pin in KSSTATE_STOP, found KSSTATE_PAUSE"),
            std::string::npos)
      << in_pause.error;
  ASSERT_EQ(test::set_state(rig.pin_handle(), KSSTATE_STOP), kOk);
  const AllocatorCreated second = rig.create_allocator(3);
  ASSERT_EQ(second.status, STATUS_SUCCESS);
  EXPECT_EQ(rig.pin().allocator(), stream_allocator_from_handle(second.handle));
  EXPECT_EQ(rig.pin().frames_at_device(), 3u);
  ASSERT_EQ(test::set_state(rig.pin_handle(), KSSTATE_RUN), kOk);
  rig.run_until(grid_time(0));
  EXPECT_EQ(test::header_of(second.handle, alloc_ready(second.handle)).FrameInfo.PictureNumber, 1);

  // A connection handle that is not a pin.
  const HANDLE event = CreateEvent(nullptr, TRUE, FALSE, nullptr);
  const KSALLOCATOR_FRAMING f = test::framing(2, rig.frame_bytes());
  HANDLE h = nullptr;
  EXPECT_EQ(KsCreateAllocator(event, &f, &h), static_cast<DWORD>(ERROR_INVALID_HANDLE));
  CloseHandle(event);
}

// The pin's property surface follows the same table-driven rules as the
// allocator's: support queries, size queries, unknown sets and ids, bad values.
TEST(CapturePin, PropertySurface) {
  CaptureRig rig(test::small_device());
  const HANDLE pin = rig.pin_handle();
  DWORD returned = 0;

  // SETSUPPORT with GUID_NULL lists both sets.
  std::array<GUID, 4> sets{};
  const KSPROPERTY set_support = test::identifier(GUID_NULL, 0, KSPROPERTY_TYPE_SETSUPPORT);
  ASSERT_TRUE(test::ks_ioctl(pin, IOCTL_KS_PROPERTY, set_support, sets.data(), sizeof(sets),
                             &returned, nullptr));
  ASSERT_EQ(returned, 2 * sizeof(GUID));
  EXPECT_EQ(std::memcmp(&sets[0], &KSPROPSETID_Connection, sizeof(GUID)), 0);
  EXPECT_EQ(std::memcmp(&sets[1], &PROPSETID_VIDCAP_DROPPEDFRAMES, sizeof(GUID)), 0);

  // BASICSUPPORT: STATE is GET and SET, DROPPEDFRAMES_CURRENT GET only.
  ULONG access = 0;
  const KSPROPERTY state_support = test::identifier(
      KSPROPSETID_Connection, KSPROPERTY_CONNECTION_STATE, KSPROPERTY_TYPE_BASICSUPPORT);
  ASSERT_TRUE(test::ks_ioctl(pin, IOCTL_KS_PROPERTY, state_support, &access, sizeof(access),
                             &returned, nullptr));
  EXPECT_EQ(access, static_cast<ULONG>(KSPROPERTY_TYPE_GET | KSPROPERTY_TYPE_SET));
  KSPROPERTY_DROPPEDFRAMES_CURRENT_S dropped_support{};
  dropped_support.Property =
      test::identifier(PROPSETID_VIDCAP_DROPPEDFRAMES, KSPROPERTY_DROPPEDFRAMES_CURRENT,
                       KSPROPERTY_TYPE_BASICSUPPORT);
  ASSERT_TRUE(test::ks_ioctl(pin, IOCTL_KS_PROPERTY, dropped_support, &access, sizeof(access),
                             &returned, nullptr));
  EXPECT_EQ(access, static_cast<ULONG>(KSPROPERTY_TYPE_GET));

  // Size query and short output of the STATE value.
  const KSPROPERTY get_state =
      test::identifier(KSPROPSETID_Connection, KSPROPERTY_CONNECTION_STATE, KSPROPERTY_TYPE_GET);
  KSSTATE state = KSSTATE_RUN;
  EXPECT_FALSE(test::ks_ioctl(pin, IOCTL_KS_PROPERTY, get_state, &state, 0, &returned, nullptr));
  EXPECT_EQ(GetLastError(), win32_error(kKsPolicy.size_query_status));
  EXPECT_EQ(returned, sizeof(KSSTATE));
  EXPECT_FALSE(test::ks_ioctl(pin, IOCTL_KS_PROPERTY, get_state, &state, 2, &returned, nullptr));
  EXPECT_EQ(GetLastError(), win32_error(kKsPolicy.short_output_status));

  // DROPPEDFRAMES_CURRENT needs the whole 48-byte struct as input, and is GET only.
  KSPROPERTY_DROPPEDFRAMES_CURRENT_S value{};
  const KSPROPERTY short_request = test::identifier(
      PROPSETID_VIDCAP_DROPPEDFRAMES, KSPROPERTY_DROPPEDFRAMES_CURRENT, KSPROPERTY_TYPE_GET);
  EXPECT_FALSE(test::ks_ioctl(pin, IOCTL_KS_PROPERTY, short_request, &value, sizeof(value),
                              &returned, nullptr));
  EXPECT_EQ(GetLastError(), win32_error(kKsPolicy.below_min_input_status));
  KSPROPERTY_DROPPEDFRAMES_CURRENT_S set_request{};
  set_request.Property = test::identifier(PROPSETID_VIDCAP_DROPPEDFRAMES,
                                          KSPROPERTY_DROPPEDFRAMES_CURRENT, KSPROPERTY_TYPE_SET);
  EXPECT_FALSE(test::ks_ioctl(pin, IOCTL_KS_PROPERTY, set_request, &value, sizeof(value), &returned,
                              nullptr));
  EXPECT_EQ(GetLastError(), win32_error(kKsPolicy.unsupported_property_operation_status));

  // A KSSTATE outside the enum, an unknown id, an unknown set, and methods.
  EXPECT_EQ(test::set_state(pin, 7), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
  const KSPROPERTY unknown_id =
      test::identifier(KSPROPSETID_Connection, KSPROPERTY_CONNECTION_PRIORITY, KSPROPERTY_TYPE_GET);
  EXPECT_FALSE(test::ks_ioctl(pin, IOCTL_KS_PROPERTY, unknown_id, &state, sizeof(state), &returned,
                              nullptr));
  EXPECT_EQ(GetLastError(), win32_error(kKsPolicy.unknown_id_status));
  const KSPROPERTY allocator_set = test::status_property();
  EXPECT_FALSE(test::ks_ioctl(pin, IOCTL_KS_PROPERTY, allocator_set, &state, sizeof(state),
                              &returned, nullptr));
  EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_SET_NOT_FOUND));
  PVOID frame = nullptr;
  Overlapped o;
  EXPECT_FALSE(test::alloc(pin, &frame, &o.ov));
  EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_SET_NOT_FOUND));
}

// KSPROPERTY_HILCAP_FRAME_HEADER: sizes as for every property, refused for a
// pointer the client does not hold, and the bare header of a pool-mode frame.
TEST(CapturePin, FrameHeaderPropertyRules) {
  CaptureRig rig(test::small_device());
  const HANDLE allocator = rig.allocator(2);
  ASSERT_EQ(test::set_state(rig.pin_handle(), KSSTATE_RUN), kOk);
  rig.run_until(grid_time(0));
  const PVOID frame = alloc_ready(allocator);
  KSHILCAP_FRAME_HEADER header{};
  DWORD returned = 0;
  EXPECT_EQ(test::frame_header(allocator, frame, header, 0, &returned),
            win32_error(kKsPolicy.size_query_status));
  EXPECT_EQ(returned, 128u);
  EXPECT_EQ(test::frame_header(allocator, frame, header, 56, &returned),
            win32_error(kKsPolicy.short_output_status));
  EXPECT_EQ(test::frame_header(allocator, frame, header, sizeof(header), &returned), kOk);
  EXPECT_EQ(returned, 128u);
  EXPECT_EQ(header.Header.Size, 128u);
  EXPECT_EQ(header.Header.FrameExtent, rig.frame_bytes());
  EXPECT_EQ(header.Header.PresentationTime.Numerator, 1u);
  EXPECT_EQ(header.Header.PresentationTime.Denominator, 1u);
  EXPECT_EQ(header.FrameInfo.ExtendedHeaderSize, sizeof(KS_FRAME_INFO));
  EXPECT_EQ(header.FrameInfo.dwFrameFlags, static_cast<DWORD>(KS_VIDEO_FLAG_FRAME));
  EXPECT_FALSE(test::has_option(header, KSSTREAM_HEADER_OPTIONSF_DURATIONVALID))
      << "no frame interval was given";

  EXPECT_EQ(test::frame_header(allocator, static_cast<char*>(frame) + 1, header),
            win32_error(kKsPolicy.unknown_frame_status));
  ASSERT_TRUE(test::free_frame(allocator, frame));
  EXPECT_EQ(test::frame_header(allocator, frame, header),
            win32_error(kKsPolicy.unknown_frame_status))
      << "freed: no longer the client's";

  test::Allocator pool;  // a standalone allocator carries no capture
  PVOID pool_frame = alloc_ready(pool.get());
  ASSERT_EQ(test::frame_header(pool.get(), pool_frame, header), kOk);
  EXPECT_EQ(header.Header.Data, pool_frame);
  EXPECT_EQ(header.Header.DataUsed, 0u);
  EXPECT_EQ(header.Header.OptionsFlags, 0u);
  EXPECT_EQ(header.FrameInfo.PictureNumber, 0);
}

// CloseHandle(pin): pending ALLOCs are cancelled, the device stops, frames
// come back to the allocator, and an ALLOC that would pend fails at once.
TEST(CapturePin, ClosingThePinCancelsAndStops) {
  CaptureRig rig(test::small_device());
  const HANDLE allocator = rig.allocator(2);
  ASSERT_EQ(test::set_state(rig.pin_handle(), KSSTATE_RUN), kOk);
  std::array<Overlapped, 3> requests;
  std::array<PVOID, 3> frames{};
  for (std::size_t i = 0; i < requests.size(); ++i) {
    ASSERT_FALSE(test::alloc(allocator, &frames[i], &requests[i].ov));
  }
  ASSERT_TRUE(CloseHandle(rig.pin_handle()));
  for (Overlapped& r : requests) {
    EXPECT_EQ(r.ov.Internal, static_cast<ULONG_PTR>(static_cast<ULONG>(STATUS_CANCELLED)));
  }
  EXPECT_EQ(rig.device().state(), device::PinState::kStop);
  // The two posted frames came back (DataUsed 0) and are ready.
  PVOID frame = alloc_ready(allocator);
  EXPECT_EQ(test::header_of(allocator, frame).Header.DataUsed, 0u);
  alloc_ready(allocator);
  Overlapped late;
  EXPECT_FALSE(test::alloc(allocator, &frame, &late.ov));
  EXPECT_EQ(GetLastError(), win32_error(kKsPolicy.closed_pin_alloc_status));
  EXPECT_FALSE(late.signalled());
  EXPECT_EQ(test::set_state(rig.pin_handle(), KSSTATE_RUN),
            static_cast<DWORD>(ERROR_INVALID_HANDLE));
  rig.scheduler().run();  // nothing left that could hang
  EXPECT_EQ(rig.pin().frames_at_device(), 0u);
}

// The interrupt announcing STOP's hand-back comes when the pin no longer holds
// the device, so nobody acknowledges it; the next start clears it, else the
// line would stay asserted and no later frame would ever be announced.
TEST(CapturePin, RestartAfterStopStillGetsInterrupts) {
  CaptureRig rig(test::small_device());
  const HANDLE allocator = rig.allocator(2);
  ASSERT_EQ(test::set_state(rig.pin_handle(), KSSTATE_RUN), kOk);
  ASSERT_EQ(test::set_state(rig.pin_handle(), KSSTATE_STOP), kOk);
  rig.run_for(100 * kMs);  // the hand-back's interrupt is raised, unacknowledged
  EXPECT_EQ(rig.device().stats().interrupts_raised, 1u);
  PVOID empties[2] = {alloc_ready(allocator), alloc_ready(allocator)};
  for (PVOID f : empties)
    ASSERT_TRUE(test::free_frame(allocator, f));
  const device::TimeNs start = rig.scheduler().now();
  ASSERT_EQ(test::set_state(rig.pin_handle(), KSSTATE_RUN), kOk);
  rig.run_until(start);
  EXPECT_EQ(test::header_of(allocator, alloc_ready(allocator)).FrameInfo.PictureNumber, 1);
}

// A client that FREEs a frame as soon as STOP hands it back (here: from the
// completion observer, on the stopping thread) does not post it to the
// stopping device: the pin keeps it until the next start.
TEST(CapturePin, FramesFreedDuringStopAreKept) {
  CaptureRig rig(test::small_device());
  const HANDLE allocator = rig.allocator(2);
  ASSERT_EQ(test::set_state(rig.pin_handle(), KSSTATE_RUN), kOk);
  Overlapped o;
  PVOID frame = nullptr;
  ASSERT_FALSE(test::alloc(allocator, &frame, &o.ov));
  struct FreeOnCompletion final : KsCompletionObserver {
    HANDLE allocator;
    PVOID* frame;
    KsCompletionObserver* previous = nullptr;
    void request_completed(HANDLE, OVERLAPPED*, NTSTATUS status) override {
      if (status == STATUS_SUCCESS) {
        EXPECT_TRUE(test::free_frame(allocator, *frame));
      }
    }
  } observer;
  observer.allocator = allocator;
  observer.frame = &frame;
  observer.previous = set_ks_completion_observer(&observer);
  ASSERT_EQ(test::set_state(rig.pin_handle(), KSSTATE_STOP), kOk);
  set_ks_completion_observer(observer.previous);
  ASSERT_TRUE(o.signalled());
  EXPECT_EQ(rig.device().submission_ring().size(), 0u);
  EXPECT_EQ(rig.pin().frames_at_device(), 1u);
  EXPECT_TRUE(rig.conserved());
}

// Destroying the CapturePin closes the handle and stops the device.
TEST(CapturePin, DestructionClosesTheHandle) {
  CaptureRig rig(test::small_device());
  auto pin = CapturePin::open(rig.device());
  const HANDLE handle = pin->handle();
  ASSERT_EQ(test::set_state(handle, KSSTATE_RUN), kOk);
  EXPECT_EQ(rig.device().state(), device::PinState::kRun);
  pin.reset();
  EXPECT_EQ(rig.device().state(), device::PinState::kStop);
  KSSTATE state;
  EXPECT_EQ(test::get_state(handle, state), static_cast<DWORD>(ERROR_INVALID_HANDLE));
  EXPECT_EQ(test::set_state(rig.pin_handle(), KSSTATE_ACQUIRE), kOk) << "the device is free";
}

// The device's interrupt is serviced by the pin holding the device, whichever
// pin the interrupt line calls.
TEST(CapturePin, InterruptGoesToThePinHoldingTheDevice) {
  CaptureRig rig(test::small_device());  // the rig's line calls rig.pin()
  auto other = CapturePin::open(rig.device());
  const AllocatorCreated created =
      hilcap::create_allocator(other->handle(), test::framing(2, rig.frame_bytes()));
  ASSERT_EQ(created.status, STATUS_SUCCESS);
  ASSERT_EQ(test::set_state(other->handle(), KSSTATE_RUN), kOk);
  rig.run_until(grid_time(1));
  EXPECT_EQ(other->stats().frames.handed_over(), 2u);
  EXPECT_EQ(other->stats().interrupts, 2u);
  EXPECT_EQ(rig.pin().stats().interrupts, 0u);
  EXPECT_EQ(other->allocator()->occupancy().ready, 2u);
  other.reset();
  CloseHandle(created.handle);
}

}  // namespace
}  // namespace hilcap
