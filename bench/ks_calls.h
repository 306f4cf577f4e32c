// The two KS calls the real-time benches make the Windows way, as a client
// would: an allocator method (ALLOC / FREE) and the pin's connection state.
#pragma once

#include <hilcap/ks.h>

namespace hilcap::bench {

// KSMETHOD_STREAMALLOCATOR_<id> on `allocator`; `overlapped` may pend it.
inline BOOL ks_method(HANDLE allocator, ULONG id, ULONG flags, PVOID* frame,
                      OVERLAPPED* overlapped) {
  KSMETHOD method{};
  method.Set = KSMETHODSETID_StreamAllocator;
  method.Id = id;
  method.Flags = flags;
  DWORD bytes = 0;
  return DeviceIoControl(allocator, IOCTL_KS_METHOD, &method, sizeof method, frame, sizeof *frame,
                         &bytes, overlapped);
}

// KSPROPERTY_CONNECTION_STATE, set.
inline bool set_pin_state(HANDLE pin, KSSTATE state) {
  KSPROPERTY property{};
  property.Set = KSPROPSETID_Connection;
  property.Id = KSPROPERTY_CONNECTION_STATE;
  property.Flags = KSPROPERTY_TYPE_SET;
  DWORD bytes = 0;
  return DeviceIoControl(pin, IOCTL_KS_PROPERTY, &property, sizeof property, &state, sizeof state,
                         &bytes, nullptr) != FALSE;
}

}  // namespace hilcap::bench
