// Enumeration, descriptors, claiming and alternate settings of a fake UVC
// device, through real libusb.
#include "descriptor_builder.h"
#include "usb_fixture.h"

namespace hilcap::testing {
namespace {

using namespace device::uvc;

class Enumeration : public UsbTest {};

// libusb enumerates the personality's device with the speed, IDs and exact descriptors built
// for it.
TEST_F(Enumeration, ListsDeviceWithBuiltDescriptors) {
  CounterPatternFrames& frames = counter_frames();
  add_uvc_device(small_camera(), frames, {1, 5});
  libusb_device** list = nullptr;
  const ssize_t n = libusb_get_device_list(context(), &list);
  ASSERT_EQ(n, 1);
  libusb_device* dev = list[0];
  EXPECT_EQ(libusb_get_bus_number(dev), 1);
  EXPECT_EQ(libusb_get_device_address(dev), 5);
  EXPECT_EQ(libusb_get_device_speed(dev), LIBUSB_SPEED_HIGH);
  libusb_device_descriptor d{};
  ASSERT_EQ(libusb_get_device_descriptor(dev, &d), 0);
  EXPECT_EQ(d.idVendor, 0xcafe);
  EXPECT_EQ(d.idProduct, 0x4010);
  EXPECT_EQ(d.bDeviceClass, 0xEF);

  const DescriptorSet expected = build_descriptors(small_camera());
  libusb_config_descriptor* config = nullptr;
  ASSERT_EQ(libusb_get_config_descriptor(dev, 0, &config), 0);
  EXPECT_EQ(config->wTotalLength, expected.configuration.size());
  ASSERT_EQ(config->bNumInterfaces, 2);
  const libusb_interface& vs = config->interface[1];
  ASSERT_EQ(vs.num_altsetting, 5);  // alt 0 + 4 isochronous settings
  EXPECT_EQ(vs.altsetting[4].endpoint[0].wMaxPacketSize, 0x1000 | 1024);
  // The VS class-specific descriptors (input header, formats, frames) come back as `extra`.
  EXPECT_EQ(vs.altsetting[0].extra[2], kVsInputHeader);
  libusb_free_config_descriptor(config);
  libusb_free_device_list(list, 1);
}

// String descriptors are read over the control endpoint, as a real device answers them.
TEST_F(Enumeration, ReadsStringDescriptors) {
  CounterPatternFrames& frames = counter_frames();
  add_uvc_device(small_camera(), frames);
  libusb_device_handle* h = open();
  ASSERT_NE(h, nullptr);
  unsigned char text[128] = {};
  ASSERT_GT(libusb_get_string_descriptor_ascii(h, kProductStringIndex, text, sizeof text), 0);
  EXPECT_STREQ(reinterpret_cast<char*>(text), "hilcap UVC device model");
  ASSERT_GT(libusb_get_string_descriptor_ascii(h, kSerialStringIndex, text, sizeof text), 0);
  EXPECT_STREQ(reinterpret_cast<char*>(text), "HIL-0001");
  EXPECT_EQ(libusb_get_string_descriptor_ascii(h, 9, text, sizeof text), LIBUSB_ERROR_PIPE);
}

// With auto-detach on, both interfaces are claimed and every alternate setting can be selected;
// one that does not exist is refused.
TEST_F(Enumeration, ClaimsAndSelectsAltSettings) {
  CounterPatternFrames& frames = counter_frames();
  add_uvc_device(small_camera(), frames);
  libusb_device_handle* h = open();
  ASSERT_NE(h, nullptr);
  EXPECT_EQ(libusb_kernel_driver_active(h, kVsInterface), 0);
  ASSERT_EQ(libusb_claim_interface(h, 0), 0);
  ASSERT_EQ(libusb_claim_interface(h, kVsInterface), 0);
  for (int alt = 4; alt >= 0; --alt)
    EXPECT_EQ(libusb_set_interface_alt_setting(h, kVsInterface, alt), 0) << alt;
  EXPECT_EQ(libusb_set_interface_alt_setting(h, kVsInterface, 5), LIBUSB_ERROR_NOT_FOUND);
  EXPECT_EQ(libusb_release_interface(h, kVsInterface), 0);
  // With auto-detach libusb claims through DISCONNECT_CLAIM, which usbfs answers with EINVAL
  // for a missing interface.
  EXPECT_EQ(libusb_claim_interface(h, 7), LIBUSB_ERROR_INVALID_PARAM);
}

// A kernel driver (uvcvideo) bound to the interface: it shows as active and blocks a plain
// claim; libusb detaches it and claims.
TEST_F(Enumeration, KernelDriverAttached) {
  CounterPatternFrames& frames = counter_frames();
  FakeUvcDevice& device = add_uvc_device(small_camera(), frames);
  device.usb().bind_kernel_driver(kVsInterface, "uvcvideo");
  handle_ = libusb_open_device_with_vid_pid(context(), 0xcafe, 0x4010);
  ASSERT_NE(handle_, nullptr);
  EXPECT_EQ(libusb_kernel_driver_active(handle_, kVsInterface), 1);
  EXPECT_EQ(libusb_claim_interface(handle_, kVsInterface), LIBUSB_ERROR_BUSY);
  ASSERT_EQ(libusb_set_auto_detach_kernel_driver(handle_, 1), 0);
  EXPECT_EQ(libusb_claim_interface(handle_, kVsInterface), 0);
  EXPECT_EQ(libusb_kernel_driver_active(handle_, kVsInterface), 0);
  // Releasing with auto-detach lets the kernel driver bind again.
  EXPECT_EQ(libusb_release_interface(handle_, kVsInterface), 0);
  EXPECT_EQ(libusb_kernel_driver_active(handle_, kVsInterface), 1);
  EXPECT_EQ(libusb_detach_kernel_driver(handle_, kVsInterface), 0);
  EXPECT_EQ(libusb_detach_kernel_driver(handle_, kVsInterface), LIBUSB_ERROR_NOT_FOUND);
}

// Claims belong to the open file, as in the kernel: a second open cannot claim an interface
// the first holds, and can once the first is closed.
TEST_F(Enumeration, ClaimsBelongToTheOpenFile) {
  CounterPatternFrames& frames = counter_frames();
  add_uvc_device(small_camera(), frames);
  libusb_device_handle* first = open();
  ASSERT_NE(first, nullptr);
  libusb_device_handle* second = nullptr;
  ASSERT_EQ(libusb_open(libusb_get_device(first), &second), 0);
  ASSERT_EQ(libusb_claim_interface(first, kVsInterface), 0);
  EXPECT_EQ(libusb_claim_interface(second, kVsInterface), LIBUSB_ERROR_BUSY);
  libusb_close(first);
  handle_ = second;
  // The close reaches the device asynchronously (umockdev notices the socket closing).
  EXPECT_TRUE(pump_until([&] { return libusb_claim_interface(second, kVsInterface) == 0; }));
}

// A SuperSpeed personality enumerates as SuperSpeed, its companions parsed by libusb.
TEST_F(Enumeration, SuperSpeedDevice) {
  UvcDeviceConfig c = small_camera(UvcVersion::k1_5);
  c.speed = UsbSpeed::kSuper;
  c.transport = IsochronousTransport{{{1024, 1, 1}, {1024, 2, 8}}};
  CounterPatternFrames& frames = counter_frames();
  add_uvc_device(c, frames);
  libusb_device** list = nullptr;
  ASSERT_EQ(libusb_get_device_list(context(), &list), 1);
  EXPECT_EQ(libusb_get_device_speed(list[0]), LIBUSB_SPEED_SUPER);
  libusb_config_descriptor* config = nullptr;
  ASSERT_EQ(libusb_get_config_descriptor(list[0], 0, &config), 0);
  libusb_ss_endpoint_companion_descriptor* companion = nullptr;
  ASSERT_EQ(libusb_get_ss_endpoint_companion_descriptor(
                context(), &config->interface[1].altsetting[2].endpoint[0], &companion),
            0);
  EXPECT_EQ(companion->bMaxBurst, 7);
  EXPECT_EQ(companion->bmAttributes, 1);
  EXPECT_EQ(companion->wBytesPerInterval, 1024 * 8 * 2);
  libusb_free_ss_endpoint_companion_descriptor(companion);
  libusb_free_config_descriptor(config);
  libusb_free_device_list(list, 1);
}

}  // namespace
}  // namespace hilcap::testing
