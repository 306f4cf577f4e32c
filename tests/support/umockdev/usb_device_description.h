// The umockdev description (sysfs attributes, udev properties, device node)
// of a USB device, built from the raw descriptor bytes it presents: what
// libusb's Linux backend reads when it enumerates through udev and sysfs.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "uvc_device_config.h"

namespace hilcap::testing {

using device::uvc::UsbSpeed;

// Bus number and device address; the device hangs off root port `device - 1`.
struct UsbBusAddress {
  int bus = 1;
  int device = 2;
};

// Paths of a device in the testbed.
struct UsbNodePaths {
  std::string sysfs;    // /sys/devices/...
  std::string devnode;  // /dev/bus/usb/BBB/DDD
};

UsbNodePaths usb_node_paths(const UsbBusAddress& address);

// The text umockdev_testbed_add_from_string() takes. `descriptors` is the
// device descriptor followed by the configuration (what sysfs `descriptors`
// holds); returns an empty string when they are too short to describe a device.
std::string umockdev_description(std::span<const std::uint8_t> descriptors, UsbSpeed speed,
                                 const UsbBusAddress& address);

}  // namespace hilcap::testing
