// What the USB tests share: a umockdev testbed per test with fake devices on
// it, a libusb context, bounded event pumping (the usbfs node of a umockdev
// device is a regular file, so libusb polls it busily: keep waits short), and
// small UVC helpers (PROBE/COMMIT, a FID/EOF frame collector).
#pragma once

#include <gtest/gtest.h>
#include <hilcap/device/uvc_protocol.h>
#include <libusb-1.0/libusb.h>

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "counter_frames.h"
#include "fake_uvc_device.h"
#include "mock_testbed.h"

namespace hilcap::testing {

inline constexpr unsigned kTimeoutMs = 1000;  // every libusb call is bounded
inline constexpr std::uint8_t kVsInterface = device::uvc::kStreamingInterface;
inline constexpr std::uint8_t kVideoEndpoint = device::uvc::kStreamingEndpoint;

class UsbTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // A fake UVC device on the testbed (plugged: libusb sees it when it starts,
  // or as a hotplug arrival).
  FakeUvcDevice& add_uvc_device(const device::uvc::UvcDeviceConfig& config,
                                device::uvc::StreamFrameSource& frames, UsbBusAddress address = {});
  // A counter-pattern producer owned by the test, so it outlives the fake
  // devices that umockdev's worker may still be answering for.
  CounterPatternFrames& counter_frames();
  libusb_context* context();
  // Opens the device and turns on kernel driver auto-detach.
  libusb_device_handle* open(std::uint16_t vid = 0xcafe, std::uint16_t pid = 0x4010);
  // Handles libusb events until `done` or the deadline; false on timeout.
  bool pump_until(const std::function<bool()>& done,
                  std::chrono::milliseconds limit = std::chrono::milliseconds(5000));

  std::unique_ptr<MockTestbed> testbed_;
  std::deque<CounterPatternFrames> frames_;  // destroyed after devices_
  std::vector<std::unique_ptr<FakeUvcDevice>> devices_;
  libusb_context* context_ = nullptr;
  libusb_device_handle* handle_ = nullptr;
};

// SET_CUR / GET_xxx on the VideoStreaming PROBE or COMMIT control.
int set_control(libusb_device_handle* handle, std::uint8_t selector,
                const device::uvc::ProbeCommit& block, std::size_t length);
int get_control(libusb_device_handle* handle, std::uint8_t request, std::uint8_t selector,
                std::size_t length, device::uvc::ProbeCommit& block);
// PROBE SET/GET then COMMIT with what the device answered; returns the committed block.
device::uvc::ProbeCommit negotiate(libusb_device_handle* handle, std::uint8_t format,
                                   std::uint8_t frame, std::uint32_t interval_100ns,
                                   std::size_t block_size);

struct ReceivedFrame {
  std::vector<std::uint8_t> data;
  bool eof = false;    // ended by EOF (else by a FID toggle)
  bool error = false;  // a payload carried ERR
};

// Reassembles payloads into frames by FID and EOF: the trivial check the
// tests need, not the host's reassembler.
class FrameCollector {
 public:
  void add_payload(std::span<const std::uint8_t> payload);
  // Bulk: bytes of one transfer; a short transfer or `max_payload` bytes end a payload.
  void add_bulk_transfer(std::span<const std::uint8_t> bytes, std::size_t buffer_size,
                         std::size_t max_payload);
  const std::vector<ReceivedFrame>& frames() const { return frames_; }
  std::size_t malformed() const { return malformed_; }

 private:
  std::vector<ReceivedFrame> frames_;
  ReceivedFrame current_;
  int fid_ = -1;
  std::size_t malformed_ = 0;
  std::vector<std::uint8_t> bulk_payload_;
};

// High-speed UVC 1.1 camera with a 64x48 YUY2 frame at 30/15 fps and a 32x16
// MJPEG frame, isochronous alternate settings of 128, 256, 1024 and 3x1024.
device::uvc::UvcDeviceConfig small_camera(
    device::uvc::UvcVersion version = device::uvc::UvcVersion::k1_1);
// The same camera on a bulk endpoint, payloads of at most `max_payload` bytes.
device::uvc::UvcDeviceConfig small_bulk_camera(std::uint32_t max_payload);

}  // namespace hilcap::testing
