// The device model's account of its own drops (DeviceStats, by the model's
// device::ModelDropReason) in the host's vocabulary (<hilcap/frame_fate.h>): the
// one mapping from the model's reasons, for the report and the trace.
#pragma once

#include <hilcap/frame_fate.h>

#include <array>

#include "device_stats.h"

namespace hilcap::sim {

// The reasons the device model gives, in its order.
inline constexpr std::array<DropReason, device::kModelDropReasonCount> kDeviceModelDropReasons{
    DropReason::kStarvation, DropReason::kBufferRejected, DropReason::kScheduled,
    DropReason::kRandom,     DropReason::kStall,          DropReason::kCompletionRingFull,
    DropReason::kAborted,
};

DropReason drop_reason_of(device::ModelDropReason reason);

// The model's drops so far, by reason.
DropCounts drops_of(const device::DeviceStats& stats);

}  // namespace hilcap::sim
