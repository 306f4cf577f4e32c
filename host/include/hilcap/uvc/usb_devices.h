// The USB side of the UVC source: a libusb context with its own event
// thread, the UVC devices present (every video function with its formats,
// sizes and intervals, parsed from the raw descriptor bytes), hotplug
// notices, and which device a user means ("046d:0825", "046d:0825@1:4").
// Failures are SourceErrors: a kind a program can act on, and a message a
// person can (it says what to do about permissions, kernel drivers, bandwidth
// and formats not offered).
#pragma once

#include <hilcap/uvc/descriptor_parser.h>
#include <hilcap/uvc/result.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct libusb_context;
struct libusb_device_handle;

namespace hilcap::uvc {

enum class SourceErrorKind {
  kNoSuchDevice,      // nothing matches the selector (the message lists what is present)
  kAmbiguousDevice,   // several devices match: add @BUS:ADDRESS
  kAccessDenied,      // the device node is not ours to open (the message gives the udev rule)
  kKernelDriver,      // a kernel driver holds the interface and may not or cannot be detached
  kBusy,              // another program has claimed the interface
  kFormatNotOffered,  // format, size or rate not offered (the message lists what is)
  kBandwidth,         // no alternate setting carries the stream, or the bus refused it
  kDescriptors,       // the descriptors give no usable video function
  kNegotiation,       // PROBE/COMMIT failed or the device answered nonsense
  kDisconnected,      // the device left the bus
  kInvalidState,      // e.g. start() twice
  kUsb,               // any other libusb failure (the message names the call and error)
};
const char* to_string(SourceErrorKind kind);

struct SourceError {
  SourceErrorKind kind = SourceErrorKind::kUsb;
  std::string message;
};

template <class T>
using SourceResult = Result<T, SourceError>;

// Where a device sits on the bus.
struct DeviceLocation {
  std::uint8_t bus = 0;
  std::uint8_t address = 0;
  std::vector<std::uint8_t> ports;  // from the root hub down

  // "1-1.4": the device's name in sysfs (/sys/bus/usb/devices/).
  std::string sysfs_name() const;
  // "/dev/bus/usb/001/004".
  std::string device_node() const;
};

struct UvcDeviceInfo {
  DeviceLocation location;
  std::uint16_t vendor_id = 0;
  std::uint16_t product_id = 0;
  UsbSpeed speed = UsbSpeed::kUnknown;  // as the bus reports it
  std::string manufacturer;             // empty when unknown
  std::string product;
  std::string serial;
  // The device and configuration descriptors as read (raw bytes), parsed:
  // every video function, with diagnostics for anything malformed.
  ParsedDevice descriptors;
  std::string descriptor_source;  // "sysfs" or "GET_DESCRIPTOR"
  // Why something above is missing (the device could not be opened for its strings...).
  std::vector<std::string> notes;
};

// Which device to open, as `hilcap capture --device` and a scenario's
// "device": {"usb": ...} write it: [VID:PID][@BUS:ADDRESS][#SERIAL], at
// least one part:
//   "046d:0825"          vendor and product id in hex, as lsusb prints them
//   "046d:0825@1:4"      ... on bus 1 at address 4 (decimal, as lsusb prints them)
//   "@1:4"               whatever is on bus 1 at address 4
//   "#A1B2C3D4"          the device with this serial number (iSerialNumber)
//   "046d:0825#A1B2C3D4" ... of this vendor and product
struct DeviceSelector {
  std::uint16_t vendor_id = 0;
  std::uint16_t product_id = 0;
  std::optional<std::uint8_t> bus;
  std::optional<std::uint8_t> address;
  std::size_t function = 0;  // which video function of the device (0: the first)
  std::optional<std::string> serial;
  bool by_id = true;  // false: any vendor and product (a place or a serial says which)

  static Result<DeviceSelector> parse(std::string_view text);
  std::string to_string() const;
  // Id and place (the serial number needs the device: matches_serial).
  bool matches(std::uint16_t vid, std::uint16_t pid, const DeviceLocation& where) const;
  bool matches_serial(std::string_view device_serial) const;
};

enum class HotplugEvent { kArrived, kLeft };

struct HotplugNotice {
  HotplugEvent event = HotplugEvent::kArrived;
  std::uint16_t vendor_id = 0;
  std::uint16_t product_id = 0;
  DeviceLocation location;
};

namespace detail {
struct UsbContextState;
}

class UsbContext {
 public:
  // A libusb context and the thread that handles its events (transfer
  // completions, hotplug), with a finite wait so that it stops promptly.
  static SourceResult<std::shared_ptr<UsbContext>> create();

  // Stops the event thread. Called on that thread itself (the last owner was
  // a transfer completing late), the thread is left to finish on its own.
  ~UsbContext();
  UsbContext(const UsbContext&) = delete;
  UsbContext& operator=(const UsbContext&) = delete;

  // Every device with a USB Video Class function, by bus and address.
  SourceResult<std::vector<UvcDeviceInfo>> list_uvc_devices();

  // A hotplug registration; deregisters when destroyed.
  class HotplugWatch {
   public:
    virtual ~HotplugWatch() = default;
  };
  bool hotplug_supported() const;
  // Calls `notify` on the event thread for each arrival and departure of a
  // device matching vid:pid (0 matches any). Arrivals are reported only for
  // devices that come after the call.
  SourceResult<std::unique_ptr<HotplugWatch>> watch_hotplug(
      std::uint16_t vendor_id, std::uint16_t product_id,
      std::function<void(const HotplugNotice&)> notify);

  // libusb's own warnings and errors on this context, oldest first (the
  // last few): they say what a failed call hid (e.g. "errno=28").
  std::vector<std::string> libusb_log() const;

  libusb_context* native() const;
  // Closes a handle opened on this context. Inside a completion or hotplug
  // callback, where libusb must not close (it holds its device-list lock),
  // the event thread closes it as soon as it leaves event handling.
  void close_device(libusb_device_handle* handle);

 private:
  explicit UsbContext(std::shared_ptr<detail::UsbContextState> state);
  std::shared_ptr<detail::UsbContextState> state_;
};

}  // namespace hilcap::uvc
