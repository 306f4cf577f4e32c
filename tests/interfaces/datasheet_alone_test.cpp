// host/'s view of the device, in the spirit of libcamera's test/public-api.cpp:
// the device's datasheet and host's own public headers, compiled as host/
// is, with nothing of the device's implementation (no
// HILCAP_DEVICE_INTERNALS). Every implementation header includes
// <hilcap/device_internal.h>, which refuses to compile here, so this file
// does not build when one of these headers pulls a device internal in.
#include <gtest/gtest.h>
#include <hilcap/capture_filter.h>
#include <hilcap/capture_pin.h>
#include <hilcap/device/control.h>
#include <hilcap/device/datasheet.h>
#include <hilcap/device/frame_format.h>
#include <hilcap/device/frame_header.h>
#include <hilcap/device/interrupt_line.h>
#include <hilcap/device/ring_entries.h>
#include <hilcap/device/rings.h>
#include <hilcap/device/timebase.h>
#include <hilcap/device/uvc_protocol.h>
#include <hilcap/frame_info.h>
#include <hilcap/frame_source.h>
#include <hilcap/ks.h>
#include <hilcap/ks_extensions.h>
#include <hilcap/ks_filter.h>
#include <hilcap/ks_video.h>
#include <hilcap/stream_allocator.h>
#include <hilcap/uvc/camera_pin.h>
#include <hilcap/uvc/descriptor_parser.h>
#include <hilcap/uvc/descriptors.h>
#include <hilcap/uvc/frame_assembler.h>
#include <hilcap/uvc/payload_header.h>
#include <hilcap/uvc/result.h>
#include <hilcap/uvc/stream_config.h>
#include <hilcap/uvc/usb_devices.h>
#include <hilcap/uvc/uvc_source.h>
#include <hilcap/win32_base.h>

namespace hilcap {
namespace {

// Guards the folder rule: what host/ sees of the device is built without the
// device's internals (and so cannot name one).
TEST(DatasheetAlone, HostSeesNoDeviceInternal) {
#ifdef HILCAP_DEVICE_INTERNALS
  FAIL() << "built with HILCAP_DEVICE_INTERNALS: host/'s flags reach the device's implementation";
#endif
  // The datasheet is enough to name what host/ drives.
  EXPECT_GT(sizeof(device::CompletionEntry), 0u);
  EXPECT_GT(sizeof(CapturePinStats), 0u);
}

}  // namespace
}  // namespace hilcap
