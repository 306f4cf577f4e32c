// IOCTL_KS_READ_STREAM on a capture pin made with KsCreatePin, as a Windows
// capture client uses it: overlapped reads of KSSTREAM_HEADER (+ KS_FRAME_INFO)
// lists that pend until a frame is captured into them, in issue order;
// frames no read waits for are dropped and counted; every read ends exactly
// once, by a frame, a cancel, STOP, CloseHandle or the device going away.
// Virtual time, real device model.
#include <gtest/gtest.h>
#include <hilcap/device/frame_header.h>
#include <hilcap/ks.h>
#include <hilcap/ks_extensions.h>
#include <hilcap/ks_filter.h>

#include <array>
#include <cstring>
#include <span>
#include <thread>
#include <vector>

#include "capture_rig.h"
#include "filter_rig.h"
#include "ks/nt_status.h"
#include "ks_policy.h"
#include "ks_test_client.h"

namespace hilcap {
namespace {

using test::FilterRig;
using test::grid_time;
using test::kMs;
using test::Read;
using test::SampleHeader;

constexpr DWORD kSuccess = ERROR_SUCCESS;
constexpr std::int64_t kInterval30Fps = 33'333'333;

DWORD error_of(NTSTATUS status) {
  return ks::win32_error_from_ntstatus(status);
}

// The pin streaming in RUN on a 64x64 GREY 30 fps device (4096-byte frames).
struct Streaming {
  explicit Streaming(const device::DeviceConfig& config = test::small_device())
      : rig(config, kInterval30Fps), pin(rig.pin()) {
    EXPECT_EQ(test::set_state(pin, KSSTATE_RUN), kSuccess);
  }
  FilterRig rig;
  HANDLE pin;
};

bool pending(const Read& read) {
  return read.ov.ov.Internal == static_cast<ULONG_PTR>(STATUS_PENDING);
}

// Issues `read` and expects it to pend (FALSE, ERROR_IO_PENDING, Internal
// STATUS_PENDING, its event reset).
void issue_pending(Read& read, HANDLE pin) {
  ASSERT_FALSE(read.issue(pin));
  ASSERT_EQ(GetLastError(), static_cast<DWORD>(ERROR_IO_PENDING));
  EXPECT_TRUE(pending(read));
  EXPECT_FALSE(HasOverlappedIoCompleted(&read.ov.ov));
  EXPECT_FALSE(read.ov.signalled());
}

// GetOverlappedResult's error for an ended read (ERROR_SUCCESS when it got a frame).
DWORD result_of(HANDLE pin, Read& read, DWORD* bytes = nullptr) {
  DWORD n = 0;
  if (GetOverlappedResult(pin, &read.ov.ov, bytes ? bytes : &n, FALSE)) return kSuccess;
  return GetLastError();
}

// A read pends until a frame is captured into it; it completes with
// BytesReturned = the size of its header list, the frame's bytes in the
// client's buffer and DataUsed, PresentationTime (100 ns units,
// Numerator = Denominator = 1, TIMEVALID), Duration (DURATIONVALID) and
// KS_FRAME_INFO (ExtendedHeaderSize, KS_VIDEO_FLAG_FRAME, PictureNumber,
// DropCount).
TEST(ReadStream, ARequestPendsUntilAFrameIsCapturedIntoIt) {
  Streaming s;
  Read read(s.rig.frame_bytes());
  issue_pending(read, s.pin);
  s.rig.run_until(grid_time(0) - 1);
  EXPECT_FALSE(read.ov.signalled());
  s.rig.run_until(grid_time(0));
  ASSERT_TRUE(read.ov.signalled());
  DWORD bytes = 0;
  ASSERT_EQ(result_of(s.pin, read, &bytes), kSuccess);
  EXPECT_EQ(bytes, sizeof(SampleHeader));
  EXPECT_EQ(read.ov.ov.InternalHigh, sizeof(SampleHeader));
  const KSSTREAM_HEADER& h = read[0].header;
  EXPECT_EQ(h.Size, sizeof(SampleHeader));
  EXPECT_EQ(h.DataUsed, s.rig.frame_bytes());
  EXPECT_EQ(h.FrameExtent, s.rig.frame_bytes());
  EXPECT_EQ(h.PresentationTime.Time, 0);
  EXPECT_EQ(h.PresentationTime.Numerator, 1u);
  EXPECT_EQ(h.PresentationTime.Denominator, 1u);
  EXPECT_EQ(h.Duration, 333333);
  EXPECT_EQ(h.OptionsFlags, static_cast<ULONG>(KSSTREAM_HEADER_OPTIONSF_TIMEVALID |
                                               KSSTREAM_HEADER_OPTIONSF_DURATIONVALID));
  const KS_FRAME_INFO& info = read[0].info;
  EXPECT_EQ(info.ExtendedHeaderSize, sizeof(KS_FRAME_INFO));
  EXPECT_EQ(info.dwFrameFlags, static_cast<DWORD>(KS_VIDEO_FLAG_FRAME));
  EXPECT_EQ(info.PictureNumber, 1);
  EXPECT_EQ(info.DropCount, 0);
  // The frame itself, with its in-band header, is in the client's buffer.
  const device::FrameVerdict verdict = device::verify_frame(read.buffers[0]);
  EXPECT_EQ(verdict.check, device::FrameCheck::kOk);
  EXPECT_EQ(verdict.header.sequence, 0u);
}

// PresentationTime counts from the pin's entry into RUN (stream time), and
// so do the device's frame numbers, wherever the device's clock stood.
TEST(ReadStream, TimesAndFrameNumbersCountFromRun) {
  FilterRig rig(test::small_device(), kInterval30Fps);
  const HANDLE pin = rig.pin();
  rig.run_until(5 * test::kSecond);
  ASSERT_EQ(test::set_state(pin, KSSTATE_RUN), kSuccess);
  const device::TimeNs start = rig.scheduler().now();
  std::vector<std::unique_ptr<Read>> reads;
  for (int k = 0; k < 3; ++k) {
    reads.push_back(std::make_unique<Read>(rig.frame_bytes()));
    issue_pending(*reads.back(), pin);
  }
  rig.run_until(start + grid_time(2));
  for (LONGLONG k = 0; k < 3; ++k) {
    const SampleHeader& h = (*reads[k])[0];
    EXPECT_EQ(h.info.PictureNumber, k + 1);
    EXPECT_EQ(h.header.PresentationTime.Time, grid_time(k) / 100) << "frame " << k;
  }
}

// Requests complete in the order they were issued, one per frame.
TEST(ReadStream, RequestsCompleteInIssueOrder) {
  Streaming s;
  std::array<Read, 3> reads{Read(s.rig.frame_bytes()), Read(s.rig.frame_bytes()),
                            Read(s.rig.frame_bytes())};
  for (Read& read : reads)
    issue_pending(read, s.pin);
  for (std::size_t k = 0; k < reads.size(); ++k) {
    s.rig.run_until(grid_time(k));
    for (std::size_t i = 0; i < reads.size(); ++i)
      EXPECT_EQ(reads[i].ov.signalled(), i <= k) << "tick " << k << " request " << i;
    EXPECT_EQ(reads[k][0].info.PictureNumber, static_cast<LONGLONG>(k + 1));
  }
}

// A frame no read is waiting for is dropped and counted, as a capture pin
// drops what it has no buffer for: DropCount grows, the next frame delivered
// carries DATADISCONTINUITY, KSPROPERTY_DROPPEDFRAMES_CURRENT counts it.
TEST(ReadStream, AFrameWithNoReadWaitingIsDroppedAndCounted) {
  Streaming s;
  s.rig.run_until(grid_time(2));  // frames 0, 1, 2: nobody reads
  KSPROPERTY_DROPPEDFRAMES_CURRENT_S dropped{};
  ASSERT_EQ(test::dropped_frames(s.pin, dropped), kSuccess);
  EXPECT_EQ(dropped.PictureNumber, 3);
  EXPECT_EQ(dropped.DropCount, 3);
  Read first(s.rig.frame_bytes());
  Read second(s.rig.frame_bytes());
  issue_pending(first, s.pin);
  issue_pending(second, s.pin);
  s.rig.run_until(grid_time(4));
  ASSERT_EQ(result_of(s.pin, first), kSuccess);
  EXPECT_EQ(first[0].info.PictureNumber, 4);
  EXPECT_EQ(first[0].info.DropCount, 3);
  EXPECT_TRUE(first[0].header.OptionsFlags & KSSTREAM_HEADER_OPTIONSF_DATADISCONTINUITY);
  ASSERT_EQ(result_of(s.pin, second), kSuccess);
  EXPECT_EQ(second[0].info.PictureNumber, 5);
  EXPECT_EQ(second[0].info.DropCount, 3);
  EXPECT_FALSE(second[0].header.OptionsFlags & KSSTREAM_HEADER_OPTIONSF_DATADISCONTINUITY);
  ASSERT_EQ(test::dropped_frames(s.pin, dropped), kSuccess);
  EXPECT_EQ(dropped.PictureNumber, 5);
  EXPECT_EQ(dropped.DropCount, 3);
}

// The device's own drops (here scheduled ones) reach the reads the same way.
TEST(ReadStream, DeviceDropsShowInDropCountAndDiscontinuity) {
  device::DeviceConfig config = test::small_device();
  config.timing.drop_frames = {1, 2};
  Streaming s(config);
  std::array<Read, 2> reads{Read(s.rig.frame_bytes()), Read(s.rig.frame_bytes())};
  for (Read& read : reads)
    issue_pending(read, s.pin);
  s.rig.run_until(grid_time(3));
  EXPECT_EQ(reads[0][0].info.PictureNumber, 1);
  EXPECT_EQ(reads[1][0].info.PictureNumber, 4);
  EXPECT_EQ(reads[1][0].info.DropCount, 2);
  EXPECT_TRUE(reads[1][0].header.OptionsFlags & KSSTREAM_HEADER_OPTIONSF_DATADISCONTINUITY);
}

// A frame the device reports as failed reaches its read flagged (hilcap's
// error bit), with DataUsed 0.
TEST(ReadStream, AnErrorFrameIsFlagged) {
  device::DeviceConfig config = test::small_device();
  config.faults = {{.action = {.kind = device::FaultKind::kError}, .trigger = device::AtFrame{1}}};
  Streaming s(config);
  std::array<Read, 2> reads{Read(s.rig.frame_bytes()), Read(s.rig.frame_bytes())};
  for (Read& read : reads)
    issue_pending(read, s.pin);
  s.rig.run_until(grid_time(1));
  EXPECT_FALSE(reads[0][0].header.OptionsFlags & KSSTREAM_HEADER_OPTIONSF_HILCAP_ERROR);
  EXPECT_TRUE(reads[1][0].header.OptionsFlags & KSSTREAM_HEADER_OPTIONSF_HILCAP_ERROR);
  EXPECT_EQ(reads[1][0].header.DataUsed, 0u);
  EXPECT_EQ(reads[1][0].info.PictureNumber, 2);
}

// One read may carry several headers: it completes once each got a frame,
// with BytesReturned the size of the whole list.
TEST(ReadStream, ARequestWithSeveralHeadersTakesOneFrameEach) {
  Streaming s;
  Read read(s.rig.frame_bytes(), 3);
  issue_pending(read, s.pin);
  s.rig.run_until(grid_time(1));
  EXPECT_FALSE(read.ov.signalled());
  s.rig.run_until(grid_time(2));
  DWORD bytes = 0;
  ASSERT_EQ(result_of(s.pin, read, &bytes), kSuccess);
  EXPECT_EQ(bytes, 3 * sizeof(SampleHeader));
  for (std::size_t i = 0; i < 3; ++i)
    EXPECT_EQ(read[i].info.PictureNumber, static_cast<LONGLONG>(i + 1));
}

// A bare KSSTREAM_HEADER (Size 56) gets the frame but no KS_FRAME_INFO: the
// bytes after it are not touched.
TEST(ReadStream, AHeaderWithoutFrameInfoIsFilledAlone) {
  Streaming s;
  struct {
    KSSTREAM_HEADER header;
    std::array<std::byte, 72> after;
  } request{};
  std::vector<std::byte> buffer(s.rig.frame_bytes());
  request.header.Size = sizeof(KSSTREAM_HEADER);
  request.header.FrameExtent = static_cast<ULONG>(buffer.size());
  request.header.Data = buffer.data();
  request.after.fill(std::byte{0x5A});
  test::Overlapped o;
  DWORD bytes = 0;
  ASSERT_FALSE(DeviceIoControl(s.pin, IOCTL_KS_READ_STREAM, nullptr, 0, &request.header,
                               sizeof(KSSTREAM_HEADER), &bytes, &o.ov));
  s.rig.run_until(grid_time(0));
  ASSERT_TRUE(GetOverlappedResult(s.pin, &o.ov, &bytes, FALSE));
  EXPECT_EQ(bytes, sizeof(KSSTREAM_HEADER));
  EXPECT_EQ(request.header.DataUsed, s.rig.frame_bytes());
  for (std::byte b : request.after)
    ASSERT_EQ(b, std::byte{0x5A});
}

// A buffer too small for the frame gets nothing of it (DataUsed 0) and the
// frame counts as dropped (kKsPolicy.read_stream_short_buffer_drops, avssamp).
TEST(ReadStream, ABufferTooSmallCountsTheFrameAsDropped) {
  ASSERT_TRUE(kKsPolicy.read_stream_short_buffer_drops);
  Streaming s;
  Read small(100);
  Read whole(s.rig.frame_bytes());
  issue_pending(small, s.pin);
  issue_pending(whole, s.pin);
  s.rig.run_until(grid_time(1));
  ASSERT_EQ(result_of(s.pin, small), kSuccess);
  EXPECT_EQ(small[0].header.DataUsed, 0u);
  EXPECT_EQ(small[0].info.DropCount, 1);
  ASSERT_EQ(result_of(s.pin, whole), kSuccess);
  EXPECT_EQ(whole[0].info.PictureNumber, 2);
  EXPECT_EQ(whole[0].info.DropCount, 1);
  EXPECT_TRUE(whole[0].header.OptionsFlags & KSSTREAM_HEADER_OPTIONSF_DATADISCONTINUITY);
}

// Reads queue from ACQUIRE and PAUSE on and get frames once the pin runs.
TEST(ReadStream, ReadsQueueInPauseAndFillInRun) {
  FilterRig rig(test::small_device(), kInterval30Fps);
  const HANDLE pin = rig.pin();
  ASSERT_EQ(test::set_state(pin, KSSTATE_PAUSE), kSuccess);
  Read read(rig.frame_bytes());
  issue_pending(read, pin);
  rig.run_until(grid_time(3));
  EXPECT_FALSE(read.ov.signalled()) << "no frame is captured before RUN";
  ASSERT_EQ(test::set_state(pin, KSSTATE_RUN), kSuccess);
  rig.run_until(rig.scheduler().now() + grid_time(0));
  ASSERT_EQ(result_of(pin, read), kSuccess);
  EXPECT_EQ(read[0].info.PictureNumber, 1);
}

// CancelIoEx ends the one read (ERROR_OPERATION_ABORTED); a second
// CancelIoEx finds nothing (ERROR_NOT_FOUND); the next frame goes to the
// next read, and the cancelled read's buffer is not written.
TEST(ReadStream, CancelIoExEndsOneReadOnce) {
  Streaming s;
  Read cancelled(s.rig.frame_bytes());
  Read next(s.rig.frame_bytes());
  issue_pending(cancelled, s.pin);
  issue_pending(next, s.pin);
  ASSERT_TRUE(CancelIoEx(s.pin, &cancelled.ov.ov));
  ASSERT_TRUE(cancelled.ov.signalled());
  EXPECT_EQ(cancelled.ov.ov.Internal, static_cast<ULONG_PTR>(static_cast<ULONG>(STATUS_CANCELLED)));
  EXPECT_EQ(result_of(s.pin, cancelled), static_cast<DWORD>(ERROR_OPERATION_ABORTED));
  EXPECT_FALSE(CancelIoEx(s.pin, &cancelled.ov.ov));
  EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_NOT_FOUND));
  s.rig.run_until(grid_time(0));
  ASSERT_EQ(result_of(s.pin, next), kSuccess);
  EXPECT_EQ(next[0].info.PictureNumber, 1);
  EXPECT_EQ(cancelled[0].header.DataUsed, 0u);
  EXPECT_EQ(cancelled[0].info.PictureNumber, 0);
}

// CancelIo ends only the calling thread's reads on the handle.
TEST(ReadStream, CancelIoIsThreadScoped) {
  Streaming s;
  Read mine(s.rig.frame_bytes());
  Read theirs(s.rig.frame_bytes());
  issue_pending(mine, s.pin);
  std::thread other([&] {
    issue_pending(theirs, s.pin);
    ASSERT_TRUE(CancelIo(s.pin));
  });
  other.join();
  EXPECT_EQ(result_of(s.pin, theirs), static_cast<DWORD>(ERROR_OPERATION_ABORTED));
  EXPECT_TRUE(pending(mine));
  ASSERT_TRUE(CancelIo(s.pin));
  EXPECT_EQ(result_of(s.pin, mine), static_cast<DWORD>(ERROR_OPERATION_ABORTED));
}

// CancelIoEx(pin, NULL) ends all of them.
TEST(ReadStream, CancelIoExWithoutOverlappedEndsEveryRead) {
  Streaming s;
  std::array<Read, 3> reads{Read(s.rig.frame_bytes()), Read(s.rig.frame_bytes()),
                            Read(s.rig.frame_bytes())};
  for (Read& read : reads)
    issue_pending(read, s.pin);
  ASSERT_TRUE(CancelIoEx(s.pin, nullptr));
  for (Read& read : reads)
    EXPECT_EQ(result_of(s.pin, read), static_cast<DWORD>(ERROR_OPERATION_ABORTED));
  EXPECT_FALSE(CancelIoEx(s.pin, nullptr));
  EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_NOT_FOUND));
}

// Entering STOP ends every pending read (ERROR_OPERATION_ABORTED), and a read
// in STOP is refused at once (policy). Leaving STOP again streams anew, the
// counters reset (PictureNumber from 1).
TEST(ReadStream, StopEndsPendingReadsAndRunStartsAnew) {
  Streaming s;
  s.rig.run_until(grid_time(1));  // two frames dropped: nobody read
  std::array<Read, 2> reads{Read(s.rig.frame_bytes()), Read(s.rig.frame_bytes())};
  for (Read& read : reads)
    issue_pending(read, s.pin);
  ASSERT_EQ(test::set_state(s.pin, KSSTATE_STOP), kSuccess);
  for (Read& read : reads) {
    ASSERT_TRUE(read.ov.signalled());
    EXPECT_EQ(result_of(s.pin, read), static_cast<DWORD>(ERROR_OPERATION_ABORTED));
  }
  Read refused(s.rig.frame_bytes());
  refused.ov.ov.Internal = 0x1234;
  EXPECT_FALSE(refused.issue(s.pin));
  EXPECT_EQ(GetLastError(), error_of(kKsPolicy.read_stream_stopped_status));
  EXPECT_EQ(refused.ov.ov.Internal, 0x1234u) << "a request that did not pend touches nothing";

  ASSERT_EQ(test::set_state(s.pin, KSSTATE_RUN), kSuccess);
  Read again(s.rig.frame_bytes());
  issue_pending(again, s.pin);
  s.rig.run_until(s.rig.scheduler().now() + grid_time(0));
  ASSERT_EQ(result_of(s.pin, again), kSuccess);
  EXPECT_EQ(again[0].info.PictureNumber, 1);
  EXPECT_EQ(again[0].info.DropCount, 0);
}

// In STOP the pin's own allocator is gone: the client may switch to the
// allocator style for the next run.
TEST(ReadStream, AfterStopTheClientMayCreateAnAllocator) {
  Streaming s;
  s.rig.run_until(grid_time(0));
  ASSERT_EQ(test::set_state(s.pin, KSSTATE_STOP), kSuccess);
  HANDLE allocator = nullptr;
  KSALLOCATOR_FRAMING framing = test::framing(2, s.rig.frame_bytes());
  ASSERT_EQ(KsCreateAllocator(s.pin, &framing, &allocator), kSuccess);
  EXPECT_TRUE(CloseHandle(allocator));
}

// CloseHandle on the pin ends every pending read (ERROR_OPERATION_ABORTED).
TEST(ReadStream, CloseHandleEndsPendingReads) {
  FilterRig rig(test::small_device(), kInterval30Fps);
  const HANDLE pin = rig.pin();
  ASSERT_EQ(test::set_state(pin, KSSTATE_RUN), kSuccess);
  std::array<Read, 2> reads{Read(rig.frame_bytes()), Read(rig.frame_bytes())};
  for (Read& read : reads)
    issue_pending(read, pin);
  ASSERT_TRUE(CloseHandle(pin));
  rig.forget(pin);
  for (Read& read : reads) {
    ASSERT_TRUE(read.ov.signalled());
    EXPECT_EQ(read.ov.ov.Internal, static_cast<ULONG_PTR>(static_cast<ULONG>(STATUS_CANCELLED)));
  }
  rig.run_until(grid_time(3));  // the device stopped: nothing more arrives
}

// The device going away ends the pending reads with its status
// (STATUS_DEVICE_NOT_CONNECTED: ERROR_DEVICE_NOT_CONNECTED), and later reads
// fail at once with it.
TEST(ReadStream, DisconnectEndsReadsWithTheDisconnectStatus) {
  Streaming s;
  Read read(s.rig.frame_bytes());
  issue_pending(read, s.pin);
  ASSERT_EQ(s.rig.device().inject_fault({.kind = device::FaultKind::kDisconnect}),
            device::ControlStatus::kOk);
  s.rig.run_until(grid_time(1));
  ASSERT_TRUE(read.ov.signalled());
  EXPECT_EQ(result_of(s.pin, read), static_cast<DWORD>(ERROR_DEVICE_NOT_CONNECTED));
  Read later(s.rig.frame_bytes());
  EXPECT_FALSE(later.issue(s.pin));
  EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_DEVICE_NOT_CONNECTED));
}

// Header lists that do not walk are refused before anything pends
// (STATUS_INVALID_BUFFER_SIZE: ERROR_INVALID_USER_BUFFER), as KsProbeStreamIrp
// refuses them; a NULL Data with a FrameExtent is an access violation.
TEST(ReadStream, HeaderListsThatDoNotWalkAreRefused) {
  Streaming s;
  const DWORD bad = error_of(kKsPolicy.read_stream_bad_header_status);
  EXPECT_EQ(bad, static_cast<DWORD>(ERROR_INVALID_USER_BUFFER));
  auto refused = [&](auto mutate) {
    Read read(s.rig.frame_bytes());
    mutate(read);
    read.ov.ov.Internal = 0x1234;
    EXPECT_FALSE(read.issue(s.pin));
    const DWORD error = GetLastError();
    EXPECT_EQ(read.ov.ov.Internal, 0x1234u);
    return error;
  };
  EXPECT_EQ(refused([](Read& r) { r.headers[0].header.Size = 48; }), bad);
  EXPECT_EQ(refused([](Read& r) { r.headers[0].header.Size = 60; }), bad);
  EXPECT_EQ(refused([](Read& r) { r.headers[0].header.Size = 136; }), bad);
  EXPECT_EQ(refused([](Read& r) { r.headers[0].header.DataUsed = 1; }), bad);
  EXPECT_EQ(refused([](Read& r) { r.headers[0].header.Data = nullptr; }),
            error_of(kKsPolicy.null_buffer_status));
  DWORD returned = 0;
  EXPECT_FALSE(
      DeviceIoControl(s.pin, IOCTL_KS_READ_STREAM, nullptr, 0, nullptr, 0, &returned, nullptr));
  EXPECT_EQ(GetLastError(), bad);
}

// The IOCTL_KS_READ_STREAM page puts the header list in the input buffer:
// with an empty output buffer, the list is read from there (policy).
TEST(ReadStream, HeadersInTheInputBufferAreRead) {
  ASSERT_TRUE(kKsPolicy.read_stream_headers_in_input);
  Streaming s;
  Read read(s.rig.frame_bytes());
  DWORD returned = 0;
  ASSERT_FALSE(DeviceIoControl(s.pin, IOCTL_KS_READ_STREAM, read.headers.data(),
                               sizeof(SampleHeader), nullptr, 0, &returned, &read.ov.ov));
  ASSERT_EQ(GetLastError(), static_cast<DWORD>(ERROR_IO_PENDING));
  s.rig.run_until(grid_time(0));
  ASSERT_EQ(result_of(s.pin, read), kSuccess);
  EXPECT_EQ(read[0].info.PictureNumber, 1);
}

// IOCTL_KS_READ_STREAM needs read access (FILE_READ_ACCESS): a pin opened
// for GENERIC_WRITE only gets ERROR_ACCESS_DENIED.
TEST(ReadStream, APinWithoutReadAccessIsDenied) {
  FilterRig rig(test::small_device(), kInterval30Fps);
  test::PinRequest request = rig.request();
  HANDLE pin = nullptr;
  ASSERT_EQ(rig.create_pin(request, pin, GENERIC_WRITE), kSuccess);
  ASSERT_EQ(test::set_state(pin, KSSTATE_RUN), kSuccess);
  Read read(rig.frame_bytes());
  EXPECT_FALSE(read.issue(pin));
  EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_ACCESS_DENIED));
}

// With a NULL hEvent the pin's own file object is signalled: the handle is
// waitable and GetOverlappedResult waits on it.
TEST(ReadStream, WithoutAnEventThePinHandleIsSignalled) {
  Streaming s;
  Read read(s.rig.frame_bytes());
  OVERLAPPED ov{};
  ASSERT_FALSE(read.issue(s.pin, &ov));
  ASSERT_EQ(GetLastError(), static_cast<DWORD>(ERROR_IO_PENDING));
  EXPECT_EQ(WaitForSingleObject(s.pin, 0), static_cast<DWORD>(WAIT_TIMEOUT));
  s.rig.run_until(grid_time(0));
  EXPECT_EQ(WaitForSingleObject(s.pin, 0), static_cast<DWORD>(WAIT_OBJECT_0));
  DWORD bytes = 0;
  ASSERT_TRUE(GetOverlappedResult(s.pin, &ov, &bytes, TRUE));
  EXPECT_EQ(bytes, sizeof(SampleHeader));
}

// WaitForMultipleObjects over several outstanding reads' events returns the
// lowest index signalled, as a capture loop waits.
TEST(ReadStream, WaitForMultipleObjectsOverOutstandingReads) {
  Streaming s;
  std::array<Read, 3> reads{Read(s.rig.frame_bytes()), Read(s.rig.frame_bytes()),
                            Read(s.rig.frame_bytes())};
  std::array<HANDLE, 3> events{};
  for (std::size_t i = 0; i < reads.size(); ++i) {
    issue_pending(reads[i], s.pin);
    events[i] = reads[i].ov.ov.hEvent;
  }
  EXPECT_EQ(WaitForMultipleObjects(3, events.data(), FALSE, 0), static_cast<DWORD>(WAIT_TIMEOUT));
  s.rig.run_until(grid_time(1));
  EXPECT_EQ(WaitForMultipleObjects(3, events.data(), FALSE, 0), WAIT_OBJECT_0 + 0);
  EXPECT_EQ(WaitForMultipleObjects(3, events.data(), TRUE, 0), static_cast<DWORD>(WAIT_TIMEOUT));
  s.rig.run_until(grid_time(2));
  EXPECT_EQ(WaitForMultipleObjects(3, events.data(), TRUE, 0), WAIT_OBJECT_0);
}

}  // namespace
}  // namespace hilcap
