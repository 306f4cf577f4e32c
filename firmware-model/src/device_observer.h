// Optional hooks for traces: the device calls them as things happen, with the
// device time. Unset (nullptr), they cost one pointer test each. They run under
// the device's lock, on whatever thread drives the device: an observer must
// not call back into the device.
#pragma once

#include <hilcap/device/control.h>
#include <hilcap/device/ring_entries.h>
#include <hilcap/device_internal.h>

#include <cstdint>

#include "device_config.h"
#include "device_stats.h"

namespace hilcap::device {

class DeviceObserver {
 public:
  virtual ~DeviceObserver() = default;

  virtual void on_state_change(TimeNs /*now*/, PinState /*from*/, PinState /*to*/) {}
  // A grid tick in RUN; `frame` is its grid number, `sequence` its sequence number.
  virtual void on_frame_due(TimeNs /*now*/, std::uint64_t /*frame*/, std::uint64_t /*sequence*/) {}
  // The frame got a buffer and its DMA started.
  virtual void on_frame_produced(TimeNs /*now*/, std::uint64_t /*sequence*/,
                                 std::uint32_t /*buffer_id*/) {}
  // A completion was posted (DMA done, or a buffer handed back).
  virtual void on_completion(TimeNs /*now*/, const CompletionEntry& /*entry*/) {}
  virtual void on_drop(TimeNs /*now*/, std::uint64_t /*sequence*/, ModelDropReason /*reason*/) {}
  // The interrupt line was raised.
  virtual void on_interrupt(TimeNs /*now*/) {}
  virtual void on_fault(TimeNs /*now*/, FaultKind /*kind*/) {}
};

}  // namespace hilcap::device
