// What the UVC source says when it cannot stream: no such device, several
// devices, format not offered, kernel driver attached, interface busy,
// bandwidth refused, permission denied, a device that fails negotiation. Each
// failure has a kind a program can act on and a message that says what to do.
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "source_fixture.h"

namespace hilcap::testing {
namespace {

using namespace device::uvc;
using ::testing::HasSubstr;
using uvc::SourceErrorKind;

class SourceErrors : public SourceTest {};

// No device with that VID:PID: the message lists the video devices that are present.
TEST_F(SourceErrors, NoSuchDeviceListsWhatIsPresent) {
  add_model_device(model_config(), presentation(true));
  auto source = open_source("1234:5678");
  ASSERT_FALSE(source.ok());
  EXPECT_EQ(source.failure().kind, SourceErrorKind::kNoSuchDevice);
  EXPECT_THAT(source.error(), HasSubstr("no USB device 1234:5678"));
  EXPECT_THAT(source.error(), HasSubstr("cafe:4011 (bus 1 device 2)"));
}

// Nothing at all: said so.
TEST_F(SourceErrors, NoDevicesAtAll) {
  auto source = open_source("1234:5678");
  ASSERT_FALSE(source.ok());
  EXPECT_EQ(source.failure().kind, SourceErrorKind::kNoSuchDevice);
  EXPECT_THAT(source.error(), HasSubstr("no USB video device is present"));
}

// Two devices with the same IDs: the source does not guess; @BUS:ADDRESS picks one.
TEST_F(SourceErrors, SeveralMatchesNeedAnAddress) {
  add_model_device(model_config(), presentation(true), Pacing::kOnDemand, {1, 2});
  add_model_device(model_config(), presentation(true), Pacing::kOnDemand, {1, 3});
  auto ambiguous = open_source("cafe:4011");
  ASSERT_FALSE(ambiguous.ok());
  EXPECT_EQ(ambiguous.failure().kind, SourceErrorKind::kAmbiguousDevice);
  EXPECT_THAT(ambiguous.error(), HasSubstr("cafe:4011@1:2, cafe:4011@1:3"));
  auto chosen = open_source("cafe:4011@1:3");
  ASSERT_TRUE(chosen.ok()) << chosen.error();
  EXPECT_EQ((*chosen)->stream().device.location.address, 3);
}

// A format, size or rate the device does not offer: the message lists what it offers.
TEST_F(SourceErrors, FormatNotOfferedListsTheOffer) {
  add_model_device(model_config(), presentation(true));
  uvc::SourceOptions mjpeg;
  mjpeg.stream.format = "MJPEG";
  auto a = open_source("cafe:4011", mjpeg);
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.failure().kind, SourceErrorKind::kFormatNotOffered);
  EXPECT_THAT(a.error(), HasSubstr("format 'MJPEG' not offered; offered: YUY2"));
  uvc::SourceOptions size;
  size.stream.width = 640;
  size.stream.height = 480;
  auto b = open_source("cafe:4011", size);
  ASSERT_FALSE(b.ok());
  EXPECT_THAT(b.error(), HasSubstr("size 640x480 not offered for any format; offered: 160x120"));
  uvc::SourceOptions rate;
  rate.stream.fps = 60;
  auto c = open_source("cafe:4011", rate);
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.error(), HasSubstr("60 fps not offered"));
  EXPECT_THAT(c.error(), HasSubstr("offered: 30 fps"));
}

// A kernel driver on the streaming interface: detached (and said so) by default, attached
// again on close; refused with the unbind command when detaching is not allowed.
TEST_F(SourceErrors, KernelDriverAttached) {
  ModelUvcDevice& device = add_model_device(model_config(), presentation(true));
  device.usb().bind_kernel_driver(kStreamingInterface, "uvcvideo");
  uvc::SourceOptions keep;
  keep.detach_kernel_driver = false;
  auto refused = open_source("cafe:4011", keep);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.failure().kind, SourceErrorKind::kKernelDriver);
  EXPECT_THAT(refused.error(), HasSubstr("bound to a kernel driver"));
  EXPECT_THAT(refused.error(),
              HasSubstr("echo -n '1-1:1.1' | sudo tee /sys/bus/usb/drivers/uvcvideo/unbind"));

  auto source = open_source();
  ASSERT_TRUE(source.ok()) << source.error();
  EXPECT_TRUE((*source)->stream().kernel_driver_detached);
  EXPECT_THAT((*source)->stream().notes.front(), HasSubstr("detached the kernel driver"));
  source.value().reset();
  libusb_device_handle* h = libusb_open_device_with_vid_pid(context(), 0xcafe, 0x4011);
  ASSERT_NE(h, nullptr);
  EXPECT_EQ(libusb_kernel_driver_active(h, kStreamingInterface), 1);  // attached again
  libusb_close(h);
}

// Another program holds the interface: reported as busy, not as a driver problem.
TEST_F(SourceErrors, InterfaceClaimedElsewhere) {
  add_model_device(model_config(), presentation(true));
  libusb_device_handle* other = open(0xcafe, 0x4011);
  ASSERT_NE(other, nullptr);
  ASSERT_EQ(libusb_claim_interface(other, kStreamingInterface), 0);
  auto source = open_source();
  ASSERT_FALSE(source.ok());
  EXPECT_EQ(source.failure().kind, SourceErrorKind::kBusy);
  EXPECT_THAT(source.error(), HasSubstr("claimed by another program"));
}

// The host refuses the isochronous alternate setting (xHCI answers ENOSPC when the bus lacks
// bandwidth): start() reports missing bandwidth, with what was asked and the errno.
TEST_F(SourceErrors, BandwidthRefusedByTheBus) {
  ModelUvcDevice& device = add_model_device(model_config(), presentation(false));
  device.usb().fail_alt_settings(ENOSPC);
  auto source = open_source();
  ASSERT_TRUE(source.ok()) << source.error();
  auto allocator = allocator_for(**source);
  const auto refused = (*source)->start(allocator);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->kind, SourceErrorKind::kBandwidth);
  EXPECT_THAT(refused->message, HasSubstr("bandwidth not available"));
  EXPECT_THAT(refused->message, HasSubstr("ENOSPC"));
  EXPECT_THAT(refused->message,
              HasSubstr(fmt::format("alternate setting {}",
                                    (*source)->stream().endpoint.alternate_setting)));
}

// Permission denied on the device node: the message gives the udev rule line that fixes it.
// Root opens any node, so this runs in the as-nobody pass of the suite.
TEST_F(SourceErrors, PermissionDeniedGivesTheUdevRule) {
  if (::geteuid() == 0) GTEST_SKIP() << "root opens any device node; covered by usb-as-nobody";
  add_model_device(model_config(), presentation(true));
  ASSERT_EQ(::chmod((testbed_->root_dir() + "/dev/bus/usb/001/002").c_str(), 0), 0);
  auto source = open_source();
  ASSERT_FALSE(source.ok());
  EXPECT_EQ(source.failure().kind, SourceErrorKind::kAccessDenied);
  EXPECT_THAT(source.error(), HasSubstr("permission denied on /dev/bus/usb/001/002"));
  EXPECT_THAT(source.error(),
              HasSubstr("SUBSYSTEM==\"usb\", ATTR{idVendor}==\"cafe\", "
                        "ATTR{idProduct}==\"4011\", MODE=\"0660\", GROUP=\"plugdev\""));
}

// A device that stalls PROBE: negotiation fails and names the request and the STALL.
TEST_F(SourceErrors, ProbeStallIsExplained) {
  CounterPatternFrames& frames = counter_frames();
  UvcDeviceConfig config = small_bulk_camera(4096);
  config.negotiation.stall_probe = true;
  add_uvc_device(config, frames);
  auto source = open_source("cafe:4010");
  ASSERT_FALSE(source.ok());
  EXPECT_EQ(source.failure().kind, SourceErrorKind::kNegotiation);
  EXPECT_THAT(source.error(), HasSubstr("refused PROBE SET_CUR (34 bytes) with a STALL"));
}

// A PROBE answer shorter than any UVC block is refused, saying how long it was.
TEST_F(SourceErrors, TooShortProbeAnswerIsRefused) {
  CounterPatternFrames& frames = counter_frames();
  UvcDeviceConfig config = small_bulk_camera(4096);
  config.negotiation.short_reply_bytes = 10;
  add_uvc_device(config, frames);
  auto source = open_source("cafe:4010");
  ASSERT_FALSE(source.ok());
  EXPECT_EQ(source.failure().kind, SourceErrorKind::kNegotiation);
  EXPECT_THAT(source.error(), HasSubstr("PROBE answer is 10 bytes"));
}

// A UVC 1.1 device answering PROBE with the 26-byte 1.0 block is tolerated, with a note.
TEST_F(SourceErrors, ShortButUsableProbeAnswerIsNoted) {
  CounterPatternFrames& frames = counter_frames();
  UvcDeviceConfig config = small_bulk_camera(4096);
  config.negotiation.short_reply_bytes = 26;
  add_uvc_device(config, frames);
  auto source = open_source("cafe:4010");
  ASSERT_TRUE(source.ok()) << source.error();
  EXPECT_THAT((*source)->stream().notes, ::testing::Contains(HasSubstr("answered 26 of 34 bytes")));
}

}  // namespace
}  // namespace hilcap::testing
