#include "kernel_object.h"

#include "event.h"

namespace hilcap::ks {

IoOutcome KernelObject::device_io_control(const IoctlCall&) {
  return {STATUS_INVALID_DEVICE_REQUEST, 0};
}

bool KernelObject::cancel_io(const CancelScope&) {
  return false;
}

std::shared_ptr<Event> KernelObject::signal_event() {
  return nullptr;
}

}  // namespace hilcap::ks
