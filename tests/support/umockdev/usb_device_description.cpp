#include "usb_device_description.h"

#include <fmt/format.h>

namespace hilcap::testing {

namespace {

constexpr const char* kRootHubPath = "/devices/pci0000:00/0000:00:14.0";
constexpr std::size_t kDeviceDescriptorSize = 18;
constexpr std::size_t kConfigHeaderSize = 9;

std::uint16_t le16(std::span<const std::uint8_t> b, std::size_t at) {
  return static_cast<std::uint16_t>(b[at] | (b[at + 1] << 8));
}

const char* speed_mbps(UsbSpeed speed) {
  switch (speed) {
    case UsbSpeed::kFull:
      return "12";
    case UsbSpeed::kHigh:
      return "480";
    case UsbSpeed::kSuper:
      return "5000";
  }
  return "480";
}

std::string sysfs_relative(const UsbBusAddress& address) {
  return fmt::format("{}/usb{}/{}-{}", kRootHubPath, address.bus, address.bus, address.device - 1);
}

}  // namespace

UsbNodePaths usb_node_paths(const UsbBusAddress& address) {
  return {"/sys" + sysfs_relative(address),
          fmt::format("/dev/bus/usb/{:03}/{:03}", address.bus, address.device)};
}

std::string umockdev_description(std::span<const std::uint8_t> descriptors, UsbSpeed speed,
                                 const UsbBusAddress& address) {
  if (descriptors.size() < kDeviceDescriptorSize + kConfigHeaderSize) return {};
  const auto dev = descriptors.first(kDeviceDescriptorSize);
  const auto cfg = descriptors.subspan(kDeviceDescriptorSize);
  std::string hex;
  hex.reserve(descriptors.size() * 2);
  for (const std::uint8_t b : descriptors)
    hex += fmt::format("{:02X}", b);

  const std::uint16_t bcd_usb = le16(dev, 2);
  const std::uint16_t vid = le16(dev, 8);
  const std::uint16_t pid = le16(dev, 10);
  const std::uint16_t bcd_device = le16(dev, 12);
  const int minor = (address.bus - 1) * 128 + address.device - 1;
  // bMaxPower counts 8 mA units at SuperSpeed, 2 mA below.
  const int max_power_ma = cfg[8] * (speed == UsbSpeed::kSuper ? 8 : 2);

  std::string out;
  const auto line = [&out](const std::string& s) { out += s + "\n"; };
  line("P: " + sysfs_relative(address));
  line(fmt::format("N: bus/usb/{:03}/{:03}={}", address.bus, address.device, hex));
  line(fmt::format("E: BUSNUM={:03}", address.bus));
  line(fmt::format("E: DEVNAME=/dev/bus/usb/{:03}/{:03}", address.bus, address.device));
  line(fmt::format("E: DEVNUM={:03}", address.device));
  line("E: DEVTYPE=usb_device");
  line("E: DRIVER=usb");
  line("E: ID_BUS=usb");
  line(fmt::format("E: ID_MODEL_ID={:04x}", pid));
  line(fmt::format("E: ID_VENDOR_ID={:04x}", vid));
  line("E: MAJOR=189");
  line(fmt::format("E: MINOR={}", minor));
  line(fmt::format("E: PRODUCT={:x}/{:x}/{:x}", vid, pid, bcd_device));
  line("E: SUBSYSTEM=usb");
  line(fmt::format("E: TYPE={}/{}/{}", dev[4], dev[5], dev[6]));
  line("A: authorized=1");
  line(fmt::format("A: bConfigurationValue={}", cfg[5]));
  line(fmt::format("A: bDeviceClass={:02x}", dev[4]));
  line(fmt::format("A: bDeviceProtocol={:02x}", dev[6]));
  line(fmt::format("A: bDeviceSubClass={:02x}", dev[5]));
  line(fmt::format("A: bMaxPacketSize0={}", dev[7]));
  line(fmt::format("A: bMaxPower={}mA", max_power_ma));
  line(fmt::format("A: bNumConfigurations={}", dev[17]));
  line(fmt::format("A: bNumInterfaces={:2}", cfg[4]));
  line(fmt::format("A: bcdDevice={:04x}", bcd_device));
  line(fmt::format("A: bmAttributes={:02x}", cfg[7]));
  line(fmt::format("A: busnum={}", address.bus));
  line("A: configuration=");
  line(fmt::format("A: dev=189:{}", minor));
  line(fmt::format("A: devnum={}", address.device));
  line(fmt::format("A: devpath={}", address.device - 1));
  line(fmt::format("A: idProduct={:04x}", pid));
  line(fmt::format("A: idVendor={:04x}", vid));
  line("A: maxchild=0");
  line("A: rx_lanes=1");
  line(fmt::format("A: speed={}", speed_mbps(speed)));
  line("A: tx_lanes=1");
  line(fmt::format("A: version={:2x}.{:02x}", bcd_usb >> 8, bcd_usb & 0xff));
  line("H: descriptors=" + hex);
  return out;
}

}  // namespace hilcap::testing
