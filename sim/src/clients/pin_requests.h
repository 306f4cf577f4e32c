// Property requests on a KS pin handle, made the Windows way
// (DeviceIoControl(IOCTL_KS_PROPERTY)): the connection state and the
// dropped-frame counters.
#pragma once

#include <hilcap/device/control.h>
#include <hilcap/ks.h>

namespace hilcap::sim {

KSSTATE to_ksstate(device::PinState state);

// KSPROPERTY_CONNECTION_STATE, set: the NTSTATUS of the outcome.
NTSTATUS set_pin_state(HANDLE pin, KSSTATE state);
// KSPROPERTY_CONNECTION_STATE, get.
NTSTATUS get_pin_state(HANDLE pin, KSSTATE& state);
device::PinState to_pin_state(KSSTATE state);

// KSPROPERTY_DROPPEDFRAMES_CURRENT, get.
NTSTATUS get_dropped_frames(HANDLE pin, KSPROPERTY_DROPPEDFRAMES_CURRENT_S& counters);

}  // namespace hilcap::sim
