// Real cameras' descriptor sets (realdata/descriptors/esp-usb/*.dev.bin +
// *.cfg.bin) served raw by fake devices: libusb enumerates every one and
// parses its configuration.
#include <map>
#include <string>

#include "real_cameras.h"
#include "usb_fixture.h"

namespace hilcap::testing {
namespace {

using Bytes = std::vector<std::uint8_t>;

class RealDescriptors : public UsbTest {
 protected:
  void TearDown() override {
    if (context_) libusb_exit(context_);
    context_ = nullptr;
    rig_.reset();
    UsbTest::TearDown();
  }
  std::unique_ptr<RealCameraRig> rig_ = std::make_unique<RealCameraRig>();
};

// Every esp-usb device (10 cameras: iso and bulk, UVC 1.0 to 1.5, one or two video functions)
// enumerates through libusb with its IDs and speed, and libusb_get_config_descriptor parses
// its configuration to the same interface and alternate setting counts.
TEST_F(RealDescriptors, EspUsbSetsEnumerateAndParse) {
  const std::vector<RealCamera> cameras = load_real_cameras(esp_usb_folder());
  if (cameras.empty())
    GTEST_SKIP() << "no real descriptor sets in '" << esp_usb_folder().string() << "'";
  std::string error;
  ASSERT_TRUE(rig_->plug(*testbed_, cameras, error)) << error;

  libusb_device** list = nullptr;
  const ssize_t n = libusb_get_device_list(context(), &list);
  ASSERT_EQ(n, static_cast<ssize_t>(cameras.size()));
  for (ssize_t k = 0; k < n; ++k) {
    libusb_device* dev = list[k];
    const std::size_t i = libusb_get_device_address(dev) - 2u;
    ASSERT_LT(i, cameras.size());
    const RealCamera& camera = cameras[i];
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
