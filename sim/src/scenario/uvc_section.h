// How a scenario's device appears on USB when `hilcap serve` serves it as a
// UVC camera: "device.uvc" (transport, UVC version, speed, ids, payload size,
// MJPEG quality, status interrupt endpoint, reconnect after a disconnect,
// UVC-level faults) and "device.format": "MJPEG". The presentation's own
// rules (a frame that isochronous transfers cannot carry, an endpoint halt on
// an isochronous endpoint) are reported at their JSON pointers.
#pragma once

#include <nlohmann/json.hpp>

#include "device_config.h"
#include "model_frame_source.h"
#include "scenario/scenario_error.h"

namespace hilcap::sim {

// Reads `doc["device"]["uvc"]` (defaults where absent) and whether
// "device.format" is "MJPEG".
device::uvc::UvcPresentation read_uvc_section(const nlohmann::json& doc, ScenarioChecks& checks);

// The scenario says how its device appears on USB ("device.uvc", or
// "device.format": "MJPEG").
bool presents_on_usb(const nlohmann::json& doc);

// The checks of a presentation against its device (uvc_config_for), with
// each error at the JSON pointer of what to change.
void check_uvc_presentation(const device::DeviceConfig& device,
                            const device::uvc::UvcPresentation& presentation,
                            ScenarioChecks& checks);

// The same errors as messages without a file, for a scenario already loaded
// (`hilcap serve` on a scenario with no "device.uvc": the defaults may not fit).
std::vector<std::string> uvc_presentation_errors(const device::DeviceConfig& device,
                                                 const device::uvc::UvcPresentation& presentation);

}  // namespace hilcap::sim
