// Small helpers around libusb for the UVC source: error text, the errno a
// libusb log line reveals, owned device lists and handles, and steady-clock
// time in nanoseconds.
#pragma once

#include <hilcap/uvc/usb_devices.h>
#include <libusb-1.0/libusb.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace hilcap::uvc {

// "LIBUSB_ERROR_PIPE (Pipe error)".
std::string libusb_error_text(int error);
const char* transfer_status_name(libusb_transfer_status status);

// The errno of the newest "errno=N" in libusb's log lines (libusb hides it
// behind LIBUSB_ERROR_OTHER / _IO, e.g. ENOSPC when the bus lacks bandwidth).
std::optional<int> errno_in_log(const std::vector<std::string>& lines);

// A SourceError of kind kUsb, or kDisconnected for LIBUSB_ERROR_NO_DEVICE,
// naming the call: "libusb_claim_interface: LIBUSB_ERROR_IO (Input/Output Error)".
SourceError usb_failure(const char* call, int error);

// The list libusb_get_device_list returns, freed (and unreferenced) on destruction.
class DeviceList {
 public:
  explicit DeviceList(libusb_context* context);
  ~DeviceList();
  DeviceList(const DeviceList&) = delete;
  DeviceList& operator=(const DeviceList&) = delete;

  int status() const { return count_ < 0 ? static_cast<int>(count_) : 0; }
  std::span<libusb_device* const> devices() const;

 private:
  libusb_device** list_ = nullptr;
  ssize_t count_ = 0;
};

DeviceLocation location_of(libusb_device* device);
UsbSpeed speed_of(libusb_device* device);

std::int64_t steady_now_ns();

}  // namespace hilcap::uvc
