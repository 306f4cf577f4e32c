// Helpers for tests that talk to the allocator the way a Windows KS client
// does: DeviceIoControl with KSMETHOD / KSPROPERTY, OVERLAPPED and events.
#pragma once

#include <hilcap/ks.h>

#include <cstring>

namespace hilcap::test {

// The framing F of reference §8: N frames of S bytes, alignment mask A.
inline KSALLOCATOR_FRAMING framing(ULONG frames = 3, ULONG frame_size = 1000,
                                   ULONG alignment = FILE_64_BYTE_ALIGNMENT) {
  KSALLOCATOR_FRAMING f{};
  f.OptionsFlags = KSALLOCATOR_OPTIONF_SYSTEM_MEMORY;
  f.PoolType = NonPagedPool;
  f.Frames = frames;
  f.FrameSize = frame_size;
  f.FileAlignment = alignment;
  return f;
}

inline KSIDENTIFIER identifier(const GUID& set, ULONG id, ULONG flags) {
  KSIDENTIFIER k{};
  k.Set = set;
  k.Id = id;
  k.Flags = flags;
  return k;
}

inline KSMETHOD alloc_method() {
  return identifier(KSMETHODSETID_StreamAllocator, KSMETHOD_STREAMALLOCATOR_ALLOC,
                    KSMETHOD_TYPE_WRITE);
}

inline KSMETHOD free_method() {
  return identifier(KSMETHODSETID_StreamAllocator, KSMETHOD_STREAMALLOCATOR_FREE,
                    KSMETHOD_TYPE_READ);
}

inline KSPROPERTY status_property(ULONG flags = KSPROPERTY_TYPE_GET) {
  return identifier(KSPROPSETID_StreamAllocator, KSPROPERTY_STREAMALLOCATOR_STATUS, flags);
}

// One overlapped request slot: an OVERLAPPED with its own manual-reset event.
struct Overlapped {
  Overlapped() {
    std::memset(&ov, 0, sizeof(ov));
    ov.hEvent = CreateEvent(nullptr, TRUE, FALSE, nullptr);
  }
  ~Overlapped() { CloseHandle(ov.hEvent); }
  Overlapped(const Overlapped&) = delete;
  Overlapped& operator=(const Overlapped&) = delete;

  bool signalled() const { return WaitForSingleObject(ov.hEvent, 0) == WAIT_OBJECT_0; }

  OVERLAPPED ov;
};

// IOCTL_KS_METHOD / IOCTL_KS_PROPERTY with a typed request.
template <class Request>
BOOL ks_ioctl(HANDLE h, DWORD code, const Request& request, void* out, DWORD out_size,
              DWORD* returned, OVERLAPPED* ov) {
  return DeviceIoControl(h, code, const_cast<Request*>(&request), sizeof(Request), out, out_size,
                         returned, ov);
}

inline BOOL alloc(HANDLE h, PVOID* frame, OVERLAPPED* ov, DWORD* returned = nullptr) {
  DWORD ignored = 0;
  return ks_ioctl(h, IOCTL_KS_METHOD, alloc_method(), frame, sizeof(PVOID),
                  returned ? returned : &ignored, ov);
}

inline BOOL free_frame(HANDLE h, PVOID frame, DWORD* returned = nullptr) {
  Overlapped done;
  DWORD ignored = 0;
  return ks_ioctl(h, IOCTL_KS_METHOD, free_method(), &frame, sizeof(PVOID),
                  returned ? returned : &ignored, &done.ov);
}

inline KSSTREAMALLOCATOR_STATUS status(HANDLE h) {
  KSSTREAMALLOCATOR_STATUS s{};
  DWORD returned = 0;
  ks_ioctl(h, IOCTL_KS_PROPERTY, status_property(), &s, sizeof(s), &returned, nullptr);
  return s;
}

// An allocator handle closed at the end of the test.
class Allocator {
 public:
  explicit Allocator(const KSALLOCATOR_FRAMING& f = framing()) {
    error_ = KsCreateAllocator(nullptr, &f, &handle_);
  }
  ~Allocator() {
    if (handle_ != nullptr) CloseHandle(handle_);
  }
  Allocator(const Allocator&) = delete;
  Allocator& operator=(const Allocator&) = delete;

  HANDLE get() const { return handle_; }
  DWORD create_error() const { return error_; }
  // Closes now; the destructor then does nothing.
  BOOL close() {
    const BOOL ok = CloseHandle(handle_);
    handle_ = nullptr;
    return ok;
  }

 private:
  HANDLE handle_ = nullptr;
  DWORD error_ = ERROR_SUCCESS;
};

}  // namespace hilcap::test
