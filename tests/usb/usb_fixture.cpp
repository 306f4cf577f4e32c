#include "usb_fixture.h"

#include <stdexcept>

namespace hilcap::testing {

using namespace device::uvc;

void UsbTest::SetUp() {
  testbed_ = std::make_unique<MockTestbed>();
  if (!testbed_->in_mock_environment())
    GTEST_SKIP() << "needs umockdev: run under umockdev-wrapper (meson test does)";
}

void UsbTest::TearDown() {
  if (handle_) libusb_close(handle_);
  if (context_) libusb_exit(context_);
  handle_ = nullptr;
  context_ = nullptr;
  devices_.clear();
  frames_.clear();
  testbed_.reset();
}

FakeUvcDevice& UsbTest::add_uvc_device(const UvcDeviceConfig& config, StreamFrameSource& frames,
                                       UsbBusAddress address) {
  auto created = FakeUvcDevice::create(*testbed_, config, frames, address);
  // A test's own configuration is wrong: stop that test (gtest reports the exception).
  if (!created.ok()) throw std::invalid_argument(created.errors()[0].message());
  devices_.push_back(std::move(created.value()));
  std::string error;
  if (!devices_.back()->usb().plug(error)) throw std::runtime_error("plug: " + error);
  return *devices_.back();
}

CounterPatternFrames& UsbTest::counter_frames() {
  return frames_.emplace_back();
}

libusb_context* UsbTest::context() {
  if (!context_) {
    EXPECT_EQ(libusb_init(&context_), 0);
  }
  return context_;
}

libusb_device_handle* UsbTest::open(std::uint16_t vid, std::uint16_t pid) {
  handle_ = libusb_open_device_with_vid_pid(context(), vid, pid);
  EXPECT_NE(handle_, nullptr);
  if (handle_) {
    EXPECT_EQ(libusb_set_auto_detach_kernel_driver(handle_, 1), 0);
  }
  return handle_;
}

bool UsbTest::pump_until(const std::function<bool()>& done, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    timeval tv{0, 10'000};
    if (libusb_handle_events_timeout_completed(context(), &tv, nullptr) < 0) return false;
  }
  return true;
}

int set_control(libusb_device_handle* handle, std::uint8_t selector, const ProbeCommit& block,
                std::size_t length) {
  std::vector<std::uint8_t> bytes(length);
  encode_probe_commit(block, bytes);
  return libusb_control_transfer(handle, kRequestTypeClassInterfaceOut, kSetCur,
                                 static_cast<std::uint16_t>(selector << 8), kVsInterface,
                                 bytes.data(), static_cast<std::uint16_t>(length), kTimeoutMs);
}

int get_control(libusb_device_handle* handle, std::uint8_t request, std::uint8_t selector,
                std::size_t length, ProbeCommit& block) {
  std::vector<std::uint8_t> bytes(length, 0xEE);
  const int n = libusb_control_transfer(
      handle, kRequestTypeClassInterfaceIn, request, static_cast<std::uint16_t>(selector << 8),
      kVsInterface, bytes.data(), static_cast<std::uint16_t>(length), kTimeoutMs);
  if (n > 0) block = decode_probe_commit(std::span(bytes).first(static_cast<std::size_t>(n)));
  return n;
}

ProbeCommit negotiate(libusb_device_handle* handle, std::uint8_t format, std::uint8_t frame,
                      std::uint32_t interval_100ns, std::size_t block_size) {
  ProbeCommit want;
  want.bm_hint = kHintFrameInterval;
  want.format_index = format;
  want.frame_index = frame;
  want.frame_interval_100ns = interval_100ns;
  ProbeCommit got;
  EXPECT_EQ(set_control(handle, kVsProbeControl, want, block_size), static_cast<int>(block_size));
  EXPECT_EQ(get_control(handle, kGetCur, kVsProbeControl, block_size, got),
            static_cast<int>(block_size));
  EXPECT_EQ(set_control(handle, kVsCommitControl, got, block_size), static_cast<int>(block_size));
  return got;
}

void FrameCollector::add_payload(std::span<const std::uint8_t> payload) {
  if (payload.size() < 2 || payload[0] < 2 || payload[0] > payload.size()) {
    ++malformed_;
    return;
  }
  const std::uint8_t info = payload[1];
  const int fid = info & kHeaderFid;
  if (fid_ >= 0 && fid != fid_ && !current_.data.empty()) {
    frames_.push_back(std::move(current_));
    current_ = {};
  }
  fid_ = fid;
  current_.data.insert(current_.data.end(), payload.begin() + payload[0], payload.end());
  current_.error = current_.error || (info & kHeaderErr) != 0;
  if (info & kHeaderEof) {
    current_.eof = true;
    frames_.push_back(std::move(current_));
    current_ = {};
  }
}

void FrameCollector::add_bulk_transfer(std::span<const std::uint8_t> bytes, std::size_t buffer_size,
                                       std::size_t max_payload) {
  bulk_payload_.insert(bulk_payload_.end(), bytes.begin(), bytes.end());
  if (bytes.size() < buffer_size || bulk_payload_.size() >= max_payload) {
    add_payload(bulk_payload_);
    bulk_payload_.clear();
  }
}

UvcDeviceConfig small_camera(UvcVersion version) {
  UvcDeviceConfig c;
  c.uvc_version = version;
  c.serial = "HIL-0001";
  c.transport = IsochronousTransport{{{128, 1, 1}, {256, 1, 1}, {1024, 1, 1}, {1024, 3, 1}}};
  FormatConfig yuy2;
  yuy2.format = VideoFormat::kYuy2;
  yuy2.frames = {{64, 48, DiscreteIntervals{{333333, 666666}}, 333333, 0}};
  FormatConfig mjpeg;
  mjpeg.format = VideoFormat::kMjpeg;
  mjpeg.frames = {{32, 16, DiscreteIntervals{{333333}}, 333333, 1024}};
  c.formats = {yuy2, mjpeg};
  return c;
}

UvcDeviceConfig small_bulk_camera(std::uint32_t max_payload) {
  UvcDeviceConfig c = small_camera();
  c.transport = BulkTransport{512, 1, max_payload};
  return c;
}

}  // namespace hilcap::testing
