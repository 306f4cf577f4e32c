#include "runner/device_drops.h"

namespace hilcap::sim {

DropReason drop_reason_of(device::ModelDropReason reason) {
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

DropCounts drops_of(const device::DeviceStats& stats) {
  DropCounts drops;
  for (std::size_t i = 0; i < device::kModelDropReasonCount; ++i) {
    const auto reason = static_cast<device::ModelDropReason>(i);
    drops[drop_reason_of(reason)] += stats.dropped_by(reason);
  }
  return drops;
}

}  // namespace hilcap::sim
