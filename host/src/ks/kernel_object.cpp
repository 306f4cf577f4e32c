#include "kernel_object.h"

namespace hilcap::ks {

IoOutcome KernelObject::device_io_control(const IoctlCall&) {
  return {STATUS_INVALID_DEVICE_REQUEST, 0};
}

bool KernelObject::cancel_io(const CancelScope&) {
  return false;
}

Event* KernelObject::signal_event() {
  return nullptr;
}

}  // namespace hilcap::ks
