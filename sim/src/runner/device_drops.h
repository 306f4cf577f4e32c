// The device model's account of its own drops (DeviceStats, by the model's
// device::ModelDropReason) in the host's vocabulary (<hilcap/frame_fate.h>): the
// one mapping from the model's reasons, for the report and the trace.
#pragma once

#include <hilcap/frame_fate.h>

#include <array>
#include <cstddef>

#include "device_stats.h"

namespace hilcap::sim {

// The one mapping: each of the model's reasons is the host's reason of the
// same name (a switch, so that a reason added to the model without a case
// here is a -Wswitch error).
constexpr DropReason drop_reason_of(device::ModelDropReason reason) {
  switch (reason) {
    case device::ModelDropReason::kStarvation:
      return DropReason::kStarvation;
    case device::ModelDropReason::kBufferRejected:
      return DropReason::kBufferRejected;
    case device::ModelDropReason::kScheduled:
      return DropReason::kScheduled;
    case device::ModelDropReason::kRandom:
      return DropReason::kRandom;
    case device::ModelDropReason::kStall:
      return DropReason::kStall;
    case device::ModelDropReason::kCompletionRingFull:
      return DropReason::kCompletionRingFull;
    case device::ModelDropReason::kAborted:
      break;
  }
  return DropReason::kAborted;
}

// The reasons the device model gives, in its order (the report lists these).
inline constexpr std::array<DropReason, device::kModelDropReasonCount> kDeviceModelDropReasons =
    [] {
      std::array<DropReason, device::kModelDropReasonCount> reasons{};
      for (std::size_t i = 0; i < reasons.size(); ++i)
        reasons[i] = drop_reason_of(static_cast<device::ModelDropReason>(i));
      return reasons;
    }();

// The model's drops so far, by reason.
DropCounts drops_of(const device::DeviceStats& stats);

}  // namespace hilcap::sim
