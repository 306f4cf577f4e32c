// The Win32 / ksuser entry points of <hilcap/ks.h>: each resolves its handles
// and routes to the kernel object, then reports the outcome the Windows way
// (reference §5): TRUE, or FALSE with GetLastError().
#include <hilcap/ks.h>
#include <hilcap/ks_extensions.h>
#include <hilcap/ks_filter.h>

#include "allocator_object.h"
#include "event.h"
#include "filter_object.h"
#include "handle_table.h"
#include "io_completion.h"
#include "nt_status.h"
#include "pin_object.h"
#include "thread_object.h"

namespace hilcap {
namespace {

using ks::HandleTable;

thread_local DWORD t_last_error = ERROR_SUCCESS;

BOOL fail(DWORD error) {
  t_last_error = error;
  return FALSE;
}

BOOL fail_status(NTSTATUS status) {
  return fail(ks::win32_error_from_ntstatus(status));
}

// The event a request signals: the OVERLAPPED's hEvent (its low bit only
// tells Windows to skip the completion port), or, when that is NULL, the
// file's own (see event_of).
HANDLE event_handle(const OVERLAPPED& overlapped) {
  return reinterpret_cast<HANDLE>(reinterpret_cast<std::uintptr_t>(overlapped.hEvent) &
                                  ~std::uintptr_t{1});
}

// Looks the event handle up (nothing for NULL); built in place by the caller.
HandleTable::Ref<ks::Event> lookup_event(HANDLE event) {
  return event == nullptr ? HandleTable::Ref<ks::Event>()
                          : HandleTable::instance().lookup_as<ks::Event>(event);
}

// The event a request on `file` signals; nullptr when hEvent is not an event.
ks::Event* event_of(HANDLE event, const HandleTable::Ref<ks::Event>& event_ref,
                    ks::KernelObject& file) {
  return event == nullptr ? file.signal_event() : event_ref.get();
}

HANDLE create_event(BOOL manual_reset, BOOL initial_state, bool named) {
  if (named) {
    fail(ERROR_NOT_SUPPORTED);
    return nullptr;
  }
  HANDLE handle = HandleTable::instance().insert(std::make_shared<ks::Event>(
      manual_reset ? ks::Event::ResetMode::kManual : ks::Event::ResetMode::kAuto,
      initial_state != FALSE));
  if (handle == nullptr) fail(ERROR_NO_SYSTEM_RESOURCES);
  return handle;
}

BOOL get_overlapped_result(HANDLE file_handle, LPOVERLAPPED overlapped, LPDWORD bytes, BOOL wait,
                           std::uint32_t spin_us) {
  const auto file = HandleTable::instance().lookup(file_handle);
  if (!file || overlapped == nullptr) return fail(ERROR_INVALID_HANDLE);
  auto internal = [overlapped] {
    return static_cast<DWORD>(
        std::atomic_ref(overlapped->Internal).load(std::memory_order_acquire));
  };
  if (internal() == static_cast<DWORD>(STATUS_PENDING)) {
    if (!wait) return fail(ERROR_IO_INCOMPLETE);
    const HANDLE event_handle = hilcap::event_handle(*overlapped);
    const HandleTable::Ref<ks::Event> event_ref = lookup_event(event_handle);
    ks::Event* const event = event_of(event_handle, event_ref, *file);
    if (event == nullptr) return fail(ERROR_INVALID_HANDLE);
    while (internal() == static_cast<DWORD>(STATUS_PENDING))
      event->wait(INFINITE, spin_us);
  }
  const auto status = static_cast<NTSTATUS>(internal());
  if (bytes != nullptr) {
    *bytes = static_cast<DWORD>(
        std::atomic_ref(overlapped->InternalHigh).load(std::memory_order_relaxed));
  }
  if (NT_SUCCESS(status)) return TRUE;
  return fail_status(status);
}

DWORD wait_for(HANDLE handle, DWORD milliseconds, std::uint32_t spin_us) {
  const auto object = HandleTable::instance().lookup(handle);
  ks::Event* const event = object ? object->signal_event() : nullptr;
  if (event == nullptr) {
    fail(ERROR_INVALID_HANDLE);
    return WAIT_FAILED;
  }
  return event->wait(milliseconds, spin_us) ? WAIT_OBJECT_0 : WAIT_TIMEOUT;
}

BOOL cancel(HANDLE file, const ks::CancelScope& scope, bool report_not_found) {
  const auto object = HandleTable::instance().lookup(file);
  if (!object) return fail(ERROR_INVALID_HANDLE);
  if (!object->cancel_io(scope) && report_not_found) return fail(ERROR_NOT_FOUND);
  return TRUE;
}

}  // namespace

std::shared_ptr<StreamAllocator> stream_allocator_from_handle(HANDLE allocator) {
  const auto object = ks::HandleTable::instance().lookup_as<ks::AllocatorObject>(allocator);
  return object ? object->allocator() : nullptr;
}

AllocatorCreated create_allocator(HANDLE connection, const KSALLOCATOR_FRAMING& framing) {
  StreamAllocator::Created created;
  if (connection == nullptr) {
    created = StreamAllocator::create(framing);
  } else {
    const auto pin = HandleTable::instance().lookup_as<ks::PinObject>(connection);
    if (!pin) {
      return {STATUS_INVALID_HANDLE,
              "ConnectionHandle: expected NULL or a capture pin handle, found another value",
              nullptr};
    }
    created = pin->driver()->create_allocator(framing);
  }
  if (created.status != STATUS_SUCCESS) return {created.status, std::move(created.error), nullptr};
  HANDLE handle = HandleTable::instance().insert(
      std::make_shared<ks::AllocatorObject>(std::move(created.allocator)));
  if (handle == nullptr) {
    return {STATUS_INSUFFICIENT_RESOURCES, "AllocatorHandle: no handle left", nullptr};
  }
  return {STATUS_SUCCESS, {}, handle};
}

}  // namespace hilcap

using hilcap::fail;
using hilcap::fail_status;
using hilcap::ks::HandleTable;

extern "C" {

DWORD WINAPI KsCreateAllocator(HANDLE ConnectionHandle, const KSALLOCATOR_FRAMING* AllocatorFraming,
                               PHANDLE AllocatorHandle) {
  if (AllocatorFraming == nullptr || AllocatorHandle == nullptr) return ERROR_INVALID_PARAMETER;
  const hilcap::AllocatorCreated created =
      hilcap::create_allocator(ConnectionHandle, *AllocatorFraming);
  if (created.status != STATUS_SUCCESS) {
    return hilcap::ks::win32_error_from_ntstatus(created.status);
  }
  *AllocatorHandle = created.handle;
  return ERROR_SUCCESS;
}

DWORD WINAPI KsCreatePin(HANDLE FilterHandle, PKSPIN_CONNECT Connect, ACCESS_MASK DesiredAccess,
                         PHANDLE ConnectionHandle) {
  if (Connect == nullptr || ConnectionHandle == nullptr) return ERROR_INVALID_PARAMETER;
  const auto filter = HandleTable::instance().lookup_as<hilcap::ks::FilterObject>(FilterHandle);
  if (!filter) return ERROR_INVALID_HANDLE;
  HANDLE pin = nullptr;
  const NTSTATUS status = filter->create_pin(*Connect, DesiredAccess, pin);
  if (status != STATUS_SUCCESS) return hilcap::ks::win32_error_from_ntstatus(status);
  *ConnectionHandle = pin;
  return ERROR_SUCCESS;
}

HRESULT WINAPI KsCreatePin2(HANDLE FilterHandle, PKSPIN_CONNECT Connect, ACCESS_MASK DesiredAccess,
                            PHANDLE ConnectionHandle) {
  return HRESULT_FROM_WIN32(KsCreatePin(FilterHandle, Connect, DesiredAccess, ConnectionHandle));
}

HRESULT WINAPI KsCreateAllocator2(HANDLE ConnectionHandle,
                                  const KSALLOCATOR_FRAMING* AllocatorFraming,
                                  PHANDLE AllocatorHandle) {
  return HRESULT_FROM_WIN32(KsCreateAllocator(ConnectionHandle, AllocatorFraming, AllocatorHandle));
}

BOOL WINAPI DeviceIoControl(HANDLE hDevice, DWORD dwIoControlCode, LPVOID lpInBuffer,
                            DWORD nInBufferSize, LPVOID lpOutBuffer, DWORD nOutBufferSize,
                            LPDWORD lpBytesReturned, LPOVERLAPPED lpOverlapped) {
  using namespace hilcap::ks;
  const auto file = HandleTable::instance().lookup(hDevice);
  if (!file) return fail(ERROR_INVALID_HANDLE);
  SynchronousResult blocked;
  const HANDLE event_handle =
      lpOverlapped != nullptr ? hilcap::event_handle(*lpOverlapped) : nullptr;
  const HandleTable::Ref<Event> event_ref = hilcap::lookup_event(event_handle);
  IoctlCall call{hDevice,     dwIoControlCode, lpInBuffer, nInBufferSize,
                 lpOutBuffer, nOutBufferSize,  {}};
  if (lpOverlapped != nullptr) {
    Event* const event = hilcap::event_of(event_handle, event_ref, *file);
    if (event_handle != nullptr && event == nullptr) return fail(ERROR_INVALID_HANDLE);
    call.completion = IoCompletion::overlapped(hDevice, lpOverlapped, event);
  } else {
    call.completion = IoCompletion::synchronous(*file, &blocked);
  }

  IoOutcome outcome = file->device_io_control(call);

  if (lpOverlapped == nullptr) {
    if (outcome.status == STATUS_PENDING) {
      ThreadObject& thread = ThreadObject::current();
      while (!blocked.done.load(std::memory_order_acquire))
        thread.io_completed().wait(INFINITE);
      thread.end_synchronous_io();
      outcome = blocked.outcome;
    }
  } else if (outcome.status == STATUS_PENDING) {
    return fail(ERROR_IO_PENDING);
  } else if (!NT_ERROR(outcome.status)) {
    call.completion.complete_at_once(outcome);
  }

  if (lpBytesReturned != nullptr) {
    *lpBytesReturned = NT_ERROR(outcome.status) ? 0 : static_cast<DWORD>(outcome.information);
  }
  if (NT_SUCCESS(outcome.status)) return TRUE;
  return fail_status(outcome.status);
}

BOOL WINAPI GetOverlappedResult(HANDLE hFile, LPOVERLAPPED lpOverlapped,
                                LPDWORD lpNumberOfBytesTransferred, BOOL bWait) {
  return hilcap::get_overlapped_result(hFile, lpOverlapped, lpNumberOfBytesTransferred, bWait,
                                       hilcap::ks::wait_spin_budget_us());
}

BOOL WINAPI HilcapGetOverlappedResultSpin(HANDLE hFile, LPOVERLAPPED lpOverlapped,
                                          LPDWORD lpNumberOfBytesTransferred,
                                          DWORD dwSpinMicroseconds) {
  return hilcap::get_overlapped_result(hFile, lpOverlapped, lpNumberOfBytesTransferred, TRUE,
                                       dwSpinMicroseconds);
}

BOOL WINAPI CancelIo(HANDLE hFile) {
  return hilcap::cancel(hFile,
                        {.kind = hilcap::ks::CancelScope::Kind::kThread,
                         .thread_id = hilcap::ks::ThreadObject::current().id()},
                        false);
}

BOOL WINAPI CancelIoEx(HANDLE hFile, LPOVERLAPPED lpOverlapped) {
  using Kind = hilcap::ks::CancelScope::Kind;
  return hilcap::cancel(
      hFile, {.kind = lpOverlapped ? Kind::kOverlapped : Kind::kAll, .overlapped = lpOverlapped},
      true);
}

BOOL WINAPI CancelSynchronousIo(HANDLE hThread) {
  const auto thread = HandleTable::instance().lookup_as<hilcap::ks::ThreadObject>(hThread);
  if (!thread) return fail(ERROR_INVALID_HANDLE);
  if (!thread->cancel_synchronous_io()) return fail(ERROR_NOT_FOUND);
  return TRUE;
}

BOOL WINAPI CloseHandle(HANDLE hObject) {
  const auto object = HandleTable::instance().remove(hObject);
  if (!object) return fail(ERROR_INVALID_HANDLE);
  object->close();
  return TRUE;
}

DWORD WINAPI GetLastError(void) {
  return hilcap::t_last_error;
}

void WINAPI SetLastError(DWORD dwErrCode) {
  hilcap::t_last_error = dwErrCode;
}

DWORD WINAPI GetCurrentThreadId(void) {
  return hilcap::ks::ThreadObject::current().id();
}

HANDLE WINAPI OpenThread(DWORD, BOOL, DWORD dwThreadId) {
  auto thread = hilcap::ks::ThreadObject::find(dwThreadId);
  if (!thread) {
    fail(ERROR_INVALID_PARAMETER);
    return nullptr;
  }
  HANDLE handle = HandleTable::instance().insert(std::move(thread));
  if (handle == nullptr) fail(ERROR_NO_SYSTEM_RESOURCES);
  return handle;
}

HANDLE WINAPI CreateEventA(LPSECURITY_ATTRIBUTES, BOOL bManualReset, BOOL bInitialState,
                           LPCSTR lpName) {
  return hilcap::create_event(bManualReset, bInitialState, lpName != nullptr);
}

HANDLE WINAPI CreateEventW(LPSECURITY_ATTRIBUTES, BOOL bManualReset, BOOL bInitialState,
                           LPCWSTR lpName) {
  return hilcap::create_event(bManualReset, bInitialState, lpName != nullptr);
}

BOOL WINAPI SetEvent(HANDLE hEvent) {
  const auto event = HandleTable::instance().lookup_as<hilcap::ks::Event>(hEvent);
  if (!event) return fail(ERROR_INVALID_HANDLE);
  event->set();
  return TRUE;
}

BOOL WINAPI ResetEvent(HANDLE hEvent) {
  const auto event = HandleTable::instance().lookup_as<hilcap::ks::Event>(hEvent);
  if (!event) return fail(ERROR_INVALID_HANDLE);
  event->reset();
  return TRUE;
}

DWORD WINAPI WaitForSingleObject(HANDLE hHandle, DWORD dwMilliseconds) {
  return hilcap::wait_for(hHandle, dwMilliseconds, hilcap::ks::wait_spin_budget_us());
}

DWORD WINAPI HilcapWaitForSingleObjectSpin(HANDLE hHandle, DWORD dwMilliseconds,
                                           DWORD dwSpinMicroseconds) {
  return hilcap::wait_for(hHandle, dwMilliseconds, dwSpinMicroseconds);
}

DWORD WINAPI HilcapSetWaitSpinBudget(DWORD Microseconds) {
  return hilcap::ks::set_wait_spin_budget_us(Microseconds);
}

int WINAPI HilcapGetEventFd(HANDLE hHandle) {
  const auto object = HandleTable::instance().lookup(hHandle);
  hilcap::ks::Event* const event = object ? object->signal_event() : nullptr;
  if (event == nullptr) {
    fail(ERROR_INVALID_HANDLE);
    return -1;
  }
  const int fd = event->pollable_fd();
  if (fd < 0) fail(ERROR_NO_SYSTEM_RESOURCES);
  return fd;
}

}  // extern "C"
