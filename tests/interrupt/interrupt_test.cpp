// Issue 12, "nothing lost on the way out": SIGINT and SIGTERM sent to real
// hilcap processes at several moments (the first milliseconds of the
// command, the run under way, its orderly stop), once, twice at once (as
// `timeout -s INT` sends them) or in a storm until the process is gone. Each
// time the process must stop in order, write a complete report (and trace)
// and then end by the first signal it got (a shell's 130 / 143), for
// `hilcap run` in virtual time (once killed at once with no report) and in
// real time, `hilcap capture` from the fake camera under umockdev (a second
// SIGINT once killed it before its report) and `hilcap serve`.
//
// The moments are found by handshakes with the child, never by sleeping and
// hoping: its SIGINT handler is in place (/proc/PID/status SigCgt); serve's
// peer has its hello. The delays after a handshake only spread the signals
// over the run; every assertion holds wherever they land.
//
// Environment (tests/interrupt/meson.build): HILCAP, the hilcap binary;
// HILCAP_FAKE_CAMERAS and UMOCKDEV_WRAPPER for capture (skipped without);
// HILCAP_INTERRUPT_REPEATS, how many rounds of moments (default 2).
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <thread>

#include "child_process.h"

namespace hilcap::testing {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using std::chrono::milliseconds;
using ::testing::HasSubstr;

constexpr milliseconds kStartLimit{60'000};  // loaded machines, sanitizer builds
constexpr milliseconds kStopLimit{60'000};

// How the signals are sent after the first.
enum class Volley {
  kOne,    // the first alone
  kTwo,    // a second at once, as `timeout -s INT` does (to the child, then its group)
  kStorm,  // SIGINT and SIGTERM in turn every ~0.2 ms until the process is gone
};

// One round: each (delay after the handshake, first signal, volley).
struct Moment {
  milliseconds delay;
  int first;
  Volley volley;
};
constexpr std::array kMoments{
    Moment{milliseconds(0), SIGINT, Volley::kTwo},
    Moment{milliseconds(0), SIGTERM, Volley::kStorm},
    Moment{milliseconds(1), SIGINT, Volley::kStorm},
    Moment{milliseconds(5), SIGINT, Volley::kOne},
    Moment{milliseconds(20), SIGTERM, Volley::kTwo},
    Moment{milliseconds(60), SIGINT, Volley::kStorm},
    Moment{milliseconds(150), SIGINT, Volley::kTwo},
    Moment{milliseconds(300), SIGTERM, Volley::kOne},
};

int rounds() {
  const char* text = std::getenv("HILCAP_INTERRUPT_REPEATS");
  return text != nullptr ? std::max(1, std::atoi(text)) : 2;
}

const char* name_of(int signal) {
  return signal == SIGTERM ? "SIGTERM" : "SIGINT";
}

std::optional<Json> read_json(const fs::path& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  try {
    return Json::parse(in);
  } catch (const Json::exception&) {
    return std::nullopt;
  }
}

// The file is one complete JSON text (checked without building it: an
// interrupted virtual-time run's trace holds tens of MB).
bool is_complete_json(const fs::path& path) {
  std::ifstream in(path);
  return in && Json::accept(in);
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Every frame due was delivered, dropped or in flight at the stop.
void expect_frames_conserved(const Json& r) {
  const Json& f = r["frames"];
  EXPECT_EQ(f["due"].get<std::uint64_t>(), f["delivered"].get<std::uint64_t>() +
                                               f["dropped"]["total"].get<std::uint64_t>() +
                                               f["in_flight_at_end"].get<std::uint64_t>());
}

class Interrupt : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* hilcap = std::getenv("HILCAP");
    ASSERT_NE(hilcap, nullptr) << "HILCAP names the hilcap binary (tests/interrupt/meson.build)";
    hilcap_ = hilcap;
    dir_ = fs::path(::testing::TempDir()) /
           fmt::format("hilcap-interrupt-{}-{}", ::getpid(),
                       ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }
  fs::path write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
    return dir_ / name;
  }

  // What a round checks of the report once the process is gone.
  using ReportCheck = std::function<void(const Json& report, int first)>;
  // Starts the child (argv), waits for `ready` (after its SIGINT handler is
  // in place), then the moment's delay, then sends its signals; the child
  // must end by the first, its report and trace complete.
  void interrupt_at(const Moment& moment, int round, const std::vector<std::string>& argv,
                    const std::function<bool(ChildProcess&)>& ready, const ReportCheck& check) {
    SCOPED_TRACE(fmt::format("round {}, {} ms after the handshake, first {}, volley {}", round,
                             moment.delay.count(), name_of(moment.first),
                             static_cast<int>(moment.volley)));
    fs::remove(report_);
    fs::remove(trace_);
    for (const fs::path& file : leftovers_)
      fs::remove(file);
    const fs::path out = dir_ / "out.txt", err = dir_ / "err.txt";
    ChildProcess child(argv, out, err);
    ASSERT_TRUE(child.started()) << argv[0];
    ASSERT_TRUE(wait_until([&] { return child.ended() || child.catches(SIGINT); }, kStartLimit))
        << "the command never caught SIGINT";
    ASSERT_FALSE(child.ended()) << describe_wait_status(child.wait_status()) << "\n"
                                << read_text(err);
    ASSERT_TRUE(ready(child)) << "the handshake failed\n" << read_text(err);
    if (moment.delay.count() > 0) std::this_thread::sleep_for(moment.delay);
    child.send(moment.first);
    const int second = moment.first == SIGINT ? SIGTERM : SIGINT;
    if (moment.volley == Volley::kTwo) child.send(moment.first);
    bool stopped = false;
    if (moment.volley == Volley::kStorm) {
      int sent = 0;
      stopped = wait_until(
          [&] {
            child.send(++sent % 2 == 0 ? moment.first : second);
            return child.ended();
          },
          kStopLimit);
    } else {
      stopped = wait_until([&] { return child.ended(); }, kStopLimit);
    }
    ASSERT_TRUE(stopped) << "still running " << kStopLimit.count() << " ms after the signal\n"
                         << read_text(err);
    const int status = child.wait_status();
    // A shell's 130 (SIGINT) / 143 (SIGTERM): the process ends by the signal
    // that stopped it. In a storm the second kind is sent at once after the
    // first; while both are pending the kernel may hand either to any thread
    // first, so the one that stopped the run is the one the report names.
    ASSERT_TRUE(WIFSIGNALED(status)) << describe_wait_status(status) << "\nstderr:\n"
                                     << read_text(err);
    const int ended_by = WTERMSIG(status);
    if (moment.volley == Volley::kStorm) {
      EXPECT_TRUE(ended_by == SIGINT || ended_by == SIGTERM) << describe_wait_status(status);
    } else {
      EXPECT_EQ(ended_by, moment.first) << describe_wait_status(status) << "\nstderr:\n"
                                        << read_text(err);
    }
    const std::optional<Json> report = read_json(report_);
    ASSERT_TRUE(report) << "no complete report at " << report_ << "\nstderr:\n" << read_text(err);
    check(*report, ended_by);
    EXPECT_TRUE(is_complete_json(trace_)) << "the trace is not complete JSON";
    // What it printed reached its stdout (the stdio buffers flushed before the signal's end).
    EXPECT_THAT(read_text(out), HasSubstr("wall_time_s"));
  }

  // Every moment, `rounds()` times.
  void every_moment(const std::vector<std::string>& argv,
                    const std::function<bool(ChildProcess&)>& ready, const ReportCheck& check) {
    for (int round = 0; round < rounds(); ++round) {
      for (const Moment& moment : kMoments) {
        interrupt_at(moment, round, argv, ready, check);
        if (HasFatalFailure()) return;
      }
    }
  }

  std::string hilcap_;
  fs::path dir_;
  fs::path report_ = fs::path(::testing::TempDir()) / "none";
  fs::path trace_;
  std::vector<fs::path> leftovers_;  // removed before each round (a socket)
};

bool no_handshake(ChildProcess& /*child*/) {
  return true;
}

// Virtual time: a run of about 3e8 events (a minute or more of CPU) stops at
// the signal, with its report up to there (it once ended at once, no report).
TEST_F(Interrupt, RunInVirtualTime) {
  const fs::path scenario = write("virtual.json", R"({"duration_s": 100000,
    "device": {"format": "GREY", "width": 64, "height": 64, "payload": "header-only",
               "timing": {"fps": 1000}},
    "clients": [{"name": "fast"}]})");
  report_ = dir_ / "report.json";
  trace_ = dir_ / "trace.json";
  every_moment(
      {hilcap_, "run", scenario.string(), "--report", report_.string(), "--trace", trace_.string()},
      no_handshake, [](const Json& r, int /*first*/) {
        EXPECT_LT(r["virtual_time_s"].get<double>(), 100000.0);
        expect_frames_conserved(r);
      });
}

// Real time: the threads stop in order, the report says which signal stopped it.
TEST_F(Interrupt, RunOnTheWallClock) {
  const fs::path scenario = write("realtime.json", R"({"duration_s": 600,
    "device": {"format": "GREY", "width": 64, "height": 64, "payload": "header-only",
               "timing": {"fps": 200}},
    "clients": [{"name": "viewer", "outstanding": 2, "hold": 1}]})");
  report_ = dir_ / "report.json";
  trace_ = dir_ / "trace.json";
  every_moment({hilcap_, "run", "--realtime", scenario.string(), "--report", report_.string(),
                "--trace", trace_.string()},
               no_handshake, [](const Json& r, int first) {
                 EXPECT_EQ(r["realtime"]["stopped_by"], name_of(first));
                 EXPECT_EQ(r["realtime"]["pending_after_stop"], 0);
               });
}

// The process runs its own program (not umockdev-wrapper's shell, which
// catches SIGINT too, nor env on the way) and catches SIGINT. Sent to the
// shell, the 0 ms moment's signal ended the chain before hilcap began.
bool runs_fake_cameras(ChildProcess& child) {
  return wait_until(
      [&] {
        if (child.ended()) return true;
        std::ifstream comm("/proc/" + std::to_string(child.pid()) + "/comm");
        std::string name;
        std::getline(comm, name);
        return name.starts_with("hilcap-fake") && child.catches(SIGINT);
      },
      kStartLimit);
}

// `hilcap capture` from the fake bulk camera under umockdev.
TEST_F(Interrupt, CaptureFromTheFakeCamera) {
  const char* cameras = std::getenv("HILCAP_FAKE_CAMERAS");
  const char* wrapper = std::getenv("UMOCKDEV_WRAPPER");
  if (cameras == nullptr || wrapper == nullptr) {
    GTEST_SKIP() << "this build has no fake cameras (umockdev or libusb disabled)";
  }
  report_ = dir_ / "report.json";
  trace_ = dir_ / "trace.json";
  every_moment({wrapper, cameras, "--model", "bulk", "--", "capture", "--device", "cafe:4011",
                "--duration", "600", "--report", report_.string(), "--trace", trace_.string()},
               runs_fake_cameras, [](const Json& r, int first) {
                 EXPECT_EQ(r["realtime"]["stopped_by"], name_of(first));
                 expect_frames_conserved(r);
               });
}

// A peer of `hilcap serve --listen`: connects, and has the session's hello.
class ServePeer {
 public:
  explicit ServePeer(const fs::path& socket) {
    fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::snprintf(address.sun_path, sizeof address.sun_path, "%s", socket.c_str());
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  }
  ~ServePeer() { ::close(fd_); }
  ServePeer(const ServePeer&) = delete;
  ServePeer& operator=(const ServePeer&) = delete;
  // The server's usbredir hello arrived: its session is running.
  bool greeted() {
    if (!connected_) return false;
    char byte = 0;
    return ::recv(fd_, &byte, 1, 0) == 1;
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
};

// `hilcap serve`: interrupted while waiting for a peer, and while serving one.
TEST_F(Interrupt, ServeWaitingAndServing) {
  const fs::path scenario = write("serve.json", R"({"duration_s": 1,
    "device": {"format": "YUY2", "width": 160, "height": 120, "timing": {"fps": 30}}})");
  const fs::path socket = dir_ / "serve.sock";
  leftovers_.push_back(socket);
  report_ = dir_ / "report.json";
  trace_ = dir_ / "trace.json";
  const std::vector<std::string> argv{
      hilcap_,    "serve",          scenario.string(), "--listen",     "unix:" + socket.string(),
      "--report", report_.string(), "--trace",         trace_.string()};
  // Waiting: the report says so, every figure zero.
  every_moment(argv, no_handshake, [](const Json& r, int /*first*/) {
    EXPECT_THAT(r["serve"]["ended"].get<std::string>(), HasSubstr("interrupted"));
  });
  // Serving: once its session greeted the peer.
  std::unique_ptr<ServePeer> peer;
  every_moment(
      argv,
      [&](ChildProcess& child) {
        return wait_until(
            [&] {
              if (child.ended()) return true;
              if (!fs::exists(socket)) return false;
              peer = std::make_unique<ServePeer>(socket);
              return peer->greeted();
            },
            kStartLimit);
      },
      [](const Json& r, int /*first*/) { EXPECT_EQ(r["serve"]["ended"], "interrupted"); });
}

// A short run: the signals land during the run, its shutdown, or after the
// process is gone; the report is complete whichever, and the process ended
// by the signal or with 0.
TEST_F(Interrupt, ShortRunAnyMoment) {
  const fs::path scenario = write("short.json", R"({"duration_s": 20,
    "device": {"format": "GREY", "width": 64, "height": 64, "payload": "header-only",
               "timing": {"fps": 1000}},
    "clients": [{"name": "fast"}]})");
  const fs::path report = dir_ / "report.json";
  for (int round = 0; round < rounds() * 8; ++round) {
    SCOPED_TRACE(fmt::format("round {}", round));
    fs::remove(report);
    ChildProcess child({hilcap_, "run", scenario.string(), "--report", report.string()},
                       dir_ / "out.txt", dir_ / "err.txt");
    ASSERT_TRUE(wait_until([&] { return child.ended() || child.catches(SIGINT); }, kStartLimit));
    std::this_thread::sleep_for(std::chrono::microseconds(round * 500));
    int sent = 0;
    ASSERT_TRUE(wait_until(
        [&] {
          child.send(++sent % 2 == 0 ? SIGTERM : SIGINT);
          return child.ended();
        },
        kStopLimit));
    const int status = child.wait_status();
    // The first signal is SIGINT: the storm's SIGTERMs that follow once the
    // command is over are held, not taken (one once ended a run SIGINT had
    // stopped, after its guard gave the signals their default action back).
    EXPECT_TRUE((WIFEXITED(status) && WEXITSTATUS(status) == 0) ||
                (WIFSIGNALED(status) && WTERMSIG(status) == SIGINT))
        << describe_wait_status(status) << "\n"
        << read_text(dir_ / "err.txt");
    // Killed before its handler existed is not possible here: the handshake came first.
    EXPECT_TRUE(read_json(report)) << "no complete report";
    EXPECT_THAT(read_text(dir_ / "out.txt"), HasSubstr("wall_time_s"));
  }
}

}  // namespace
}  // namespace hilcap::testing
