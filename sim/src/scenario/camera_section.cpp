#include "scenario/camera_section.h"

#include <fmt/format.h>
#include <hilcap/uvc/usb_devices.h>

#include <charconv>

#include "scenario/json_units.h"

namespace hilcap::sim {
namespace {

using Json = nlohmann::json;

std::optional<std::uint16_t> parse_dimension(std::string_view text) {
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value == 0 ||
      value > 65535)
    return std::nullopt;
  return static_cast<std::uint16_t>(value);
}

// What only the simulated device and host have, refused with a camera.
void refuse_simulation_only(const Json& doc, ScenarioChecks& checks) {
  if (const Json* clock = member(doc, "clock"); clock != nullptr && *clock == "virtual") {
    checks.fail("/clock",
                "\"realtime\" or no clock with a USB camera (a camera runs on the wall clock)");
  }
  if (const Json* host = member(doc, "host")) {
    for (const char* key : {"dpc_latency_us", "verify_frames"}) {
      if (member(*host, key) != nullptr) {
        checks.fail(child_pointer("/host", key),
                    fmt::format("no \"{}\" with a USB camera (it sets the simulated host)", key));
      }
    }
  }
  if (const Json* script = member(doc, "script"); script != nullptr && script->is_array()) {
    for (std::size_t i = 0; i < script->size(); ++i) {
      const Json* action = member((*script)[i], "do");
      if (action != nullptr && *action == "inject_fault") {
        checks.fail(child_pointer(child_pointer("/script", i), "do"),
                    "a step a USB camera can take (inject_fault needs the simulated device)");
      }
    }
  }
}

}  // namespace

std::optional<std::pair<std::uint16_t, std::uint16_t>> parse_frame_size(std::string_view text) {
  const std::size_t x = text.find_first_of("xX");
  if (x == std::string_view::npos) return std::nullopt;
  const auto width = parse_dimension(text.substr(0, x));
  const auto height = parse_dimension(text.substr(x + 1));
  if (!width || !height) return std::nullopt;
  return std::pair{*width, *height};
}

bool names_camera(const Json& doc) {
  const Json* device = member(doc, "device");
  const Json* usb = device != nullptr ? member(*device, "usb") : nullptr;
  return usb != nullptr && usb->is_string();
}

void camera_framing(const Json& doc, KSALLOCATOR_FRAMING& framing) {
  const Json* allocator = member(doc, "allocator");
  if (allocator == nullptr || member(*allocator, "frame_size") == nullptr) framing.FrameSize = 0;
}

std::optional<CameraSpec> read_camera_section(const Json& doc, ScenarioChecks& checks) {
  if (!names_camera(doc)) return std::nullopt;
  const Json* device = member(doc, "device");
  const Json* usb = member(*device, "usb");
  CameraSpec camera;
  camera.usb = usb->get<std::string>();
  if (const auto selector = uvc::DeviceSelector::parse(camera.usb); !selector.ok()) {
    checks.fail("/device/usb",
                "VID:PID in hex (046d:0825), optionally @BUS:ADDRESS in decimal (046d:0825@1:4); "
                "@BUS:ADDRESS alone; or #SERIAL alone or after VID:PID (046d:0825#A1B2C3D4)");
  }
  if (const Json* format = member(*device, "format"); format != nullptr && format->is_string()) {
    camera.format = format->get<std::string>();
  }
  if (const Json* size = member(*device, "size"); size != nullptr && size->is_string()) {
    if (const auto parsed = parse_frame_size(size->get<std::string>())) {
      camera.width = parsed->first;
      camera.height = parsed->second;
    } else {
      checks.fail("/device/size", "WIDTHxHEIGHT, each 1 to 65535 (e.g. \"640x480\")");
    }
  }
  if (const Json* fps = member(*device, "fps"); fps != nullptr && fps->is_number()) {
    camera.fps = fps->get<double>();
  }
  if (const Json* stall = member(*device, "stall_intervals");
      stall != nullptr && stall->is_number_unsigned()) {
    camera.stall_intervals = stall->get<std::uint32_t>();
  }
  if (const Json* transfers = member(*device, "transfers");
      transfers != nullptr && transfers->is_number_unsigned()) {
    camera.transfers = transfers->get<std::uint32_t>();
  }
  refuse_simulation_only(doc, checks);
  return camera;
}

}  // namespace hilcap::sim
