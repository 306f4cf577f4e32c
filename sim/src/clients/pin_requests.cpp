#include "clients/pin_requests.h"

#include "scenario/status_names.h"

namespace hilcap::sim {
namespace {

NTSTATUS outcome(BOOL ok) {
  return ok ? STATUS_SUCCESS : status_from_win32_error(GetLastError());
}

// KSPROPERTY_CONNECTION_STATE, set or get: the value travels in the output buffer.
NTSTATUS connection_state(HANDLE pin, ULONG flags, KSSTATE& state) {
  KSPROPERTY property{};
  property.Set = KSPROPSETID_Connection;
  property.Id = KSPROPERTY_CONNECTION_STATE;
  property.Flags = flags;
  DWORD returned = 0;
  return outcome(DeviceIoControl(pin, IOCTL_KS_PROPERTY, &property, sizeof(property), &state,
                                 sizeof(state), &returned, nullptr));
}

}  // namespace

KSSTATE to_ksstate(device::PinState state) {
  switch (state) {
    case device::PinState::kStop:
      return KSSTATE_STOP;
    case device::PinState::kAcquire:
      return KSSTATE_ACQUIRE;
    case device::PinState::kPause:
      return KSSTATE_PAUSE;
    case device::PinState::kRun:
      return KSSTATE_RUN;
  }
  return KSSTATE_STOP;
}

NTSTATUS set_pin_state(HANDLE pin, KSSTATE state) {
  return connection_state(pin, KSPROPERTY_TYPE_SET, state);
}

NTSTATUS get_pin_state(HANDLE pin, KSSTATE& state) {
  return connection_state(pin, KSPROPERTY_TYPE_GET, state);
}

device::PinState to_pin_state(KSSTATE state) {
  // The two list the states in the same order (hilcap/device/control.h).
  return state <= KSSTATE_RUN ? static_cast<device::PinState>(state) : device::PinState::kStop;
}

NTSTATUS get_dropped_frames(HANDLE pin, KSPROPERTY_DROPPEDFRAMES_CURRENT_S& counters) {
  counters = {};
  counters.Property.Set = PROPSETID_VIDCAP_DROPPEDFRAMES;
  counters.Property.Id = KSPROPERTY_DROPPEDFRAMES_CURRENT;
  counters.Property.Flags = KSPROPERTY_TYPE_GET;
  KSPROPERTY_DROPPEDFRAMES_CURRENT_S request = counters;
  DWORD returned = 0;
  return outcome(DeviceIoControl(pin, IOCTL_KS_PROPERTY, &request, sizeof(request), &counters,
                                 sizeof(counters), &returned, nullptr));
}

}  // namespace hilcap::sim
