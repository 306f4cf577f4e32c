// DeviceSelector (usb_devices.h): which device a user means. Pure text, no
// libusb, so that the scenario loader checks a "usb" key with the same rules
// as `hilcap capture --device`.
#include <fmt/format.h>
#include <hilcap/uvc/usb_devices.h>

#include <charconv>

namespace hilcap::uvc {
namespace {

constexpr std::size_t kMaxSerialLength = 126;  // a string descriptor's UTF-16LE characters

bool parse_hex(std::string_view part, std::uint16_t& out) {
  const auto r = std::from_chars(part.data(), part.data() + part.size(), out, 16);
  return !part.empty() && part.size() <= 4 && r.ec == std::errc() &&
         r.ptr == part.data() + part.size();
}

bool parse_decimal(std::string_view part, std::optional<std::uint8_t>& out) {
  unsigned value = 0;
  const auto r = std::from_chars(part.data(), part.data() + part.size(), value);
  if (part.empty() || r.ec != std::errc() || r.ptr != part.data() + part.size() || value > 255)
    return false;
  out = static_cast<std::uint8_t>(value);
  return true;
}

}  // namespace

Result<DeviceSelector> DeviceSelector::parse(std::string_view text) {
  const auto bad = [&] {
    return Error{fmt::format(
        "device '{}': expected VID:PID in hex (e.g. 046d:0825), optionally @BUS:ADDRESS in "
        "decimal as lsusb prints them (e.g. 046d:0825@1:4); or @BUS:ADDRESS alone; or a serial "
        "number after #, alone or after VID:PID (e.g. #A1B2C3D4, 046d:0825#A1B2C3D4)",
        text)};
  };
  DeviceSelector s;
  std::string_view rest = text;
  if (const std::size_t hash = rest.find('#'); hash != std::string_view::npos) {
    const std::string_view serial = rest.substr(hash + 1);
    if (serial.empty() || serial.size() > kMaxSerialLength) return bad();
    for (const char c : serial) {
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return bad();
    }
    s.serial = std::string(serial);
    rest = rest.substr(0, hash);
  }
  if (const std::size_t at = rest.find('@'); at != std::string_view::npos) {
    const std::string_view place = rest.substr(at + 1);
    const std::size_t sep = place.find(':');
    if (sep == std::string_view::npos) return bad();
    if (!parse_decimal(place.substr(0, sep), s.bus) ||
        !parse_decimal(place.substr(sep + 1), s.address))
      return bad();
    rest = rest.substr(0, at);
  }
  if (rest.empty()) {
    if (!s.bus && !s.serial) return bad();
    s.by_id = false;
    return s;
  }
  const std::size_t colon = rest.find(':');
  if (colon == std::string_view::npos) return bad();
  if (!parse_hex(rest.substr(0, colon), s.vendor_id) ||
      !parse_hex(rest.substr(colon + 1), s.product_id))
    return bad();
  return s;
}

std::string DeviceSelector::to_string() const {
  std::string text = by_id ? fmt::format("{:04x}:{:04x}", vendor_id, product_id) : "";
  if (bus && address) text += fmt::format("@{}:{}", *bus, *address);
  if (serial) text += "#" + *serial;
  return text;
}

bool DeviceSelector::matches(std::uint16_t vid, std::uint16_t pid,
                             const DeviceLocation& where) const {
  return (!by_id || (vid == vendor_id && pid == product_id)) && (!bus || *bus == where.bus) &&
         (!address || *address == where.address);
}

bool DeviceSelector::matches_serial(std::string_view device_serial) const {
  return !serial || *serial == device_serial;
}

}  // namespace hilcap::uvc
