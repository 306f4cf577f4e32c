// The "allocator" section of a scenario: the KSALLOCATOR_FRAMING the host
// passes to KsCreateAllocator on the capture pin, its defaults taken from
// the device. Checked here as the pin will check it (every frame of the pool
// posted on the device's ring, each frame large enough for one of the
// device's frames), so that `validate` finds what `run` would refuse, and
// against the pool limit (limits.max_pool_bytes), each at the exact pointer.
#pragma once

#include <hilcap/ks.h>

#include <nlohmann/json.hpp>

#include "device_config.h"
#include "scenario/run_limits.h"
#include "scenario/scenario_error.h"

namespace hilcap::sim {

// `device_usable`: the device section was read without wrong values, so its
// ring depth and frame size can be weighed against the allocator's.
KSALLOCATOR_FRAMING read_allocator_section(const nlohmann::json& doc,
                                           const device::DeviceConfig& device, bool device_usable,
                                           const RunLimits& limits, ScenarioChecks& checks);

}  // namespace hilcap::sim
