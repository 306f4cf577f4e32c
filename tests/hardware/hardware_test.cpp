// The hardware suite: the UVC source's checks against a real camera, through
// the real USB stack (no umockdev). It picks the camera named by
// $HILCAP_CAMERA (VID:PID or VID:PID@BUS:ADDRESS), else the first UVC device
// present; with none, it exits 77 (skipped).
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli_run.h"
#include "source_client.h"

namespace hilcap::testing {
namespace {

using namespace std::chrono_literals;

uvc::DeviceSelector g_camera;

class Hardware : public ::testing::Test {
 protected:
  void SetUp() override {
    auto created = uvc::UsbContext::create();
    ASSERT_TRUE(created.ok()) << created.error();
    usb_ = created.value();
  }

  std::unique_ptr<uvc::UvcSource> open(const uvc::SourceOptions& options = {}) {
    auto source = uvc::UvcSource::open(usb_, g_camera, options);
    EXPECT_TRUE(source.ok()) << to_string(source.ok() ? uvc::SourceErrorKind::kUsb
                                                      : source.failure().kind)
                             << ": " << source.error();
    if (!source.ok()) return nullptr;
    for (const std::string& line : (*source)->stream().describe())
      std::cout << "  " << line << "\n";
    return std::move(source.value());
  }

  std::shared_ptr<uvc::UsbContext> usb_;
};

// The camera's descriptors parse without errors and offer a streamable format.
TEST_F(Hardware, DescriptorsParse) {
  auto devices = usb_->list_uvc_devices();
  ASSERT_TRUE(devices.ok()) << devices.error();
  const uvc::UvcDeviceInfo* camera = nullptr;
  for (const uvc::UvcDeviceInfo& d : devices.value())
    if (g_camera.matches(d.vendor_id, d.product_id, d.location)) camera = &d;
  ASSERT_NE(camera, nullptr);
  EXPECT_FALSE(camera->descriptors.has_errors());
  ASSERT_FALSE(camera->descriptors.configuration.video_functions.empty());
  EXPECT_TRUE(uvc::choose_stream(camera->descriptors.configuration.video_functions[0], {}).ok());
}

// The default format streams into the allocator: frames arrive, keep the KS sequence
// invariant, carry data, and (uncompressed) are whole unless flagged; timestamps are kept.
TEST_F(Hardware, DefaultFormatStreams) {
  auto source = open();
  ASSERT_NE(source, nullptr);
  auto allocator = allocator_for(*source, 6);
  ASSERT_FALSE(source->start(allocator));
  const ClientRun run = take_frames(*allocator, *source, 30, 10s);
  source->stop();
  ASSERT_EQ(run.frames.size(), 30u) << "last ALLOC status 0x" << std::hex << run.last_status;
  expect_sequence_invariant(run.frames);
  const bool uncompressed = source->stream().choice.format_kind == uvc::FormatKind::kUncompressed;
  std::int64_t last_host = 0;
  for (const ClientFrame& f : run.frames) {
    if (marked_damaged(f.info.fate)) continue;
    EXPECT_GT(f.info.data_used, 0u);
    if (uncompressed) {
      EXPECT_EQ(f.info.data_used, source->frame_size());
    }
    EXPECT_GT(f.info.host_timestamp_ns, last_host);
    last_host = f.info.host_timestamp_ns;
  }
  const uvc::SourceCounters c = source->counters();
  std::cout << "  frames delivered " << c.frames.handed_over() << ", damaged "
            << c.assembly.delivered_damaged.total() << ", dropped " << c.assembly.dropped.total()
            << " (no free frame " << c.assembly.dropped[DropReason::kStarvation] << ")\n";
  EXPECT_EQ(c.max_in_flight, uvc::SourceOptions{}.transfers);
  EXPECT_EQ(c.orphaned_transfers, 0u);
  EXPECT_FALSE(c.disconnected);
}

// Every format the camera offers negotiates (its first frame size at its default rate) and
// delivers frames; what the camera adjusted is printed.
TEST_F(Hardware, EveryFormatNegotiatesAndStreams) {
  auto devices = usb_->list_uvc_devices();
  ASSERT_TRUE(devices.ok());
  std::vector<uvc::StreamRequest> requests;
  for (const uvc::UvcDeviceInfo& d : devices.value()) {
    if (!g_camera.matches(d.vendor_id, d.product_id, d.location)) continue;
    for (const uvc::StreamingInterface& s :
         d.descriptors.configuration.video_functions.at(g_camera.function).streaming)
      for (const uvc::Format& f : s.formats)
        if (f.kind != uvc::FormatKind::kOther && !f.frames.empty())
          requests.push_back({f.name, f.frames[0].width, f.frames[0].height, 0});
  }
  ASSERT_FALSE(requests.empty());
  for (const uvc::StreamRequest& request : requests) {
    SCOPED_TRACE(request.format);
    uvc::SourceOptions options;
    options.stream = request;
    auto source = open(options);
    ASSERT_NE(source, nullptr);
    auto allocator = allocator_for(*source, 4);
    ASSERT_FALSE(source->start(allocator));
    const ClientRun run = take_frames(*allocator, *source, 5, 10s);
    EXPECT_EQ(run.frames.size(), 5u);
  }
}

// Stop right after start, with every transfer in flight, returns within its bound and leaves
// nothing orphaned; and open/start/stop/close cycles do not hang (libuvc's second-cycle hang).
TEST_F(Hardware, StopAndReopenDoNotHang) {
  for (int cycle = 0; cycle < 3; ++cycle) {
    SCOPED_TRACE(cycle);
    auto source = open();
    ASSERT_NE(source, nullptr);
    auto allocator = allocator_for(*source, 4);
    ASSERT_FALSE(source->start(allocator));
    source->stop();
    const uvc::SourceCounters c = source->counters();
    EXPECT_EQ(c.orphaned_transfers, 0u);
    EXPECT_EQ(c.transfers_submitted, c.transfers_completed);
  }
}

// `hilcap capture` with the default scenario's client: the clients get their frames and the
// report's figures add up (every frame the camera began is delivered, dropped or in flight).
TEST_F(Hardware, CaptureCommandReports) {
  usb_.reset();  // the command opens its own libusb context
  const std::filesystem::path report =
      std::filesystem::temp_directory_path() / fmt::format("hilcap-hw-{}.json", ::getpid());
  const CliRun run = run_hilcap(
      {"capture", "--device", g_camera.to_string(), "--frames", "30", "--report", report.string()});
  std::cout << run.err;
  ASSERT_EQ(run.status, 0) << run.err;
  std::ifstream in(report);
  const nlohmann::json r = nlohmann::json::parse(in);
  std::filesystem::remove(report);
  const auto& frames = r["frames"];
  EXPECT_GE(frames["received"].get<std::uint64_t>(), 30u);
  EXPECT_EQ(frames["due"].get<std::uint64_t>(),
            frames["delivered"].get<std::uint64_t>() +
                frames["dropped"]["total"].get<std::uint64_t>() +
                frames["in_flight_at_end"].get<std::uint64_t>());
  EXPECT_FALSE(r["usb"]["disconnected"].get<bool>());
}

}  // namespace
}  // namespace hilcap::testing

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  using hilcap::uvc::DeviceSelector;
  auto usb = hilcap::uvc::UsbContext::create();
  if (!usb.ok()) {
    std::cout << "skipped: libusb cannot start here (" << usb.error() << ")\n";
    return 77;
  }
  auto devices = usb.value()->list_uvc_devices();
  if (!devices.ok() || devices->empty()) {
    std::cout << "skipped: no USB Video Class camera is present\n";
    return 77;
  }
  if (const char* wanted = std::getenv("HILCAP_CAMERA")) {
    auto parsed = DeviceSelector::parse(wanted);
    if (!parsed.ok()) {
      std::cerr << "HILCAP_CAMERA: " << parsed.error() << "\n";
      return 2;
    }
    hilcap::testing::g_camera = parsed.value();
  } else {
    const hilcap::uvc::UvcDeviceInfo& first = devices->front();
    hilcap::testing::g_camera = {first.vendor_id, first.product_id, first.location.bus,
                                 first.location.address, 0};
  }
  std::cout << "camera " << hilcap::testing::g_camera.to_string() << "\n";
  usb.value().reset();
  return RUN_ALL_TESTS();
}
