// The kernel-like objects a HANDLE can name (allocator file object, event,
// thread, capture pin, capture filter), with the operations the Win32 calls route to them.
#pragma once

#include <hilcap/ks.h>

#include <cstdint>
#include <memory>

namespace hilcap::ks {

class Event;
struct IoctlCall;

// What a request handler answers: the IO_STATUS_BLOCK of the request.
// STATUS_PENDING means the handler queued the request; its IoCompletion will
// deliver the final status.
struct IoOutcome {
  NTSTATUS status = STATUS_SUCCESS;
  ULONG_PTR information = 0;
};

// Which pending requests a cancel reaches.
struct CancelScope {
  enum class Kind {
    kOverlapped,         // CancelIoEx(h, overlapped)
    kThread,             // CancelIo(h): the calling thread's requests
    kAll,                // CancelIoEx(h, NULL)
    kThreadSynchronous,  // CancelSynchronousIo: the thread's blocking call
  };
  Kind kind = Kind::kAll;
  const OVERLAPPED* overlapped = nullptr;
  DWORD thread_id = 0;
};

// What an object is, so that a handle's type is checked with one compare
// (HandleTable::lookup_as) rather than a dynamic_cast on every call.
enum class ObjectType : std::uint8_t { kAllocator, kEvent, kThread, kPin, kFilter };

class KernelObject : public std::enable_shared_from_this<KernelObject> {
 public:
  explicit KernelObject(ObjectType type) : type_(type) {}
  virtual ~KernelObject() = default;
  KernelObject(const KernelObject&) = delete;
  KernelObject& operator=(const KernelObject&) = delete;

  ObjectType type() const { return type_; }

  // DeviceIoControl on the object. Default: the object handles no IOCTL.
  virtual IoOutcome device_io_control(const IoctlCall& call);
  // Cancels the pending requests in `scope`; true when there was one.
  virtual bool cancel_io(const CancelScope& scope);
  // The handle was closed (IRP_MJ_CLEANUP): end whatever is pending.
  virtual void close() {}
  // What waiting on the handle waits for; nullptr when it is not waitable.
  // Lives as long as the object.
  virtual Event* signal_event();

 private:
  const ObjectType type_;
};

}  // namespace hilcap::ks
