// Finding UVC devices and reading what they are: the raw device and
// configuration descriptors (from sysfs, where the kernel keeps the bytes the
// device sent, or from the device with GET_DESCRIPTOR), parsed by the UVC
// layer, and the strings. Also finding and opening the device a selector
// means, with messages that say what to do when that fails.
#pragma once

#include <hilcap/uvc/usb_devices.h>
#include <libusb-1.0/libusb.h>

#include <string>
#include <vector>

namespace hilcap::uvc {

SourceResult<std::vector<UvcDeviceInfo>> discover_uvc_devices(libusb_context* context);

// What `device` is; `handle` (may be null) serves for the strings and when
// sysfs cannot give the descriptors.
UvcDeviceInfo describe_device(libusb_device* device, libusb_device_handle* handle);

// The device `selector` means, referenced (the caller unrefs it).
SourceResult<libusb_device*> find_device(libusb_context* context, const DeviceSelector& selector);

// Opens `device`; permission problems come with the udev rule that fixes them.
SourceResult<libusb_device_handle*> open_device(libusb_device* device);

// How to give a user access to a device node.
std::string access_hint(std::uint16_t vendor_id, std::uint16_t product_id,
                        const DeviceLocation& location);
// How to free an interface from a kernel driver by hand.
std::string unbind_hint(const DeviceLocation& location, std::uint8_t configuration,
                        std::uint8_t interface);

}  // namespace hilcap::uvc
