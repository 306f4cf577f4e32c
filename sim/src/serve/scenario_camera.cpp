#include "serve/scenario_camera.h"

#include <fmt/format.h>

#include "scenario/uvc_section.h"

namespace hilcap::sim {

ScenarioCamera make_scenario_camera(const Scenario& scenario) {
  ScenarioCamera made;
  for (const std::string& e : uvc_presentation_errors(scenario.device, scenario.uvc))
    made.errors.push_back(fmt::format("{}: {}", scenario.file, e));
  if (!made.errors.empty()) return made;
  const device::uvc::ModelFrameBehaviour behaviour{device::uvc::Pacing::kRealTime,
                                                   /*error_frames_carry_data=*/true,
                                                   /*drop_late_frames=*/true};
  auto created = device::uvc::ModelCamera::create(scenario.device, scenario.uvc, behaviour);
  if (!created.ok()) {
    for (const FieldError& e : created.errors())
      made.errors.push_back(fmt::format("{}: {}", scenario.file, e.message()));
    return made;
  }
  made.camera = std::move(created.value());
  return made;
}

}  // namespace hilcap::sim
