// DeviceSelector parsing and the errno that libusb's log lines reveal.
#include <gtest/gtest.h>
#include <hilcap/uvc/usb_devices.h>

#include "libusb_support.h"

namespace hilcap::uvc {
namespace {

// Guards the selector syntax: VID:PID in hex, @BUS:ADDRESS in decimal; anything else is
// refused with a message that shows the expected form.
TEST(DeviceSelector, Parses) {
  auto plain = DeviceSelector::parse("046d:0825");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->vendor_id, 0x046d);
  EXPECT_EQ(plain->product_id, 0x0825);
  EXPECT_FALSE(plain->bus);
  EXPECT_EQ(plain->to_string(), "046d:0825");
  auto placed = DeviceSelector::parse("CAFE:4011@3:17");
  ASSERT_TRUE(placed.ok());
  EXPECT_EQ(placed->vendor_id, 0xcafe);
  EXPECT_EQ(*placed->bus, 3);
  EXPECT_EQ(*placed->address, 17);
  EXPECT_EQ(placed->to_string(), "cafe:4011@3:17");
  EXPECT_TRUE(placed->matches(0xcafe, 0x4011, {3, 17, {}}));
  EXPECT_FALSE(placed->matches(0xcafe, 0x4011, {3, 18, {}}));
  for (const char* bad : {"", "046d", "046d:", "12345:1", "046d:0825@1", "046d:0825@1:256",
                          "zz:0825", "046d:0825@a:b", "@", "#", "046d:0825#", "@1", "1:4@"}) {
    auto r = DeviceSelector::parse(bad);
    EXPECT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.error().find("expected VID:PID in hex"), std::string::npos) << r.error();
  }
}

// Guards the other forms a scenario's "usb" key and --device take: a place alone, a serial
// number alone or after VID:PID; each prints back as written.
TEST(DeviceSelector, PlaceAndSerialForms) {
  auto place = DeviceSelector::parse("@1:4");
  ASSERT_TRUE(place.ok()) << place.error();
  EXPECT_FALSE(place->by_id);
  EXPECT_TRUE(place->matches(0x1234, 0x5678, {1, 4, {}}));
  EXPECT_FALSE(place->matches(0x1234, 0x5678, {1, 5, {}}));
  EXPECT_EQ(place->to_string(), "@1:4");
  auto serial = DeviceSelector::parse("#A1B2:C3@D4");
  ASSERT_TRUE(serial.ok()) << serial.error();
  EXPECT_FALSE(serial->by_id);
  EXPECT_EQ(serial->serial, "A1B2:C3@D4");  // everything after '#' is the serial number
  EXPECT_TRUE(serial->matches_serial("A1B2:C3@D4"));
  EXPECT_FALSE(serial->matches_serial("A1B2"));
  auto both = DeviceSelector::parse("046d:0825#MODEL-1");
  ASSERT_TRUE(both.ok()) << both.error();
  EXPECT_TRUE(both->by_id);
  EXPECT_FALSE(both->matches(0x046d, 0x0826, {1, 4, {}}));
  EXPECT_EQ(both->to_string(), "046d:0825#MODEL-1");
}

// Guards the sysfs name and device node of a location.
TEST(DeviceLocation, Names) {
  const DeviceLocation where{1, 4, {1, 4, 2}};
  EXPECT_EQ(where.sysfs_name(), "1-1.4.2");
  EXPECT_EQ(where.device_node(), "/dev/bus/usb/001/004");
  EXPECT_EQ((DeviceLocation{2, 1, {}}).sysfs_name(), "usb2");
}

// Guards reading the hidden errno: the newest "errno=N" line wins; none gives nothing.
TEST(LibusbLog, ErrnoOfTheNewestLine) {
  EXPECT_EQ(errno_in_log({"libusb: error [op_set_interface] set interface failed, errno=28",
                          "libusb: warning [x] nothing"}),
            28);
  EXPECT_EQ(errno_in_log({"errno=5", "errno=28"}), 28);
  EXPECT_FALSE(errno_in_log({"no number here", "errno=x"}));
}

}  // namespace
}  // namespace hilcap::uvc
