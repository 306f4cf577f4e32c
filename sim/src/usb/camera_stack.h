// The device under test when a scenario names a USB camera ("device":
// {"usb": ...}): the camera opened through libusb and negotiated (PROBE /
// COMMIT), the host's capture pin on it (uvc::open_camera_pin: the same
// CapturePin as on the model) and the pin's allocator. What the camera sends
// is timed at the host (arrival.*: interval, jitter, latency from its PTS,
// gaps, stalls) and drawn in the trace; an unplugged camera ends the run.
#pragma once

#include <cstdint>

#include "cli/scenario_runner.h"
#include "runner/capture_stack.h"
#include "scenario/scenario.h"

namespace hilcap::sim {

// `epoch_ns`: the run's time 0 on CLOCK_MONOTONIC. A camera that cannot be
// opened or streamed is `unavailable`, with the reason (what is present,
// the udev rule, what formats are offered...). A build without libusb says so.
CaptureStack::Created open_camera_stack(const Scenario& scenario, const RunOptions& options,
                                        std::int64_t epoch_ns);

}  // namespace hilcap::sim
