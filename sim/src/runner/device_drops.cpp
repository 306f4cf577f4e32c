#include "runner/device_drops.h"

namespace hilcap::sim {

DropCounts drops_of(const device::DeviceStats& stats) {
  DropCounts drops;
  for (std::size_t i = 0; i < device::kModelDropReasonCount; ++i) {
    const auto reason = static_cast<device::ModelDropReason>(i);
    drops[drop_reason_of(reason)] += stats.dropped_by(reason);
  }
  return drops;
}

}  // namespace hilcap::sim
