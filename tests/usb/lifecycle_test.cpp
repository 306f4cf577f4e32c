// Stop, timeout, unplug and hotplug with transfers in flight: every transfer
// ends exactly once, nothing hangs.
#include <fcntl.h>
#include <linux/usbdevice_fs.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "transfer_pump.h"
#include "usb_fixture.h"

namespace hilcap::testing {
namespace {

using namespace device::uvc;

int LIBUSB_CALL count_hotplug(libusb_context*, libusb_device*, libusb_hotplug_event event,
                              void* user_data) {
  auto* counts = static_cast<std::pair<int, int>*>(user_data);
  (event == LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED ? counts->first : counts->second)++;
  return 0;
}

class Lifecycle : public UsbTest {
 protected:
  libusb_device_handle* open_bulk_stream(std::uint32_t* max_payload) {
    libusb_device_handle* h = open();
    EXPECT_NE(h, nullptr);
    EXPECT_EQ(libusb_claim_interface(h, kVsInterface), 0);
    *max_payload = negotiate(h, 1, 1, 333333, kProbeCommitSize11).max_payload_transfer_size;
    return h;
  }
};

// Unplug while 4 bulk transfers are in flight: each completes once with NO_DEVICE, later
// requests fail with NO_DEVICE, and close does not hang.
TEST_F(Lifecycle, UnplugMidStream) {
  CounterPatternFrames& frames = counter_frames();
  FakeUvcDevice& device = add_uvc_device(small_bulk_camera(2048), frames);
  std::uint32_t max_payload = 0;
  libusb_device_handle* h = open_bulk_stream(&max_payload);
  TransferPump pump(h, false, 0, 0, 1024, max_payload);
  pump.stop_after(1000);
  int completed = 0;
  pump.on_transfer = [&] {
    if (++completed == 10) device.usb().unplug();
  };
  ASSERT_TRUE(pump.start(4));
  ASSERT_TRUE(pump_until([&] { return pump.in_flight() == 0; }));
  EXPECT_EQ(completed, 10);
  const auto& endings = pump.endings();
  ASSERT_EQ(endings.size(), 1u);
  EXPECT_EQ(endings.begin()->first, LIBUSB_TRANSFER_NO_DEVICE);
  EXPECT_EQ(endings.begin()->second, 3);  // the 10th was not resubmitted: 3 still in flight
  ProbeCommit block;
  EXPECT_EQ(get_control(h, kGetCur, kVsProbeControl, 34, block), LIBUSB_ERROR_NO_DEVICE);
  std::vector<std::uint8_t> buffer(1024);
  int actual = 0;
  EXPECT_EQ(libusb_bulk_transfer(h, kVideoEndpoint, buffer.data(), 1024, &actual, kTimeoutMs),
            LIBUSB_ERROR_NO_DEVICE);
  EXPECT_EQ(device.usb().transfers_in_flight(), 0u);
}

// A device destroyed while a file still has its node open (a test's teardown, libusb's event
// thread still at work): umockdev's worker goes on handing that file's ioctls over, and each
// fails with ENODEV instead of reaching the freed device. make test under ASan once aborted on
// a heap-use-after-free in FakeUsbDevice::on_ioctl there (the usb suite run as nobody).
TEST_F(Lifecycle, IoctlOnTheNodeOfADestroyedDeviceFailsWithNoDevice) {
  add_uvc_device(small_bulk_camera(2048), counter_frames());
  const int fd = ::open(devices_.back()->usb().paths().devnode.c_str(), O_RDWR | O_CLOEXEC);
  ASSERT_GE(fd, 0) << std::strerror(errno);
  std::uint32_t capabilities = 0;
  ASSERT_EQ(::ioctl(fd, USBDEVFS_GET_CAPABILITIES, &capabilities), 0) << std::strerror(errno);
  devices_.clear();
  for (int k = 0; k < 3; ++k) {
    errno = 0;
    EXPECT_EQ(::ioctl(fd, USBDEVFS_GET_CAPABILITIES, &capabilities), -1);
    EXPECT_EQ(errno, ENODEV) << std::strerror(errno);
  }
  ::close(fd);
}

// Unplug during isochronous streaming: the same, for iso transfers.
TEST_F(Lifecycle, UnplugDuringIsochronousStream) {
  CounterPatternFrames& frames = counter_frames();
  FakeUvcDevice& device = add_uvc_device(small_camera(), frames);
  libusb_device_handle* h = open();
  ASSERT_NE(h, nullptr);
  ASSERT_EQ(libusb_claim_interface(h, kVsInterface), 0);
  negotiate(h, 1, 1, 333333, kProbeCommitSize11);
  ASSERT_EQ(libusb_set_interface_alt_setting(h, kVsInterface, 1), 0);
  TransferPump pump(h, true, 8, 128, 0, 0);
  pump.stop_after(1000);
  int completed = 0;
  pump.on_transfer = [&] {
    if (++completed == 5) device.usb().unplug();
  };
  ASSERT_TRUE(pump.start(3));
  ASSERT_TRUE(pump_until([&] { return pump.in_flight() == 0; }));
  ASSERT_EQ(pump.endings().count(LIBUSB_TRANSFER_NO_DEVICE), 1u);
  EXPECT_EQ(pump.endings().at(LIBUSB_TRANSFER_NO_DEVICE), 2);
}

// The device drops off by itself (a disconnect fault at frame 2): pending transfers end with
// NO_DEVICE and libusb hears the removal.
TEST_F(Lifecycle, DeviceDisconnectsItself) {
  CounterPatternFrames& frames = counter_frames();
  FakeUvcDevice& device = add_uvc_device(small_bulk_camera(8192), frames);
  ASSERT_TRUE(device
                  .with_personality([](UvcPersonality& p) {
                    return p.set_stream_faults({{StreamFault::kDisconnect, 2, 0}});
                  })
                  .empty());
  std::pair<int, int> hotplug{0, 0};
  ASSERT_EQ(libusb_hotplug_register_callback(
                context(), LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT, LIBUSB_HOTPLUG_NO_FLAGS, 0xcafe,
                0x4010, LIBUSB_HOTPLUG_MATCH_ANY, count_hotplug, &hotplug, nullptr),
            0);
  std::uint32_t max_payload = 0;
  libusb_device_handle* h = open_bulk_stream(&max_payload);
  TransferPump pump(h, false, 0, 0, 8192, max_payload);
  pump.stop_after(1000);
  ASSERT_TRUE(pump.start(4));
  ASSERT_TRUE(pump_until([&] { return pump.in_flight() == 0 && hotplug.second == 1; }));
  EXPECT_EQ(pump.collector().frames().size(), 2u);
  EXPECT_EQ(pump.endings().at(LIBUSB_TRANSFER_NO_DEVICE), 4);
}

// Stop with transfers in flight: the device holds them; cancelling each delivers exactly one
// CANCELLED completion, then the interface is released and the device closed.
TEST_F(Lifecycle, StopWithTransfersInFlight) {
  CounterPatternFrames& frames = counter_frames();
  FakeUvcDevice& device = add_uvc_device(small_bulk_camera(2048), frames);
  std::uint32_t max_payload = 0;
  libusb_device_handle* h = open_bulk_stream(&max_payload);
  device.usb().hold_transfers(true);
  TransferPump pump(h, false, 0, 0, 1024, max_payload);
  pump.stop_after(1000);
  ASSERT_TRUE(pump.start(4));  // submission reaches the device before it returns
  EXPECT_EQ(device.usb().transfers_in_flight(), 4u);
  pump.cancel_all();
  ASSERT_TRUE(pump_until([&] { return pump.in_flight() == 0; }));
  EXPECT_EQ(pump.endings().at(LIBUSB_TRANSFER_CANCELLED), 4);
  EXPECT_EQ(pump.endings().size(), 1u);
  EXPECT_EQ(device.usb().stats().discarded, 4u);
  EXPECT_EQ(libusb_release_interface(h, kVsInterface), 0);
}

// Stop of an isochronous stream: cancel, then alternate setting 0 stops the device's stream.
TEST_F(Lifecycle, StopIsochronousStream) {
  CounterPatternFrames& frames = counter_frames();
  FakeUvcDevice& device = add_uvc_device(small_camera(), frames);
  libusb_device_handle* h = open();
  ASSERT_NE(h, nullptr);
  ASSERT_EQ(libusb_claim_interface(h, kVsInterface), 0);
  negotiate(h, 1, 1, 333333, kProbeCommitSize11);
  ASSERT_EQ(libusb_set_interface_alt_setting(h, kVsInterface, 1), 0);
  device.usb().hold_transfers(true);
  TransferPump pump(h, true, 8, 128, 0, 0);
  pump.stop_after(1000);
  ASSERT_TRUE(pump.start(3));
  pump.cancel_all();
  ASSERT_TRUE(pump_until([&] { return pump.in_flight() == 0; }));
  EXPECT_EQ(pump.endings().at(LIBUSB_TRANSFER_CANCELLED), 3);
  ASSERT_EQ(libusb_set_interface_alt_setting(h, kVsInterface, 0), 0);
  EXPECT_FALSE(device.with_personality([](UvcPersonality& p) { return p.stream() != nullptr; }));
}

// A transfer the device never answers times out: libusb discards it and reports TIMED_OUT.
TEST_F(Lifecycle, HeldTransferTimesOut) {
  CounterPatternFrames& frames = counter_frames();
  FakeUvcDevice& device = add_uvc_device(small_bulk_camera(2048), frames);
  std::uint32_t max_payload = 0;
  libusb_device_handle* h = open_bulk_stream(&max_payload);
  device.usb().hold_transfers(true);
  std::vector<std::uint8_t> buffer(1024);
  int actual = -1;
  EXPECT_EQ(libusb_bulk_transfer(h, kVideoEndpoint, buffer.data(), 1024, &actual, 50),
            LIBUSB_ERROR_TIMEOUT);
  EXPECT_EQ(actual, 0);
  device.usb().hold_transfers(false);
  EXPECT_EQ(libusb_bulk_transfer(h, kVideoEndpoint, buffer.data(), 1024, &actual, kTimeoutMs), 0);
  EXPECT_EQ(actual, 1024);
}

// Hotplug: libusb reports the device's arrival and its departure.
TEST_F(Lifecycle, HotplugArrivalAndDeparture) {
  if (!libusb_has_capability(LIBUSB_CAP_HAS_HOTPLUG)) GTEST_SKIP() << "libusb without hotplug";
  std::pair<int, int> hotplug{0, 0};
  libusb_hotplug_callback_handle callback = 0;
  ASSERT_EQ(libusb_hotplug_register_callback(
                context(),
                static_cast<libusb_hotplug_event>(LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED |
                                                  LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT),
                LIBUSB_HOTPLUG_NO_FLAGS, 0xcafe, 0x4010, LIBUSB_HOTPLUG_MATCH_ANY, count_hotplug,
                &hotplug, &callback),
            0);
  CounterPatternFrames& frames = counter_frames();
  FakeUvcDevice& device = add_uvc_device(small_camera(), frames);
  ASSERT_TRUE(pump_until([&] { return hotplug.first == 1; }));
  handle_ = libusb_open_device_with_vid_pid(context(), 0xcafe, 0x4010);
  ASSERT_NE(handle_, nullptr);
  device.usb().unplug();
  ASSERT_TRUE(pump_until([&] { return hotplug.second == 1; }));
  EXPECT_EQ(hotplug.first, 1);
  libusb_close(handle_);
  handle_ = nullptr;
  // Gone from a fresh enumeration too; plugged again, it arrives again.
  libusb_context* fresh = nullptr;
  ASSERT_EQ(libusb_init(&fresh), 0);
  libusb_device** list = nullptr;
  EXPECT_EQ(libusb_get_device_list(fresh, &list), 0);
  libusb_free_device_list(list, 1);
  libusb_exit(fresh);
  std::string error;
  ASSERT_TRUE(device.usb().plug(error)) << error;
  ASSERT_TRUE(pump_until([&] { return hotplug.first == 2; }));
  handle_ = libusb_open_device_with_vid_pid(context(), 0xcafe, 0x4010);
  ASSERT_NE(handle_, nullptr);
  ProbeCommit block;
  EXPECT_EQ(get_control(handle_, kGetCur, kVsProbeControl, 34, block), 34);
  libusb_hotplug_deregister_callback(context(), callback);
}

}  // namespace
}  // namespace hilcap::testing
