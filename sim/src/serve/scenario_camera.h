// The one place a scenario's device becomes a UVC camera: its device section
// (format, size, frame rate, timing, faults) presented as its "device.uvc"
// says (bulk or isochronous, UVC version, speed, MJPEG, UVC-level faults),
// behaving as a camera does (frames paced on the steady clock, an error frame
// sent with its pixels and ERR, a frame the host did not read in time
// overwritten by the next). `hilcap serve` serves it over usbredir,
// `hilcap-fake-cameras --scenario` under umockdev: the same ModelCamera, a
// UsbDevice either bus carries.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "model_camera.h"
#include "scenario/scenario.h"

namespace hilcap::sim {

struct ScenarioCamera {
  std::unique_ptr<device::uvc::ModelCamera> camera;  // null when `errors` is not empty
  std::vector<std::string> errors;                   // each "FILE: what, expected, found"
};

ScenarioCamera make_scenario_camera(const Scenario& scenario);

}  // namespace hilcap::sim
