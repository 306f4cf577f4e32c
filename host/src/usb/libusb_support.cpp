#include "libusb_support.h"

#include <fmt/format.h>

#include <array>
#include <chrono>
#include <cstdlib>

namespace hilcap::uvc {

std::string libusb_error_text(int error) {
  return fmt::format("{} ({})", libusb_error_name(error), libusb_strerror(error));
}

const char* transfer_status_name(libusb_transfer_status status) {
  switch (status) {
    case LIBUSB_TRANSFER_COMPLETED:
      return "COMPLETED";
    case LIBUSB_TRANSFER_ERROR:
      return "ERROR";
    case LIBUSB_TRANSFER_TIMED_OUT:
      return "TIMED_OUT";
    case LIBUSB_TRANSFER_CANCELLED:
      return "CANCELLED";
    case LIBUSB_TRANSFER_STALL:
      return "STALL";
    case LIBUSB_TRANSFER_NO_DEVICE:
      return "NO_DEVICE";
    case LIBUSB_TRANSFER_OVERFLOW:
      return "OVERFLOW";
  }
  return "?";
}

std::optional<int> errno_in_log(const std::vector<std::string>& lines) {
  for (auto line = lines.rbegin(); line != lines.rend(); ++line) {
    const std::size_t at = line->rfind("errno=");
    if (at == std::string::npos) continue;
    char* end = nullptr;
    const long value = std::strtol(line->c_str() + at + 6, &end, 10);
    if (end != line->c_str() + at + 6) return static_cast<int>(value);
  }
  return std::nullopt;
}

SourceError usb_failure(const char* call, int error) {
  if (error == LIBUSB_ERROR_NO_DEVICE)
    return {SourceErrorKind::kDisconnected, fmt::format("{}: the device is gone", call)};
  return {SourceErrorKind::kUsb, fmt::format("{}: {}", call, libusb_error_text(error))};
}

DeviceList::DeviceList(libusb_context* context) {
  count_ = libusb_get_device_list(context, &list_);
}

DeviceList::~DeviceList() {
  if (list_ != nullptr) libusb_free_device_list(list_, 1);
}

std::span<libusb_device* const> DeviceList::devices() const {
  if (count_ <= 0) return {};
  return {list_, static_cast<std::size_t>(count_)};
}

DeviceLocation location_of(libusb_device* device) {
  DeviceLocation where;
  where.bus = libusb_get_bus_number(device);
  where.address = libusb_get_device_address(device);
  std::array<std::uint8_t, 7> ports{};  // USB 3.0 allows 7 tiers
  const int n = libusb_get_port_numbers(device, ports.data(), static_cast<int>(ports.size()));
  if (n > 0) where.ports.assign(ports.begin(), ports.begin() + n);
  return where;
}

UsbSpeed speed_of(libusb_device* device) {
  switch (libusb_get_device_speed(device)) {
    case LIBUSB_SPEED_LOW:
    case LIBUSB_SPEED_FULL:
      return UsbSpeed::kFull;
    case LIBUSB_SPEED_HIGH:
      return UsbSpeed::kHigh;
    case LIBUSB_SPEED_SUPER:
    case LIBUSB_SPEED_SUPER_PLUS:
      return UsbSpeed::kSuper;
    default:
      return UsbSpeed::kUnknown;
  }
}

std::int64_t steady_now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace hilcap::uvc
