// Issue 15 section 2: host-side CPU per frame, hilcap against libuvc, on the
// same fake camera.
//
// The device model is served as a UVC camera through umockdev (160x120 YUY2,
// isochronous, frames paced in real time at 30 fps: tests/support/umockdev),
// so this program runs under umockdev-wrapper (`make bench` does that). Each
// pair streams the camera twice, once through each library, in an order that
// alternates from pair to pair:
//
//   hilcap: UvcSource + the KS capture pin (uvc::open_camera_pin), a capture
//           allocator of 4 frames, a KS client thread that ALLOCs through
//           DeviceIoControl (waiting in GetOverlappedResult when it pends),
//           touches the frame and FREEs it;
//   libuvc: uvc_start_streaming with a callback that touches the frame
//           (Debian's libuvc-dev: its own event thread, and a callback
//           thread that copies each frame a second time).
//
// Figure: CPU time per frame of every thread but the fake device's (the
// process's CPU clock minus the CPU of the threads umockdev runs the device
// on: every thread that exists before the first stream starts, but this
// one), over `kFrames` frames after `kWarmup`. Ratio per pair: hilcap /
// libuvc; target <= 0.8. Usage: usb_cpu_bench [pairs, default 9] [--threads]
// (--threads prints each thread's CPU in every run).
#include <hilcap/ks.h>  // before glib (umockdev): ks.h defines TRUE and FALSE unconditionally
// clang-format off
#include <hilcap/capture_pin.h>
#include <hilcap/uvc/camera_pin.h>
#include <hilcap/uvc/uvc_source.h>
// clang-format on
#include <dirent.h>
#include <libuvc/libuvc.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <thread>

#include "harness.h"
#include "ks_calls.h"
#include "mock_testbed.h"
#include "model_uvc_device.h"

namespace {

using namespace hilcap;
using hilcap::bench::ks_method;
using hilcap::bench::set_pin_state;

constexpr int kWarmup = 15;  // frames before the measured window
constexpr int kFrames = 60;  // frames in it (2 s at 30 fps)
constexpr std::uint16_t kVendor = 0xcafe;
constexpr std::uint16_t kProduct = 0x4012;
bool g_print_threads = false;

// --- CPU accounting ----------------------------------------------------------

std::int64_t process_cpu_ns() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

struct ThreadCpu {
  std::string name;
  std::int64_t ns = 0;
};

// Every live thread of the process: its name and CPU time (schedstat: ns).
std::map<int, ThreadCpu> threads_now() {
  std::map<int, ThreadCpu> out;
  DIR* dir = opendir("/proc/self/task");
  if (dir == nullptr) return out;
  while (dirent* e = readdir(dir)) {
    if (e->d_name[0] == '.') continue;
    const int tid = std::atoi(e->d_name);
    const std::string base = std::string("/proc/self/task/") + e->d_name;
    ThreadCpu t;
    std::ifstream(base + "/comm") >> t.name;
    std::ifstream(base + "/schedstat") >> t.ns;
    out[tid] = t;
  }
  closedir(dir);
  return out;
}

// The fake device's threads: those umockdev started before any stream.
std::set<int> g_device_threads;

std::int64_t device_cpu_ns(const std::map<int, ThreadCpu>& threads) {
  std::int64_t ns = 0;
  for (const auto& [tid, t] : threads)
    if (g_device_threads.contains(tid)) ns += t.ns;
  return ns;
}

struct Snapshot {
  std::int64_t process_ns = 0;
  std::map<int, ThreadCpu> threads;
  std::uint64_t frames = 0;
};

Snapshot snapshot(std::uint64_t frames) {
  Snapshot s;
  s.threads = threads_now();
  s.process_ns = process_cpu_ns();
  s.frames = frames;
  return s;
}

// Host-side CPU per frame (us) between two snapshots.
double host_us_per_frame(const char* who, const Snapshot& a, const Snapshot& b) {
  const std::int64_t device = device_cpu_ns(b.threads) - device_cpu_ns(a.threads);
  const std::int64_t host = (b.process_ns - a.process_ns) - device;
  const double frames = static_cast<double>(b.frames - a.frames);
  if (g_print_threads) {
    std::printf("  %s: %llu frames, host %.1f ms, device %.1f ms\n", who,
                static_cast<unsigned long long>(b.frames - a.frames), host / 1e6, device / 1e6);
    for (const auto& [tid, t] : b.threads) {
      const auto before = a.threads.find(tid);
      const std::int64_t ns = t.ns - (before == a.threads.end() ? 0 : before->second.ns);
      std::printf("    %-16s %6d %s %8.2f ms\n", t.name.c_str(), tid,
                  g_device_threads.contains(tid) ? "device" : "host  ", ns / 1e6);
    }
  }
  return static_cast<double>(host) / 1e3 / frames;
}

void wait_for(const std::atomic<std::uint64_t>& frames, std::uint64_t at_least) {
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (frames.load() < at_least) {
    if (std::chrono::steady_clock::now() > give_up) {
      std::fprintf(stderr, "usb_cpu_bench: frames stopped coming (%llu of %llu)\n",
                   static_cast<unsigned long long>(frames.load()),
                   static_cast<unsigned long long>(at_least));
      std::exit(1);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

// --- libuvc ------------------------------------------------------------------

void on_libuvc_frame(uvc_frame_t* frame, void* user) {
  bench::keep(static_cast<const volatile std::uint8_t*>(frame->data)[frame->data_bytes / 2]);
  static_cast<std::atomic<std::uint64_t>*>(user)->fetch_add(1);
}

double libuvc_us_per_frame() {
  uvc_context_t* ctx = nullptr;
  uvc_device_t* dev = nullptr;
  uvc_device_handle_t* devh = nullptr;
  uvc_stream_ctrl_t ctrl{};
  if (uvc_init(&ctx, nullptr) != UVC_SUCCESS ||
      uvc_find_device(ctx, &dev, kVendor, kProduct, nullptr) != UVC_SUCCESS ||
      uvc_open(dev, &devh) != UVC_SUCCESS ||
      uvc_get_stream_ctrl_format_size(devh, &ctrl, UVC_FRAME_FORMAT_YUYV, 160, 120, 30) !=
          UVC_SUCCESS) {
    std::fprintf(stderr, "usb_cpu_bench: libuvc could not open the fake camera\n");
    std::exit(1);
  }
  std::atomic<std::uint64_t> frames{0};
  if (uvc_start_streaming(devh, &ctrl, on_libuvc_frame, &frames, 0) != UVC_SUCCESS) {
    std::fprintf(stderr, "usb_cpu_bench: libuvc could not stream\n");
    std::exit(1);
  }
  wait_for(frames, kWarmup);
  const Snapshot a = snapshot(frames.load());
  wait_for(frames, a.frames + kFrames);
  const Snapshot b = snapshot(frames.load());
  uvc_stop_streaming(devh);
  uvc_close(devh);
  uvc_unref_device(dev);
  uvc_exit(ctx);
  return host_us_per_frame("libuvc", a, b);
}

// --- hilcap ------------------------------------------------------------------

double hilcap_us_per_frame() {
  auto usb = uvc::UsbContext::create();
  if (!usb.ok()) std::exit(1);
  uvc::SourceOptions options;
  options.stream = {"YUY2", 160, 120, 30};
  auto opened =
      uvc::UvcSource::open(usb.value(), uvc::DeviceSelector::parse("cafe:4012").value(), options);
  if (!opened.ok()) {
    std::fprintf(stderr, "usb_cpu_bench: hilcap could not open the fake camera: %s\n",
                 opened.error().c_str());
    std::exit(1);
  }
  std::unique_ptr<uvc::UvcSource> camera = std::move(opened.value());
  std::unique_ptr<CapturePin> pin = uvc::open_camera_pin(*camera);
  KSALLOCATOR_FRAMING framing{};
  framing.OptionsFlags = KSALLOCATOR_OPTIONF_SYSTEM_MEMORY;
  framing.PoolType = NonPagedPool;
  framing.Frames = 4;
  framing.FrameSize = camera->frame_size();
  framing.FileAlignment = FILE_64_BYTE_ALIGNMENT;
  HANDLE allocator = nullptr;
  if (!pin || KsCreateAllocator(pin->handle(), &framing, &allocator) != ERROR_SUCCESS ||
      !set_pin_state(pin->handle(), KSSTATE_RUN)) {
    std::fprintf(stderr, "usb_cpu_bench: hilcap could not stream\n");
    std::exit(1);
  }
  std::atomic<std::uint64_t> frames{0};
  std::atomic<bool> done{false};
  std::thread client([&] {
    OVERLAPPED overlapped{};
    overlapped.hEvent = CreateEvent(nullptr, TRUE, FALSE, nullptr);
    while (!done.load()) {
      PVOID frame = nullptr;
      if (!ks_method(allocator, KSMETHOD_STREAMALLOCATOR_ALLOC, KSMETHOD_TYPE_WRITE, &frame,
                     &overlapped)) {
        DWORD bytes = 0;
        if (GetLastError() != ERROR_IO_PENDING ||
            !GetOverlappedResult(allocator, &overlapped, &bytes, TRUE))
          break;  // cancelled: the run is over
      }
      bench::keep(static_cast<const volatile std::uint8_t*>(frame)[framing.FrameSize / 2]);
      frames.fetch_add(1);
      ks_method(allocator, KSMETHOD_STREAMALLOCATOR_FREE, KSMETHOD_TYPE_READ, &frame, nullptr);
    }
    CloseHandle(overlapped.hEvent);
  });
  wait_for(frames, kWarmup);
  const Snapshot a = snapshot(frames.load());
  wait_for(frames, a.frames + kFrames);
  const Snapshot b = snapshot(frames.load());
  done = true;
  CancelIoEx(allocator, nullptr);
  client.join();
  set_pin_state(pin->handle(), KSSTATE_STOP);
  CloseHandle(allocator);
  pin.reset();
  camera.reset();
  return host_us_per_frame("hilcap", a, b);
}

}  // namespace

int main(int argc, char** argv) {
  int pairs = 9;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--threads") == 0)
      g_print_threads = true;
    else
      pairs = std::atoi(argv[i]);
  }
  testing::MockTestbed testbed;
  if (!testbed.in_mock_environment()) {
    std::fprintf(stderr, "usb_cpu_bench: run it under umockdev-wrapper\n");
    return 77;
  }
  device::DeviceConfig config;
  config.format = {device::PixelFormat::kYuy2, 160, 120};
  config.payload = device::PayloadMode::kPattern;
  config.timing.cadence = device::FrameRate{30, 1};
  device::uvc::UvcPresentation shown;
  shown.bulk = false;
  shown.product_id = kProduct;
  shown.serial = "MODEL-iso";
  device::uvc::ModelFrameBehaviour behaviour;
  behaviour.pacing = device::uvc::Pacing::kRealTime;
  behaviour.drop_late_frames = true;  // as a camera with one frame buffer
  auto created = testing::ModelUvcDevice::create(testbed, config, shown, behaviour);
  std::string error;
  if (!created.ok() || !created.value()->usb().plug(error)) {
    std::fprintf(stderr, "usb_cpu_bench: the fake camera could not be plugged: %s\n",
                 error.c_str());
    return 1;
  }
  // Every thread but this one is umockdev's: the fake device's.
  const int self = static_cast<int>(gettid());
  for (const auto& [tid, t] : threads_now())
    if (tid != self) g_device_threads.insert(tid);

  const std::string ours = "hilcap (UvcSource + KS pin + KS client)";
  const std::string theirs = "libuvc 0.0.6 (callback)";
  bench::Suite suite(
      "Host-side CPU per frame, 160x120 YUY2 iso at 30 fps from the fake camera (umockdev), "
      "every thread but the fake device's",
      "us CPU per frame", pairs);
  suite.add(theirs, libuvc_us_per_frame);
  suite.add(ours, hilcap_us_per_frame);
  suite.compare({ours, theirs, 0.8, true});
  suite.run();
  suite.print();
  return 0;
}
