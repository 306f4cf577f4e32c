#include "scenario/uvc_section.h"

#include <fmt/format.h>

#include <array>
#include <charconv>
#include <string_view>
#include <utility>

#include "scenario/json_units.h"

namespace hilcap::sim {
namespace {

using Json = nlohmann::json;
using device::uvc::StreamFault;

constexpr std::string_view kSection = "/device/uvc";

constexpr std::array<std::pair<std::string_view, StreamFault>, 9> kStreamFaultKinds{{
    {"error_bit", StreamFault::kErrorBit},
    {"missing_eof", StreamFault::kMissingEof},
    {"fid_glitch", StreamFault::kFidToggleEarly},
    {"fid_stuck", StreamFault::kFidNotToggled},
    {"short_payload", StreamFault::kShortPayload},
    {"corrupt_data", StreamFault::kCorruptData},
    {"bad_header_length", StreamFault::kCorruptHeaderLength},
    {"packet_error", StreamFault::kPacketError},
    {"endpoint_halt", StreamFault::kStall},
}};

std::uint16_t hex16(std::string_view text) {
  std::uint16_t value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value, 16);
  return value;
}

}  // namespace

device::uvc::UvcPresentation read_uvc_section(const Json& doc, ScenarioChecks& checks) {
  device::uvc::UvcPresentation p;
  const Json* device = member(doc, "device");
  if (device == nullptr) return p;
  if (const Json* format = member(*device, "format"); format && *format == "MJPEG") p.mjpeg = true;
  const Json* uvc = member(*device, "uvc");
  if (uvc == nullptr) return p;

  if (const Json* v = member(*uvc, "transport"); v && v->is_string()) p.bulk = *v == "bulk";
  if (const Json* v = member(*uvc, "version"); v && v->is_string()) {
    p.version = *v == "1.0"   ? device::uvc::UvcVersion::k1_0
                : *v == "1.5" ? device::uvc::UvcVersion::k1_5
                              : device::uvc::UvcVersion::k1_1;
  }
  if (const Json* v = member(*uvc, "speed"); v && v->is_string())
    p.speed = *v == "full" ? device::uvc::UsbSpeed::kFull : device::uvc::UsbSpeed::kHigh;
  if (const Json* v = member(*uvc, "id");
      v && v->is_string() && v->get_ref<const std::string&>().size() == 9) {
    const std::string& id = v->get_ref<const std::string&>();
    p.vendor_id = hex16(std::string_view(id).substr(0, 4));
    p.product_id = hex16(std::string_view(id).substr(5, 4));
  }
  if (const Json* v = member(*uvc, "serial"); v && v->is_string()) p.serial = v->get<std::string>();
  if (const Json* v = member(*uvc, "max_payload_bytes"); v && v->is_number_unsigned()) {
    p.bulk_max_payload = static_cast<std::uint32_t>(v->get<std::uint64_t>());
    checks.require(p.bulk, child_pointer(kSection, "max_payload_bytes"),
                   "no \"max_payload_bytes\" with isochronous transport (the alternate "
                   "setting sets the payload size); or \"transport\": \"bulk\"");
  }
  if (const Json* v = member(*uvc, "mjpeg_quality"); v && v->is_number_integer()) {
    p.mjpeg_quality = v->get<int>();
    checks.require(p.mjpeg, child_pointer(kSection, "mjpeg_quality"),
                   "no \"mjpeg_quality\" unless \"device.format\" is \"MJPEG\"");
  }
  if (const Json* v = member(*uvc, "interrupt_endpoint"); v && v->is_boolean())
    p.interrupt_endpoint = v->get<bool>();
  if (const Json* v = member(*uvc, "reconnect_after_ms"))
    p.reconnect_after_ns = to_ns(*v, kNsPerMs);
  if (const Json* faults = member(*uvc, "faults"); faults && faults->is_array()) {
    for (std::size_t i = 0; i < faults->size(); ++i) {
      const Json& f = (*faults)[i];
      device::uvc::FaultAt at;
      const std::string kind = f.value("kind", std::string("error_bit"));
      for (const auto& [name, fault] : kStreamFaultKinds)
        if (kind == name) at.fault = fault;
      at.frame = f.value("at_frame", std::uint64_t{0});
      at.payload = static_cast<std::uint32_t>(f.value("payload", std::uint64_t{0}));
      if (at.fault == StreamFault::kStall && !p.bulk) {
        checks.fail(child_pointer(child_pointer(child_pointer(kSection, "faults"), i), "kind"),
                    "a fault an isochronous endpoint can have (it cannot halt: "
                    "\"endpoint_halt\" needs \"transport\": \"bulk\")");
      }
      p.stream_faults.push_back(at);
    }
  }
  return p;
}

bool presents_on_usb(const Json& doc) {
  const Json* device = member(doc, "device");
  if (device == nullptr) return false;
  const Json* format = member(*device, "format");
  return member(*device, "uvc") != nullptr || (format != nullptr && *format == "MJPEG");
}

std::vector<std::string> uvc_presentation_errors(const device::DeviceConfig& device,
                                                 const device::uvc::UvcPresentation& presentation) {
  std::vector<std::string> out;
  device::uvc::UvcPresentation checked = presentation;
  // Faults are checked where they are read; the presentation's sizes and rates here.
  checked.stream_faults.clear();
  const auto config = device::uvc::uvc_config_for(device, checked);
  if (config.ok()) return out;
  for (const FieldError& e : config.errors())
    out.push_back(e.message());
  return out;
}

void check_uvc_presentation(const device::DeviceConfig& device,
                            const device::uvc::UvcPresentation& presentation,
                            ScenarioChecks& checks) {
  device::uvc::UvcPresentation checked = presentation;
  checked.stream_faults.clear();
  const auto config = device::uvc::uvc_config_for(device, checked);
  if (config.ok()) return;
  for (const FieldError& e : config.errors())
    checks.fail(e);
}

}  // namespace hilcap::sim
