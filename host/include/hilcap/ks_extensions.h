/* hilcap's additions to the Windows KS surface of <hilcap/ks.h> (Windows has
 * no equivalent). The first part compiles as C11 and C++20; the rest is C++
 * only: simulator and test hooks. */
#pragma once

#include <hilcap/ks.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Per-frame metadata of an allocator's frame ----
 * Windows capture clients read PictureNumber, DropCount and the discontinuity
 * flag from the KSSTREAM_HEADER + KS_FRAME_INFO of each frame. A hilcap
 * client holds the frame pointer an ALLOC returned; this property, on the
 * ALLOCATOR handle, returns that frame's header:
 *   IOCTL_KS_PROPERTY, input KSP_HILCAP_FRAME {Property = {KSPROPSETID_HilcapFrame,
 *   KSPROPERTY_HILCAP_FRAME_HEADER, KSPROPERTY_TYPE_GET}, Frame = the pointer},
 *   output KSHILCAP_FRAME_HEADER (x64: 56 + 72 = 128 bytes).
 * Filled in: Header.Size (128), PresentationTime (the device's capture time,
 * 100 ns units, Numerator = Denominator = 1), Duration (100 ns units),
 * FrameExtent (FrameSize), DataUsed, Data (the frame), OptionsFlags
 * (DATADISCONTINUITY on the first frame after a drop, TIMEVALID,
 * DURATIONVALID, KSSTREAM_HEADER_OPTIONSF_HILCAP_ERROR), FrameInfo
 * (ExtendedHeaderSize 72, dwFrameFlags KS_VIDEO_FLAG_FRAME, PictureNumber,
 * DropCount); everything else 0. A frame handed back at STOP has DataUsed 0
 * and no flags. A pool-mode (standalone) allocator's frames carry no capture:
 * times, DataUsed, flags and counts are 0.
 * A pointer the client does not hold: STATUS_INVALID_PARAMETER (kKsPolicy);
 * size query and short output as for every property (STATUS_BUFFER_OVERFLOW
 * with 128, STATUS_BUFFER_TOO_SMALL). GET only. */
#define STATIC_KSPROPSETID_HilcapFrame \
  0x095adc09L, 0x09ab, 0x4cad, 0xb4, 0xa0, 0x2f, 0x6f, 0xa6, 0xa1, 0x21, 0xbe
extern const GUID KSPROPSETID_HilcapFrame;

typedef enum { KSPROPERTY_HILCAP_FRAME_HEADER } KSPROPERTY_HILCAP_FRAME;

typedef struct {
  KSPROPERTY Property;
  PVOID Frame; /* as ALLOC returned it */
} KSP_HILCAP_FRAME, *PKSP_HILCAP_FRAME;

typedef struct {
  KSSTREAM_HEADER Header;
  KS_FRAME_INFO FrameInfo;
} KSHILCAP_FRAME_HEADER, *PKSHILCAP_FRAME_HEADER;

/* hilcap's OptionsFlags bit (unused by Windows): the source reports the data
 * as damaged: a device error (DataUsed 0), a frame cut short, a frame whose
 * in-band checksum failed, or a buffer the device refused. */
#define KSSTREAM_HEADER_OPTIONSF_HILCAP_ERROR 0x40000000

HILCAP_KS_STATIC_ASSERT(sizeof(KSP_HILCAP_FRAME) == 32, "KSP_HILCAP_FRAME");
HILCAP_KS_STATIC_ASSERT(sizeof(KSHILCAP_FRAME_HEADER) == 128, "KSHILCAP_FRAME_HEADER");
HILCAP_KS_STATIC_ASSERT(offsetof(KSHILCAP_FRAME_HEADER, FrameInfo) == 56,
                        "KSHILCAP_FRAME_HEADER.FrameInfo");

/* ---- Waits: spin, then sleep ----
 * The wake-up from "a request completed" to "the waiting thread runs" costs
 * a kernel wake (about 10 us, or 70 us and more once the waiting core went
 * idle) unless the waiter is still awake when it comes. Every wait of this
 * API (WaitForSingleObject, GetOverlappedResult with bWait, a blocking
 * DeviceIoControl) therefore first spins on the event, for at most the spin
 * budget, and then sleeps. The budget is process-wide, 0 (sleep at once) by
 * default, and never makes a wait longer than its timeout. A spinning waiter
 * keeps its core busy: give it a core of its own. */

/* Sets the process-wide spin budget in microseconds; returns the previous. */
DWORD WINAPI HilcapSetWaitSpinBudget(DWORD Microseconds);
/* WaitForSingleObject spinning up to dwSpinMicroseconds (0: sleep at once)
 * instead of the process-wide budget. */
DWORD WINAPI HilcapWaitForSingleObjectSpin(HANDLE hHandle, DWORD dwMilliseconds,
                                           DWORD dwSpinMicroseconds);
/* GetOverlappedResult with bWait TRUE, spinning up to dwSpinMicroseconds. */
BOOL WINAPI HilcapGetOverlappedResultSpin(HANDLE hFile, LPOVERLAPPED lpOverlapped,
                                          LPDWORD lpNumberOfBytesTransferred,
                                          DWORD dwSpinMicroseconds);

/* ---- Events as pollable file descriptors ----
 * A file descriptor (an eventfd) that poll/epoll report readable (POLLIN)
 * exactly while the event hHandle names (an event, or a file's own event) is
 * signalled: a manual-reset event stays readable until ResetEvent; an
 * auto-reset event stops being readable when a wait consumes the signal. So
 * a client can wait for its requests in its own event loop: poll the fd,
 * then WaitForSingleObject(hHandle, 0) (which, for an auto-reset event, is
 * what consumes it) and GetOverlappedResult. Do not read or write the fd
 * yourself; it belongs to the event and is closed with it (CloseHandle of
 * the last handle). The same fd is returned on every call. Made on first
 * request: events nobody polls make no system call when signalled.
 * Returns -1 on failure: GetLastError() is ERROR_INVALID_HANDLE (not a
 * waitable handle) or ERROR_NO_SYSTEM_RESOURCES (no fd left). */
int WINAPI HilcapGetEventFd(HANDLE hHandle);

#ifdef __cplusplus
} /* extern "C" */

#include <hilcap/frame_info.h>
#include <hilcap/stream_allocator.h>

#include <memory>
#include <string>

namespace hilcap {

// The StreamAllocator behind an allocator HANDLE; nullptr for any other value.
std::shared_ptr<StreamAllocator> stream_allocator_from_handle(HANDLE allocator);

// KsCreateAllocator with the reason for a refusal: `error` names the framing
// field, what was expected and what was found. `connection` is NULL (a
// standalone pool-mode allocator) or a capture pin handle (a capture-mode
// allocator fed by the pin's device).
struct AllocatorCreated {
  NTSTATUS status = STATUS_SUCCESS;
  std::string error;
  HANDLE handle = nullptr;
};
AllocatorCreated create_allocator(HANDLE connection, const KSALLOCATOR_FRAMING& framing);

// The KSPROPERTY_HILCAP_FRAME_HEADER value of a frame from its FrameInfo.
KSHILCAP_FRAME_HEADER ks_frame_header(const FrameInfo& info, void* frame, ULONG frame_extent);

// Told about every overlapped request that completes after it pended: on the
// completing thread, after the OVERLAPPED was written and its event signalled,
// with no lock held. A virtual-time run reacts here instead of waiting. The
// OVERLAPPED pointer identifies the request; it may already be reused.
class KsCompletionObserver {
 public:
  virtual ~KsCompletionObserver() = default;
  virtual void request_completed(HANDLE file, OVERLAPPED* overlapped, NTSTATUS status) = 0;
};

// Installs `observer` process-wide (nullptr removes it); returns the previous.
KsCompletionObserver* set_ks_completion_observer(KsCompletionObserver* observer);

// Installs `observer` for the ALLOCs that pend on one allocator handle from
// now on (nullptr removes it), in place of the process-wide one: each of
// several runs in one process (a parameter sweep's threads) hears only of
// its own requests. False when `allocator` is not an open allocator handle.
bool set_ks_completion_observer(HANDLE allocator, KsCompletionObserver* observer);

// While alive, the calling thread's KS requests are kernel-mode requests (the
// simulator's clients play kernel clients): e.g. the FUNCTIONTABLE property,
// denied to user mode, can be read.
class KernelModeScope {
 public:
  KernelModeScope();
  ~KernelModeScope();
  KernelModeScope(const KernelModeScope&) = delete;
  KernelModeScope& operator=(const KernelModeScope&) = delete;

 private:
  bool previous_;
};

}  // namespace hilcap
#endif
