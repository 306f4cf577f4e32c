#include "device_discovery.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <iterator>
#include <optional>

#include "libusb_support.h"

namespace hilcap::uvc {

namespace {

constexpr std::uint8_t kVideoClass = 0x0e;
constexpr std::size_t kDeviceDescriptorBytes = 18;
constexpr std::size_t kConfigHeaderBytes = 9;

using Bytes = std::vector<std::uint8_t>;

std::string sysfs_dir(const DeviceLocation& location) {
  return "/sys/bus/usb/devices/" + location.sysfs_name();
}

std::optional<Bytes> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  return Bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::string read_attribute(const DeviceLocation& location, const char* name) {
  const auto bytes = read_file(sysfs_dir(location) + "/" + name);
  if (!bytes) return {};
  std::string text(bytes->begin(), bytes->end());
  while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
    text.pop_back();
  return text;
}

// Whether the active configuration (as libusb parsed it) has a video interface.
bool has_video_interface(libusb_device* device) {
  libusb_config_descriptor* config = nullptr;
  if (libusb_get_active_config_descriptor(device, &config) != 0) return false;
  bool video = false;
  for (int i = 0; i < config->bNumInterfaces && !video; ++i)
    for (int a = 0; a < config->interface[i].num_altsetting && !video; ++a)
      video = config->interface[i].altsetting[a].bInterfaceClass == kVideoClass;
  libusb_free_config_descriptor(config);
  return video;
}

std::uint8_t active_configuration_value(libusb_device* device) {
  libusb_config_descriptor* config = nullptr;
  if (libusb_get_active_config_descriptor(device, &config) != 0) return 0;
  const std::uint8_t value = config->bConfigurationValue;
  libusb_free_config_descriptor(config);
  return value;
}

struct RawDescriptors {
  Bytes device;
  Bytes configuration;
};

// sysfs `descriptors`: the device descriptor, then every configuration as
// the device sent it. The active one is picked by bConfigurationValue.
std::optional<RawDescriptors> sysfs_descriptors(const DeviceLocation& location,
                                                std::uint8_t configuration_value) {
  const auto bytes = read_file(sysfs_dir(location) + "/descriptors");
  if (!bytes || bytes->size() < kDeviceDescriptorBytes + kConfigHeaderBytes) return std::nullopt;
  RawDescriptors raw;
  raw.device.assign(bytes->begin(), bytes->begin() + kDeviceDescriptorBytes);
  std::size_t at = kDeviceDescriptorBytes;
  std::optional<std::pair<std::size_t, std::size_t>> first, active;
  while (at + kConfigHeaderBytes <= bytes->size()) {
    const std::size_t total = (*bytes)[at + 2] | (*bytes)[at + 3] << 8;
    if (total < kConfigHeaderBytes) break;
    const std::size_t length = std::min(total, bytes->size() - at);
    if (!first) first = {at, length};
    if ((*bytes)[at + 5] == configuration_value) active = {at, length};
    at += length;
  }
  const auto chosen = active ? active : first;
  if (!chosen) return std::nullopt;
  const auto begin = bytes->begin() + static_cast<std::ptrdiff_t>(chosen->first);
  raw.configuration.assign(begin, begin + static_cast<std::ptrdiff_t>(chosen->second));
  return raw;
}

// The device's own answer to GET_DESCRIPTOR (device, then the active
// configuration: its 9-byte header for wTotalLength, then all of it).
std::optional<RawDescriptors> requested_descriptors(libusb_device* device,
                                                    libusb_device_handle* handle,
                                                    std::uint8_t configuration_value) {
  RawDescriptors raw;
  raw.device.resize(kDeviceDescriptorBytes);
  const int n = libusb_get_descriptor(handle, LIBUSB_DT_DEVICE, 0, raw.device.data(),
                                      static_cast<int>(raw.device.size()));
  if (n < static_cast<int>(kDeviceDescriptorBytes)) return std::nullopt;
  libusb_device_descriptor descriptor{};
  libusb_get_device_descriptor(device, &descriptor);
  std::uint8_t index = 0;
  for (std::uint8_t i = 0; i < descriptor.bNumConfigurations; ++i) {
    libusb_config_descriptor* config = nullptr;
    if (libusb_get_config_descriptor(device, i, &config) != 0) continue;
    if (config->bConfigurationValue == configuration_value) index = i;
    libusb_free_config_descriptor(config);
  }
  Bytes header(kConfigHeaderBytes);
  if (libusb_get_descriptor(handle, LIBUSB_DT_CONFIG, index, header.data(),
                            static_cast<int>(header.size())) < static_cast<int>(header.size()))
    return std::nullopt;
  raw.configuration.resize(header[2] | header[3] << 8);
  const int got = libusb_get_descriptor(handle, LIBUSB_DT_CONFIG, index, raw.configuration.data(),
                                        static_cast<int>(raw.configuration.size()));
  if (got < static_cast<int>(kConfigHeaderBytes)) return std::nullopt;
  raw.configuration.resize(static_cast<std::size_t>(got));
  return raw;
}

std::string string_descriptor(libusb_device_handle* handle, std::uint8_t index) {
  if (handle == nullptr || index == 0) return {};
  unsigned char text[256] = {};
  const int n = libusb_get_string_descriptor_ascii(handle, index, text, sizeof text);
  return n > 0 ? std::string(reinterpret_cast<const char*>(text), static_cast<std::size_t>(n))
               : std::string();
}

std::string id_text(std::uint16_t vid, std::uint16_t pid) {
  return fmt::format("{:04x}:{:04x}", vid, pid);
}

std::string where_text(const DeviceLocation& location) {
  return fmt::format("bus {} device {}", location.bus, location.address);
}

}  // namespace

std::string DeviceLocation::sysfs_name() const {
  if (ports.empty()) return fmt::format("usb{}", bus);
  return fmt::format("{}-{}", bus, fmt::join(ports, "."));
}

std::string DeviceLocation::device_node() const {
  return fmt::format("/dev/bus/usb/{:03}/{:03}", bus, address);
}

std::string access_hint(std::uint16_t vendor_id, std::uint16_t product_id,
                        const DeviceLocation& location) {
  return fmt::format(
      "permission denied on {} ({}): your user may not open it. Add a udev rule, e.g. the file "
      "/etc/udev/rules.d/70-hilcap.rules with the line\n"
      "  SUBSYSTEM==\"usb\", ATTR{{idVendor}}==\"{:04x}\", ATTR{{idProduct}}==\"{:04x}\", "
      "MODE=\"0660\", GROUP=\"plugdev\", TAG+=\"uaccess\"\n"
      "then run 'sudo udevadm control --reload && sudo udevadm trigger' (or replug the device) "
      "and make sure you are in the plugdev group ('sudo usermod -aG plugdev $USER', then log in "
      "again)",
      location.device_node(), id_text(vendor_id, product_id), vendor_id, product_id);
}

std::string unbind_hint(const DeviceLocation& location, std::uint8_t configuration,
                        std::uint8_t interface) {
  return fmt::format(
      "hilcap detaches it by itself unless told not to, and attaches it again when done; to "
      "unbind it by hand: echo -n '{}:{}.{}' | sudo tee /sys/bus/usb/drivers/uvcvideo/unbind",
      location.sysfs_name(), configuration, interface);
}

UvcDeviceInfo describe_device(libusb_device* device, libusb_device_handle* handle) {
  UvcDeviceInfo info;
  libusb_device_descriptor descriptor{};
  libusb_get_device_descriptor(device, &descriptor);
  info.location = location_of(device);
  info.vendor_id = descriptor.idVendor;
  info.product_id = descriptor.idProduct;
  info.speed = speed_of(device);

  const std::uint8_t configuration = active_configuration_value(device);
  std::optional<RawDescriptors> raw = sysfs_descriptors(info.location, configuration);
  info.descriptor_source = "sysfs";
  if (!raw && handle != nullptr) {
    raw = requested_descriptors(device, handle, configuration);
    info.descriptor_source = "GET_DESCRIPTOR";
  }
  if (raw) {
    info.descriptors = parse_descriptors(raw->device, raw->configuration);
  } else {
    info.descriptor_source.clear();
    info.notes.push_back(
        handle == nullptr
            ? "descriptors unavailable: sysfs has none and the device could not be opened"
            : "descriptors unavailable: neither sysfs nor GET_DESCRIPTOR gave them");
  }
  if (info.speed == UsbSpeed::kUnknown) info.speed = info.descriptors.speed_hint();

  info.manufacturer = read_attribute(info.location, "manufacturer");
  info.product = read_attribute(info.location, "product");
  info.serial = read_attribute(info.location, "serial");
  if (info.manufacturer.empty())
    info.manufacturer = string_descriptor(handle, descriptor.iManufacturer);
  if (info.product.empty()) info.product = string_descriptor(handle, descriptor.iProduct);
  if (info.serial.empty()) info.serial = string_descriptor(handle, descriptor.iSerialNumber);
  return info;
}

SourceResult<std::vector<UvcDeviceInfo>> discover_uvc_devices(libusb_context* context) {
  const DeviceList list(context);
  if (list.status() != 0) return usb_failure("libusb_get_device_list", list.status());
  std::vector<UvcDeviceInfo> found;
  for (libusb_device* device : list.devices()) {
    if (!has_video_interface(device)) continue;
    libusb_device_handle* handle = nullptr;
    const int opened = libusb_open(device, &handle);
    UvcDeviceInfo info = describe_device(device, opened == 0 ? handle : nullptr);
    if (handle != nullptr) libusb_close(handle);
    if (opened != 0 && (info.manufacturer.empty() || info.product.empty()))
      info.notes.push_back(fmt::format(
          "strings unknown: cannot open the device ({}){}", libusb_error_name(opened),
          opened == LIBUSB_ERROR_ACCESS ? "; 'hilcap capture' explains the udev rule" : ""));
    found.push_back(std::move(info));
  }
  std::sort(found.begin(), found.end(), [](const UvcDeviceInfo& a, const UvcDeviceInfo& b) {
    return std::pair(a.location.bus, a.location.address) <
           std::pair(b.location.bus, b.location.address);
  });
  return found;
}

namespace {

// The device's serial number: sysfs, else its string descriptor (opening it).
std::string serial_of(libusb_device* device) {
  std::string serial = read_attribute(location_of(device), "serial");
  if (!serial.empty()) return serial;
  libusb_device_handle* handle = nullptr;
  if (libusb_open(device, &handle) != 0) return {};
  libusb_device_descriptor descriptor{};
  libusb_get_device_descriptor(device, &descriptor);
  serial = string_descriptor(handle, descriptor.iSerialNumber);
  libusb_close(handle);
  return serial;
}

}  // namespace

SourceResult<libusb_device*> find_device(libusb_context* context, const DeviceSelector& selector) {
  const DeviceList list(context);
  if (list.status() != 0) return usb_failure("libusb_get_device_list", list.status());
  std::vector<libusb_device*> matches;
  for (libusb_device* device : list.devices()) {
    libusb_device_descriptor descriptor{};
    libusb_get_device_descriptor(device, &descriptor);
    if (!selector.matches(descriptor.idVendor, descriptor.idProduct, location_of(device))) continue;
    // By serial number, only devices with a video function are asked (opening one may wake it).
    if (selector.serial &&
        (!has_video_interface(device) || !selector.matches_serial(serial_of(device))))
      continue;
    matches.push_back(device);
  }
  if (matches.size() == 1) return libusb_ref_device(matches.front());
  std::sort(matches.begin(), matches.end(), [](libusb_device* a, libusb_device* b) {
    return std::pair(libusb_get_bus_number(a), libusb_get_device_address(a)) <
           std::pair(libusb_get_bus_number(b), libusb_get_device_address(b));
  });
  if (matches.size() > 1) {
    std::vector<std::string> places;
    for (libusb_device* device : matches) {
      libusb_device_descriptor descriptor{};
      libusb_get_device_descriptor(device, &descriptor);
      const DeviceLocation where = location_of(device);
      places.push_back(fmt::format("{}@{}:{}", id_text(descriptor.idVendor, descriptor.idProduct),
                                   where.bus, where.address));
    }
    return SourceError{SourceErrorKind::kAmbiguousDevice,
                       fmt::format("{} devices match {}: {}; name one with @BUS:ADDRESS",
                                   matches.size(), selector.to_string(), fmt::join(places, ", "))};
  }
  std::vector<std::string> present;
  for (libusb_device* device : list.devices()) {
    if (!has_video_interface(device)) continue;
    libusb_device_descriptor descriptor{};
    libusb_get_device_descriptor(device, &descriptor);
    const DeviceLocation where = location_of(device);
    present.push_back(fmt::format("{} ({})", id_text(descriptor.idVendor, descriptor.idProduct),
                                  where_text(where)));
  }
  return SourceError{
      SourceErrorKind::kNoSuchDevice,
      present.empty()
          ? fmt::format("no USB device {}: no USB video device is present at all{}",
                        selector.to_string(),
                        list.devices().empty() ? " (libusb sees no USB devices: is /dev/bus/usb "
                                                 "there, e.g. inside a container?)"
                                               : "")
          : fmt::format("no USB device {}; video devices present: {}", selector.to_string(),
                        fmt::join(present, ", "))};
}

SourceResult<libusb_device_handle*> open_device(libusb_device* device) {
  libusb_device_handle* handle = nullptr;
  const int r = libusb_open(device, &handle);
  if (r == 0) return handle;
  libusb_device_descriptor descriptor{};
  libusb_get_device_descriptor(device, &descriptor);
  const DeviceLocation where = location_of(device);
  if (r == LIBUSB_ERROR_ACCESS)
    return SourceError{SourceErrorKind::kAccessDenied,
                       access_hint(descriptor.idVendor, descriptor.idProduct, where)};
  if (r == LIBUSB_ERROR_NO_DEVICE)
    return SourceError{
        SourceErrorKind::kNoSuchDevice,
        fmt::format("{} ({}) left the bus before it could be opened",
                    id_text(descriptor.idVendor, descriptor.idProduct), where_text(where))};
  return usb_failure("libusb_open", r);
}

}  // namespace hilcap::uvc
