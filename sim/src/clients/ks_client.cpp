#include "clients/ks_client.h"

#include <hilcap/ks_extensions.h>

#include <stdexcept>

#include "scenario/status_names.h"

namespace hilcap::sim {
namespace {

KSMETHOD allocator_method(ULONG id, ULONG flags) {
  KSMETHOD method{};
  method.Set = KSMETHODSETID_StreamAllocator;
  method.Id = id;
  method.Flags = flags;
  return method;
}

}  // namespace

KsClient::KsClient(std::string name, ClientEnvironment& environment)
    : name_(std::move(name)),
      environment_(environment),
      free_event_(CreateEvent(nullptr, TRUE, FALSE, nullptr)) {
  if (free_event_ == nullptr) throw std::runtime_error("CreateEvent failed");
}

KsClient::~KsClient() {
  CloseHandle(free_event_);
}

NTSTATUS KsClient::alloc(KsRequest& request) {
  KSMETHOD method = allocator_method(KSMETHOD_STREAMALLOCATOR_ALLOC, KSMETHOD_TYPE_WRITE);
  request.overlapped.Internal = 0;
  request.overlapped.InternalHigh = 0;
  request.frame = nullptr;
  request.issued_at = scheduler().now();
  request.serial = next_serial();
  request.pending = true;  // before the call: nothing may complete it unseen
  DWORD returned = 0;
  NTSTATUS status = STATUS_SUCCESS;
  if (!DeviceIoControl(environment_.allocator, IOCTL_KS_METHOD, &method, sizeof(method),
                       &request.frame, sizeof(request.frame), &returned, &request.overlapped)) {
    status = status_from_win32_error(GetLastError());
  }
  // A pended request stays marked: the completion path may already have
  // cleared the mark on another thread (real time).
  if (status != STATUS_PENDING) request.pending = false;
  if (status == STATUS_SUCCESS) {
    ++figures_.immediate;
    ++figures_.frames;
  } else if (status == STATUS_PENDING) {
    ++figures_.pended;
  } else {
    ++figures_.refused;
  }
  events().alloc_issued(*this, request, status);
  if (status == STATUS_SUCCESS) received(request.frame);
  return status;
}

NTSTATUS KsClient::free(void* frame) {
  KSMETHOD method = allocator_method(KSMETHOD_STREAMALLOCATOR_FREE, KSMETHOD_TYPE_READ);
  OVERLAPPED overlapped{};
  overlapped.hEvent = free_event_;
  DWORD returned = 0;
  NTSTATUS status = STATUS_SUCCESS;
  if (!DeviceIoControl(environment_.allocator, IOCTL_KS_METHOD, &method, sizeof(method), &frame,
                       sizeof(frame), &returned, &overlapped)) {
    status = status_from_win32_error(GetLastError());
  }
  ++(status == STATUS_SUCCESS ? figures_.frees : figures_.invalid_frees);
  events().frame_freed(*this, frame, status);
  return status;
}

bool KsClient::cancel(KsRequest* request) {
  const bool found =
      CancelIoEx(environment_.allocator, request ? &request->overlapped : nullptr) != FALSE;
  if (found) ++figures_.cancels;
  events().cancel_issued(*this, request, found);
  return found;
}

NTSTATUS KsClient::close_allocator() {
  const NTSTATUS status = CloseHandle(environment_.allocator)
                              ? STATUS_SUCCESS
                              : status_from_win32_error(GetLastError());
  events().allocator_closed(*this, status);
  return status;
}

void KsClient::received(void* frame) {
  events().frame_received(*this, frame);
  if (!frame_headers_) return;
  KSP_HILCAP_FRAME query{};
  query.Property.Set = KSPROPSETID_HilcapFrame;
  query.Property.Id = KSPROPERTY_HILCAP_FRAME_HEADER;
  query.Property.Flags = KSPROPERTY_TYPE_GET;
  query.Frame = frame;
  KSHILCAP_FRAME_HEADER header{};
  DWORD returned = 0;
  if (!DeviceIoControl(environment_.allocator, IOCTL_KS_PROPERTY, &query, sizeof(query), &header,
                       sizeof(header), &returned, nullptr)) {
    ++figures_.header_reads_failed;
    return;
  }
  const ULONG flags = header.Header.OptionsFlags;
  if ((flags & KSSTREAM_HEADER_OPTIONSF_DATADISCONTINUITY) != 0) ++figures_.discontinuities;
  if ((flags & KSSTREAM_HEADER_OPTIONSF_HILCAP_ERROR) != 0) ++figures_.error_frames;
}

void KsClient::request_ended(KsRequest& request) {
  const auto status = static_cast<NTSTATUS>(static_cast<ULONG>(request.overlapped.Internal));
  if (request.cancel_timer != 0) {
    scheduler().cancel(request.cancel_timer);
    request.cancel_timer = 0;
  }
  if (status == STATUS_SUCCESS) {
    ++figures_.completed;
    ++figures_.frames;
  } else if (status == STATUS_CANCELLED) {
    ++figures_.cancelled;
  } else {
    ++figures_.failed;
  }
  events().alloc_completed(*this, request, status);
  if (status == STATUS_SUCCESS) received(request.frame);
  on_request_ended(request, status);
}

}  // namespace hilcap::sim
