// Real cameras' descriptor sets (realdata/descriptors/esp-usb/*.dev.bin +
// *.cfg.bin) served raw by fake devices: libusb enumerates every one and
// parses its configuration.
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>

#include "usb_fixture.h"

namespace hilcap::testing {
namespace {

namespace fs = std::filesystem;
using Bytes = std::vector<std::uint8_t>;

Bytes read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// The speed UsbTreeView recorded for the device; high speed when it does not say.
UsbSpeed recorded_speed(const fs::path& treeview) {
  std::ifstream in(treeview);
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("Device Bus Speed", 0) == 0)
      return line.find("Full-Speed") != std::string::npos ? UsbSpeed::kFull : UsbSpeed::kHigh;
  return UsbSpeed::kHigh;
}

struct RealDevice {
  std::string name;
  Bytes device;
  Bytes configuration;
  UsbSpeed speed;
};

std::vector<RealDevice> load_real_devices(const fs::path& folder) {
  std::vector<RealDevice> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(folder, ec)) {
    const std::string file = entry.path().filename().string();
    const std::string suffix = ".dev.bin";
    if (file.size() <= suffix.size() ||
        file.compare(file.size() - suffix.size(), suffix.size(), suffix) != 0)
      continue;
    const std::string stem = file.substr(0, file.size() - suffix.size());
    const fs::path cfg = folder / (stem + ".cfg.bin");
    if (!fs::exists(cfg)) continue;
    out.push_back({stem, read_file(entry.path()), read_file(cfg),
                   recorded_speed(folder / (stem + ".usbtreeview.txt"))});
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return out;
}

class RealDescriptors : public UsbTest {
 protected:
  void TearDown() override {
    if (context_) libusb_exit(context_);
    context_ = nullptr;
    raw_devices_.clear();
    models_.clear();
    UsbTest::TearDown();
  }
  std::vector<std::unique_ptr<DescriptorOnlyModel>> models_;
  std::vector<std::unique_ptr<FakeUsbDevice>> raw_devices_;
};

// Every esp-usb device (10 cameras: iso and bulk, UVC 1.0 to 1.5, one or two video functions)
// enumerates through libusb with its IDs and speed, and libusb_get_config_descriptor parses
// its configuration to the same interface and alternate setting counts.
TEST_F(RealDescriptors, EspUsbSetsEnumerateAndParse) {
  const char* realdata = std::getenv("HILCAP_REALDATA");
  const fs::path folder = fs::path(realdata ? realdata : "") / "descriptors" / "esp-usb";
  const std::vector<RealDevice> cameras =
      realdata ? load_real_devices(folder) : std::vector<RealDevice>{};
  if (cameras.empty()) GTEST_SKIP() << "no real descriptor sets in " << folder;

  for (std::size_t i = 0; i < cameras.size(); ++i) {
    const RealDevice& camera = cameras[i];
    device::uvc::DescriptorSet set;
    set.device = camera.device;
    set.configuration = camera.configuration;
    models_.push_back(std::make_unique<DescriptorOnlyModel>(set));
    Bytes sysfs = camera.device;
    sysfs.insert(sysfs.end(), camera.configuration.begin(), camera.configuration.end());
    raw_devices_.push_back(
        std::make_unique<FakeUsbDevice>(*testbed_, *models_.back(), sysfs, camera.speed,
                                        UsbBusAddress{1, static_cast<int>(2 + i)}));
    std::string error;
    ASSERT_TRUE(raw_devices_.back()->plug(error)) << camera.name << ": " << error;
  }

  libusb_device** list = nullptr;
  const ssize_t n = libusb_get_device_list(context(), &list);
  ASSERT_EQ(n, static_cast<ssize_t>(cameras.size()));
  for (ssize_t k = 0; k < n; ++k) {
    libusb_device* dev = list[k];
    const std::size_t i = libusb_get_device_address(dev) - 2u;
    ASSERT_LT(i, cameras.size());
    const RealDevice& camera = cameras[i];
    SCOPED_TRACE(camera.name);
    libusb_device_descriptor d{};
    ASSERT_EQ(libusb_get_device_descriptor(dev, &d), 0);
    EXPECT_EQ(d.idVendor, camera.device[8] | camera.device[9] << 8);
    EXPECT_EQ(d.idProduct, camera.device[10] | camera.device[11] << 8);
    EXPECT_EQ(libusb_get_device_speed(dev),
              camera.speed == UsbSpeed::kFull ? LIBUSB_SPEED_FULL : LIBUSB_SPEED_HIGH);

    libusb_config_descriptor* config = nullptr;
    ASSERT_EQ(libusb_get_config_descriptor(dev, 0, &config), 0);
    EXPECT_EQ(config->wTotalLength, camera.configuration.size());
    EXPECT_EQ(config->bNumInterfaces, camera.configuration[4]);
    // Alternate settings per interface, counted from the raw bytes.
    std::map<int, int> alts;
    for (std::size_t at = 0; at + 2 <= camera.configuration.size() && camera.configuration[at] >= 2;
         at += camera.configuration[at])
      if (camera.configuration[at + 1] == 0x04) ++alts[camera.configuration[at + 2]];
    for (int itf = 0; itf < config->bNumInterfaces; ++itf) {
      const libusb_interface& interface = config->interface[itf];
      ASSERT_GT(interface.num_altsetting, 0);
      EXPECT_EQ(interface.num_altsetting, alts[interface.altsetting[0].bInterfaceNumber]);
    }
    libusb_free_config_descriptor(config);

    // And it opens: the raw device answers GET_DESCRIPTOR over the control endpoint.
    libusb_device_handle* h = nullptr;
    ASSERT_EQ(libusb_open(dev, &h), 0);
    unsigned char raw[18] = {};
    EXPECT_EQ(libusb_get_descriptor(h, LIBUSB_DT_DEVICE, 0, raw, sizeof raw), 18);
    EXPECT_EQ(Bytes(raw, raw + 18), camera.device);
    libusb_close(h);
  }
  libusb_free_device_list(list, 1);
}

}  // namespace
}  // namespace hilcap::testing
