#include "usb/device_listing.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>

namespace hilcap::sim {

namespace {

using uvc::Format;
using uvc::Frame;
using uvc::StreamingInterface;
using uvc::TransferType;

std::string id_text(const uvc::UvcDeviceInfo& d) {
  return fmt::format("{:04x}:{:04x}", d.vendor_id, d.product_id);
}

std::string bcd_text(std::uint16_t bcd) {
  return fmt::format("{:x}.{:02x}", bcd >> 8, bcd & 0xff);
}

std::string rate_text(std::uint32_t interval_100ns) {
  return interval_100ns == 0 ? "?" : fmt::format("{:.4g}", 1e7 / interval_100ns);
}

std::string rates_text(const Frame& frame) {
  const uvc::FrameIntervals& i = frame.intervals;
  if (i.continuous && i.min == i.max)
    return fmt::format("{} fps (continuous, one interval)", rate_text(i.min));
  if (i.continuous)
    return fmt::format("{} to {} fps (continuous, step {} x 100 ns)", rate_text(i.max),
                       rate_text(i.min), i.step);
  std::vector<std::string> rates;
  for (std::uint32_t interval : i.discrete)
    rates.push_back(rate_text(interval));
  return fmt::format("{} fps", fmt::join(rates, ", "));
}

struct StreamingTransport {
  TransferType type = TransferType::kIsochronous;
  std::uint8_t endpoint = 0;
  std::uint16_t bulk_packet = 0;
  std::vector<std::pair<std::uint8_t, std::uint32_t>> alt_settings;  // iso: alt, bytes/interval
};

StreamingTransport transport_of(const StreamingInterface& s, uvc::UsbSpeed speed) {
  StreamingTransport t;
  t.endpoint = s.header.endpoint_address;
  for (const uvc::AltSetting& alt : s.alt_settings)
    for (const uvc::Endpoint& ep : alt.endpoints) {
      if (ep.address != t.endpoint) continue;
      if (ep.transfer_type() == TransferType::kBulk) {
        t.type = TransferType::kBulk;
        t.bulk_packet = ep.packet_size();
      } else if (ep.transfer_type() == TransferType::kIsochronous) {
        t.alt_settings.emplace_back(alt.alternate_setting, ep.bytes_per_interval(speed));
      }
    }
  return t;
}

std::string transport_text(const StreamingTransport& t, uvc::UsbSpeed speed) {
  if (t.type == TransferType::kBulk)
    return fmt::format("bulk endpoint 0x{:02x} ({} B packets)", t.endpoint, t.bulk_packet);
  if (t.alt_settings.empty()) return fmt::format("no endpoint 0x{:02x}", t.endpoint);
  std::uint32_t low = UINT32_MAX, high = 0;
  for (const auto& [alt, bytes] : t.alt_settings) {
    low = std::min(low, bytes);
    high = std::max(high, bytes);
  }
  const char* interval = speed == uvc::UsbSpeed::kFull ? "frame" : "microframe";
  if (t.alt_settings.size() == 1)
    return fmt::format("isochronous endpoint 0x{:02x}, 1 alternate setting, {} B per {}",
                       t.endpoint, high, interval);
  return fmt::format("isochronous endpoint 0x{:02x}, {} alternate settings, {}-{} B per {}",
                     t.endpoint, t.alt_settings.size(), low, high, interval);
}

nlohmann::json frame_json(const Frame& f) {
  nlohmann::json j{{"index", f.index},
                   {"width", f.width},
                   {"height", f.height},
                   {"default_interval_100ns", f.default_interval}};
  if (f.max_video_frame_buffer_size != 0) j["max_frame_bytes"] = f.max_video_frame_buffer_size;
  if (f.intervals.continuous) {
    j["continuous_100ns"] = {
        {"min", f.intervals.min}, {"max", f.intervals.max}, {"step", f.intervals.step}};
  } else {
    j["intervals_100ns"] = f.intervals.discrete;
    std::vector<double> fps;
    for (std::uint32_t i : f.intervals.discrete)
      fps.push_back(i == 0 ? 0.0 : std::round(1e9 / i) / 100.0);
    j["fps"] = fps;
  }
  return j;
}

}  // namespace

std::string devices_text(const std::vector<uvc::UvcDeviceInfo>& devices) {
  if (devices.empty()) return "no USB video devices found\n";
  std::string out;
  for (const uvc::UvcDeviceInfo& d : devices) {
    std::string name = d.product;
    if (!d.manufacturer.empty() && d.product.rfind(d.manufacturer, 0) != 0)
      name = d.product.empty() ? d.manufacturer : d.manufacturer + " " + d.product;
    if (name.empty()) name = "(no name)";
    out += fmt::format("{} {}  bus {} device {}, port {}, {}\n", id_text(d), name, d.location.bus,
                       d.location.address, d.location.sysfs_name(), to_string(d.speed));
    const auto& functions = d.descriptors.configuration.video_functions;
    for (std::size_t n = 0; n < functions.size(); ++n) {
      const uvc::VideoFunction& fn = functions[n];
      out += fmt::format("  function {}: UVC {}, control interface {}\n", n, bcd_text(fn.bcd_uvc()),
                         fn.control_interface);
      for (const StreamingInterface& s : fn.streaming) {
        out += fmt::format("    streaming interface {}: {}\n", s.interface_number,
                           transport_text(transport_of(s, d.speed), d.speed));
        for (const Format& f : s.formats) {
          out += fmt::format("      {} ({})\n", f.name, to_string(f.kind));
          for (const Frame& fr : f.frames)
            out += fmt::format("        {:>5}x{:<5} {}\n", fr.width, fr.height, rates_text(fr));
        }
      }
    }
    for (const uvc::Diagnostic& diag : d.descriptors.diagnostics)
      out += "  " + diag.to_string() + "\n";
    for (const std::string& note : d.notes)
      out += "  note: " + note + "\n";
  }
  return out;
}

nlohmann::json devices_json(const std::vector<uvc::UvcDeviceInfo>& devices) {
  nlohmann::json list = nlohmann::json::array();
  for (const uvc::UvcDeviceInfo& d : devices) {
    nlohmann::json functions = nlohmann::json::array();
    for (const uvc::VideoFunction& fn : d.descriptors.configuration.video_functions) {
      nlohmann::json streaming = nlohmann::json::array();
      for (const StreamingInterface& s : fn.streaming) {
        const StreamingTransport t = transport_of(s, d.speed);
        nlohmann::json transport{{"type", t.type == TransferType::kBulk ? "bulk" : "isochronous"},
                                 {"endpoint", t.endpoint}};
        if (t.type == TransferType::kBulk) {
          transport["packet_bytes"] = t.bulk_packet;
        } else {
          nlohmann::json alts = nlohmann::json::array();
          for (const auto& [alt, bytes] : t.alt_settings)
            alts.push_back({{"alternate_setting", alt}, {"bytes_per_interval", bytes}});
          transport["alternate_settings"] = alts;
        }
        nlohmann::json formats = nlohmann::json::array();
        for (const Format& f : s.formats) {
          nlohmann::json frames = nlohmann::json::array();
          for (const Frame& fr : f.frames)
            frames.push_back(frame_json(fr));
          formats.push_back({{"index", f.index},
                             {"name", f.name},
                             {"kind", to_string(f.kind)},
                             {"frames", frames}});
        }
        streaming.push_back(
            {{"interface", s.interface_number}, {"transport", transport}, {"formats", formats}});
      }
      functions.push_back({{"control_interface", fn.control_interface},
                           {"uvc", bcd_text(fn.bcd_uvc())},
                           {"clock_frequency_hz", fn.header.clock_frequency_hz},
                           {"streaming", streaming}});
    }
    std::vector<std::string> diagnostics;
    for (const uvc::Diagnostic& diag : d.descriptors.diagnostics)
      diagnostics.push_back(diag.to_string());
    list.push_back({{"id", id_text(d)},
                    {"vendor_id", d.vendor_id},
                    {"product_id", d.product_id},
                    {"bus", d.location.bus},
                    {"address", d.location.address},
                    {"port", d.location.sysfs_name()},
                    {"speed", to_string(d.speed)},
                    {"manufacturer", d.manufacturer},
                    {"product", d.product},
                    {"serial", d.serial},
                    {"descriptor_source", d.descriptor_source},
                    {"functions", functions},
                    {"diagnostics", diagnostics},
                    {"notes", d.notes}});
  }
  return list;
}

}  // namespace hilcap::sim
