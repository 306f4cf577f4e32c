// The "device" section when it names a USB camera ("device": {"usb": ...}):
// which camera and how to stream it, and the rules a camera adds to the rest
// of the scenario: it runs on the wall clock (at most an hour, like any
// real-time run), its script cannot inject device faults, and the simulated
// host's settings (dpc_latency_us, verify_frames) do not apply to it.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>

#include "scenario/scenario.h"
#include "scenario/scenario_error.h"

namespace hilcap::sim {

// Whether the scenario's device is a camera ("device": {"usb": "..."}).
bool names_camera(const nlohmann::json& doc);

// The camera a scenario names, or nothing when its device is the simulated
// one. Problems are reported through `checks` at their JSON pointer. (The
// loader bounds a camera run's duration, as any real-time run's.)
std::optional<CameraSpec> read_camera_section(const nlohmann::json& doc, ScenarioChecks& checks);

// A camera's allocator frames are the camera's negotiated
// dwMaxVideoFrameSize (FrameSize 0 until then) unless the scenario sets one.
void camera_framing(const nlohmann::json& doc, KSALLOCATOR_FRAMING& framing);

// "640x480": width and height in 1..65535.
std::optional<std::pair<std::uint16_t, std::uint16_t>> parse_frame_size(std::string_view text);

}  // namespace hilcap::sim
