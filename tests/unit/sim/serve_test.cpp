// `hilcap serve` without QEMU: a test usb-guest takes QEMU's side of the
// socket, negotiates like uvcvideo and reads frames; the report says what it did.
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <hilcap/device/frame_header.h>
#include <hilcap/device/uvc_protocol.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "cli/cli.h"
#include "control_request.h"
#include "descriptor_builder.h"
#include "guest_peer.h"
#include "scenario/scenario_loader.h"
#include "serve/serve_run.h"

namespace hilcap::sim {
namespace {

namespace uvc = device::uvc;
using testing::GuestPeer;
using ::testing::HasSubstr;

Scenario serve_scenario(const std::string& device) {
  LoadedScenario loaded = parse_scenario(R"({"duration_s": 1, "device": )" + device + "}",
                                         "serve.json", ".", disk_file_reader());
  EXPECT_TRUE(loaded.scenario) << (loaded.errors.empty() ? "" : loaded.errors[0].to_string());
  return std::move(*loaded.scenario);
}

// A listening unix socket in the test's own directory (QEMU with server=on).
class Listener {
 public:
  Listener() {
    path_ = (std::filesystem::path(::testing::TempDir()) /
             ("hilcap-serve-" + std::to_string(::getpid()) + ".sock"))
                .string();
    std::filesystem::remove(path_);
    fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::snprintf(address.sun_path, sizeof address.sun_path, "%s", path_.c_str());
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    EXPECT_EQ(listen(fd_, 1), 0);
  }
  ~Listener() {
    close(fd_);
    std::filesystem::remove(path_);
  }
  int accept_one() const { return accept4(fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  int fd_ = -1;
};

struct Served {
  ServeOutcome outcome;
  std::thread thread;
};

void start_serving(Served& served, const std::string& device, const Listener& listener,
                   std::atomic<bool>* stop, std::ostream& log, std::size_t timeline_buckets = 0) {
  ServeSettings settings{
      serve_scenario(device),
      std::get<bus::SocketAddress>(bus::SocketAddress::parse("unix:" + listener.path()))};
  settings.listen = false;
  settings.interrupted = stop;
  settings.log = &log;
  settings.timeline_buckets = timeline_buckets;
  served.thread = std::thread(
      [&served, settings = std::move(settings)] { served.outcome = run_serve(settings); });
}

// What a host does before it streams from the 64x48 camera of these tests:
// GET_DESCRIPTOR, PROBE (set, then get) for 100 fps at the UVC 1.1 block
// size, COMMIT of what the camera answered. `payload`: the bulk transfer size
// the camera committed.
void negotiate_64x48_at_100fps(GuestPeer& guest, std::uint32_t& payload) {
  guest.control(1, 0x80, uvc::kRequestGetDescriptor, 0x0200, 0, 4096);
  uvc::ProbeCommit probe;
  probe.bm_hint = uvc::kHintFrameInterval;
  probe.format_index = 1;
  probe.frame_index = 1;
  probe.frame_interval_100ns = 100000;
  std::vector<std::uint8_t> block(uvc::kProbeCommitSize11);
  uvc::encode_probe_commit(probe, block);
  guest.control(2, uvc::kRequestTypeClassInterfaceOut, uvc::kSetCur, uvc::kVsProbeControl << 8,
                uvc::kStreamingInterface, static_cast<std::uint16_t>(block.size()), block);
  guest.control(3, uvc::kRequestTypeClassInterfaceIn, uvc::kGetCur, uvc::kVsProbeControl << 8,
                uvc::kStreamingInterface, static_cast<std::uint16_t>(block.size()));
  ASSERT_TRUE(guest.pump_until_message("control", 3));
  EXPECT_EQ(guest.last("control", 1)->status, usb_redir_success);
  const std::vector<std::uint8_t> answer = guest.last("control", 3)->data;
  ASSERT_EQ(answer.size(), uvc::kProbeCommitSize11);
  const uvc::ProbeCommit negotiated = uvc::decode_probe_commit(answer);
  EXPECT_EQ(negotiated.max_video_frame_size, 64u * 48 * 2);
  guest.control(4, uvc::kRequestTypeClassInterfaceOut, uvc::kSetCur, uvc::kVsCommitControl << 8,
                uvc::kStreamingInterface, static_cast<std::uint16_t>(answer.size()), answer);
  ASSERT_TRUE(guest.pump_until_message("control", 4));
  payload = negotiated.max_payload_transfer_size;
}

// Guards the whole path without QEMU: the device is announced, answers
// GET_DESCRIPTOR and PROBE/COMMIT at the UVC 1.1 block size, streams its
// frames over bulk in real time (each a payload whose frame verifies, in
// sequence, FID toggling, EOF set), and when the peer closes the connection
// the run ends with a report of what the host did.
TEST(ServeRun, BulkCameraEndToEnd) {
  Listener listener;
  std::atomic<bool> stop{false};
  std::ostringstream log;
  Served served;
  start_serving(served,
                R"({"width": 64, "height": 48, "timing": {"fps": 100},
                    "uvc": {"transport": "bulk", "id": "cafe:4321"}})",
                listener, &stop, log);
  const int fd = listener.accept_one();
  ASSERT_GE(fd, 0);
  GuestPeer guest(fd);
  ASSERT_TRUE(guest.pump_until_message("device_connect"));
  EXPECT_EQ(guest.last("device_connect")->device_connect.product_id, 0x4321);
  std::uint32_t payload = 0;
  ASSERT_NO_FATAL_FAILURE(negotiate_64x48_at_100fps(guest, payload));
  for (std::uint64_t i = 0; i < 5; ++i)
    guest.bulk_in(100 + i, uvc::kStreamingEndpoint, payload);
  ASSERT_TRUE(guest.pump_until_message("bulk", 104));
  std::uint8_t fid = 2;
  for (std::uint64_t i = 0; i < 5; ++i) {
    const std::vector<std::uint8_t>& data = guest.last("bulk", 100 + i)->data;
    ASSERT_EQ(data.size(), payload);
    EXPECT_EQ(data[0], 12);
    EXPECT_NE(data[1] & uvc::kHeaderEof, 0);
    EXPECT_NE(data[1] & uvc::kHeaderFid, fid);
    fid = data[1] & uvc::kHeaderFid;
    const device::FrameVerdict verdict =
        device::verify_frame(std::as_bytes(std::span(data).subspan(12)));
    EXPECT_EQ(verdict.check, device::FrameCheck::kOk);
    EXPECT_EQ(verdict.header.sequence, i);
  }
  guest.close();
  served.thread.join();
  ASSERT_TRUE(served.outcome.errors.empty()) << served.outcome.errors[0];
  EXPECT_EQ(served.outcome.ended, "the peer closed the connection");
  const nlohmann::json r = served.outcome.report->to_json(WallTime::kOmit);
  EXPECT_EQ(r["uvc"]["commit"]["frame_interval_100ns"], 100000);
  EXPECT_EQ(r["uvc"]["probe"]["requested"]["frame_interval_100ns"], 100000);
  EXPECT_EQ(r["uvc"]["requests"]["probe"]["set_cur"], 1);
  EXPECT_EQ(r["uvc"]["requests"]["commit"]["set_cur"], 1);
  EXPECT_EQ(r["usb"]["control"]["get_descriptor"], 1);
  EXPECT_EQ(r["usb"]["bulk"]["completed"], 5);
  EXPECT_EQ(r["usb"]["bulk"]["bytes"], 5 * payload);
  EXPECT_EQ(r["frames"]["sent"], 5);
  EXPECT_EQ(r["frames"]["offered"], 5);
  EXPECT_EQ(r["serve"]["transport"], "bulk");
  EXPECT_EQ(r["protocol"]["malformed"], 0);
  EXPECT_THAT(log.str(), HasSubstr("COMMIT format 1 frame 1 (64x48)"));
}

// Guards serve's page over time (issue 14: `serve --html` charts the frames
// over time like a run's): with a timeline asked for, every frame due and
// every drop, by the report's reason name, is in the timeline, as is each
// sent frame's lateness; the frames' owners and pending requests, which a
// served camera never sees (the host is a guest kernel), are not.
TEST(ServeRun, TimelineHoldsTheFramesDueDroppedAndTheirLateness) {
  Listener listener;
  std::atomic<bool> stop{false};
  std::ostringstream log;
  Served served;
  start_serving(served,
                R"({"width": 64, "height": 48, "timing": {"fps": 100, "drop_frames": [2]},
                    "uvc": {"transport": "bulk"}})",
                listener, &stop, log, 100);
  const int fd = listener.accept_one();
  ASSERT_GE(fd, 0);
  GuestPeer guest(fd);
  ASSERT_TRUE(guest.pump_until_message("device_connect"));
  std::uint32_t payload = 0;
  ASSERT_NO_FATAL_FAILURE(negotiate_64x48_at_100fps(guest, payload));
  for (std::uint64_t i = 0; i < 5; ++i)
    guest.bulk_in(100 + i, uvc::kStreamingEndpoint, payload);
  ASSERT_TRUE(guest.pump_until_message("bulk", 104));
  guest.close();
  served.thread.join();
  ASSERT_TRUE(served.outcome.errors.empty()) << served.outcome.errors[0];
  ASSERT_NE(served.outcome.timeline, nullptr);
  const nlohmann::json r = served.outcome.report->to_json(WallTime::kOmit);
  const nlohmann::json t = served.outcome.timeline->to_json();
  const auto total = [&t](const char* series) {
    std::uint64_t sum = 0;
    for (const auto& n : t["series"][series]["sum"])
      sum += n.get<std::uint64_t>();
    return sum;
  };
  EXPECT_EQ(r["frames"]["dropped"]["by_reason"]["scheduled"], 1);
  EXPECT_EQ(total("dropped.scheduled"), 1u);
  EXPECT_EQ(total("due"), r["frames"]["due"].get<std::uint64_t>());
  EXPECT_GE(total("due"), 6u);  // frames 0-5, frame 2 dropped
  std::size_t lateness_buckets = 0;
  for (const auto& v : t["series"]["lateness_us"]["max"])
    lateness_buckets += v.is_null() ? 0 : 1;
  EXPECT_GE(lateness_buckets, 1u);
  EXPECT_FALSE(t["series"].contains("at_device"));
  EXPECT_FALSE(t["series"].contains("pending"));
  EXPECT_GT(t["end_s"].get<double>(), 0.0);
}

// Guards Ctrl-C: the stop flag ends a serve with its report, and a scenario
// whose default presentation cannot be served says why at its pointer.
TEST(ServeRun, StopsOnInterruptAndRefusesWhatCannotBeServed) {
  Listener listener;
  std::atomic<bool> stop{false};
  std::ostringstream log;
  Served served;
  start_serving(served, R"({"width": 64, "height": 48})", listener, &stop, log);
  const int fd = listener.accept_one();
  ASSERT_GE(fd, 0);
  GuestPeer guest(fd);
  ASSERT_TRUE(guest.pump_until_message("device_connect"));
  stop = true;
  served.thread.join();
  EXPECT_EQ(served.outcome.ended, "interrupted");
  EXPECT_TRUE(served.outcome.report);

  Served refused;
  ServeSettings settings{
      serve_scenario(R"({"width": 1920, "height": 1080, "timing": {"fps": 60}})"),
      std::get<bus::SocketAddress>(bus::SocketAddress::parse("unix:/nonexistent"))};
  settings.log = &log;
  refused.outcome = run_serve(settings);
  ASSERT_EQ(refused.outcome.errors.size(), 1u);
  EXPECT_THAT(refused.outcome.errors[0], HasSubstr("serve.json: at /device/format"));
  EXPECT_FALSE(refused.outcome.report);
}

// Guards the command line: one of --listen or --connect, and a well-formed address.
TEST(ServeCommand, ArgumentErrors) {
  std::ostringstream out, err;
  CliContext context;
  context.out = &out;
  context.err = &err;
  context.getenv = [](const char*) -> const char* { return nullptr; };
  context.wall_seconds = [] { return 0.0; };
  const auto cli = [&](std::vector<const char*> args) {
    args.insert(args.begin(), "hilcap");
    return run_cli(static_cast<int>(args.size()), args.data(), context);
  };
  EXPECT_EQ(cli({"serve", "x.json"}), kExitUsage);
  EXPECT_THAT(err.str(), HasSubstr("give one of --listen ADDRESS or --connect ADDRESS"));
  EXPECT_EQ(cli({"serve", "x.json", "--listen", "/tmp/sock"}), kExitUsage);
  EXPECT_THAT(err.str(),
              HasSubstr("--listen: expected unix:PATH or tcp:HOST:PORT, found \"/tmp/sock\""));
  EXPECT_EQ(cli({"serve", "x.json", "--listen", "unix:a", "--connect", "unix:b"}), kExitUsage);
  // An invalid scenario: exit status 1, as for `hilcap run`.
  EXPECT_EQ(cli({"serve", "/nonexistent.json", "--listen", "unix:/tmp/a"}), kExitFailed);
  EXPECT_THAT(err.str(), HasSubstr("/nonexistent.json: cannot read"));
  // Issue 12's numbers checked as typed, for serve too: 1e308 overflowed the
  // conversion to ns, nan was taken, inf and -1 printed a 309-digit bound.
  for (const char* duration : {"1e308", "nan", "inf", "-1", "0", "1e10"}) {
    err.str("");
    EXPECT_EQ(cli({"serve", "x.json", "--listen", "unix:/tmp/a", "--duration", duration}),
              kExitUsage)
        << duration;
    EXPECT_THAT(err.str(), HasSubstr(fmt::format("--duration: expected a number of seconds > 0 "
                                                 "and <= 10000000, found \"{}\"",
                                                 duration)));
    EXPECT_EQ(err.str().find("17976931348623157"), std::string::npos) << err.str();
  }
}

// Issue 12: "the report is always written": a signal before any peer
// connected ends serve with a report too, every figure zero.
TEST(ServeRun, InterruptedBeforeAPeerStillReports) {
  std::atomic<bool> stop{true};
  std::ostringstream log;
  ServeSettings settings{
      serve_scenario(R"({"format": "YUY2", "width": 64, "height": 48})"),
      std::get<bus::SocketAddress>(bus::SocketAddress::parse(
          "unix:" + (std::filesystem::path(::testing::TempDir()) /
                     ("hilcap-serve-early-" + std::to_string(::getpid()) + ".sock"))
                        .string()))};
  settings.interrupted = &stop;
  settings.log = &log;
  const ServeOutcome outcome = run_serve(settings);
  EXPECT_TRUE(outcome.errors.empty());
  EXPECT_EQ(outcome.ended, "interrupted before a peer connected");
  ASSERT_TRUE(outcome.report);
  const nlohmann::json r = outcome.report->to_json(WallTime::kOmit);
  EXPECT_EQ(r["serve"]["ended"], "interrupted before a peer connected");
  EXPECT_EQ(r["usb"]["control"]["requests"], 0);
  EXPECT_EQ(r["frames"]["offered"], 0);
}

}  // namespace
}  // namespace hilcap::sim
