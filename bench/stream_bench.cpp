// Benchmark 3 (issue 4): real-time stream throughput in frames/s.
//
// Subject: the device model on a RealtimeScheduler on its own thread (CPU0),
// asked for a frame every nanosecond with header-only 64x64 GREY payloads
// (so it is always due: it runs flat out, dropping frames when no buffer is
// posted), its interrupt running the capture pin's completion path on the
// same thread; a KS client on CPU1 that ALLOCs through DeviceIoControl,
// waits for a pending ALLOC with GetOverlappedResult, and FREEs each frame at
// once. 8 frames circulate (ring depth 8). Figure: frames the client received
// per second of the window.
//
// Baseline, same two threads and CPUs, same number of buffers: Boost
// spsc_queue ping-pong of pointers: the producer moves a pointer from the
// free ring to the full ring, the consumer moves it back; both spin.
// Target: the stream reaches >= 0.25 of the ring's rate.
//
// Usage: stream_bench [repeats, default 9]
#include <hilcap/capture_pin.h>
#include <hilcap/device/interrupt_line.h>
#include <hilcap/ks.h>
#include <hilcap/ks_extensions.h>

#include <atomic>
#include <boost/lockfree/spsc_queue.hpp>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <thread>
#include <vector>

#include "device_model.h"
#include "harness.h"
#include "ks_calls.h"
#include "scheduler/realtime_scheduler.h"

namespace {

using hilcap::bench::ks_method;
using hilcap::bench::monotonic_ns;
using hilcap::bench::set_pin_state;

constexpr int kDeviceCpu = 0;
constexpr int kClientCpu = 1;
constexpr std::uint32_t kFrames = 8;
constexpr std::int64_t kWindowNs = 200'000'000;
constexpr DWORD kSpinForeverUs = 0xFFFFFFFFu;

// --- baseline ---------------------------------------------------------------

double ring_frames_per_s() {
  using Ring = boost::lockfree::spsc_queue<void*>;
  Ring full(kFrames);
  Ring free(kFrames);
  std::vector<std::byte> buffers(kFrames * 64);
  for (std::uint32_t i = 0; i < kFrames; ++i)
    free.push(&buffers[i * 64]);
  std::atomic<bool> done{false};
  std::uint64_t received = 0;
  std::thread consumer([&] {
    hilcap::bench::pin_to_cpu(kClientCpu);
    void* item = nullptr;
    while (!done.load(std::memory_order_relaxed)) {
      if (!full.pop(item)) continue;
      hilcap::bench::keep(item);
      ++received;
      while (!free.push(item)) {
      }
    }
  });
  hilcap::bench::pin_to_cpu(kDeviceCpu);
  const std::int64_t end = monotonic_ns() + kWindowNs;
  void* item = nullptr;
  while (monotonic_ns() < end) {
    // A clock read per 64 attempts, as the stream reads one per event.
    for (int i = 0; i < 64; ++i)
      if (free.pop(item)) full.push(item);
  }
  done = true;
  consumer.join();
  return static_cast<double>(received) / (static_cast<double>(kWindowNs) / 1e9);
}

// --- subject ----------------------------------------------------------------

// The interrupt schedules the pin's completion path at once on the device
// thread's scheduler: never inline, since the line may be raised by a host
// thread inside FREE (buffer posted under the allocator's lock).
class InlineCompletionPath final : public hilcap::device::InterruptLine {
 public:
  explicit InlineCompletionPath(hilcap::sim::RealtimeScheduler& clock) : clock_(clock) {}
  void attach(hilcap::CapturePin& pin) { pin_ = &pin; }
  void raise() override {
    // Due time 0: before the next frame, whose due time lags the clock here.
    clock_.schedule_at(0, [this] { pin_->service_interrupt(clock_.now()); });
  }

 private:
  hilcap::sim::RealtimeScheduler& clock_;
  hilcap::CapturePin* pin_ = nullptr;
};

double stream_frames_per_s(DWORD client_spin_us) {
  hilcap::sim::RealtimeScheduler clock;
  InlineCompletionPath line(clock);
  hilcap::device::DeviceConfig config;
  config.format = {hilcap::device::PixelFormat::kGrey, 64, 64};
  config.payload = hilcap::device::PayloadMode::kHeaderOnly;
  config.ring_depth = kFrames;
  config.timing.cadence = hilcap::device::FrameInterval{1};
  auto created = hilcap::device::DeviceModel::create(config, clock, line);
  if (!created.device) std::abort();
  auto pin = hilcap::CapturePin::open(*created.device, {.frame_interval_ns = 1});
  line.attach(*pin);
  KSALLOCATOR_FRAMING framing{};
  framing.OptionsFlags = KSALLOCATOR_OPTIONF_SYSTEM_MEMORY;
  framing.PoolType = NonPagedPool;
  framing.Frames = kFrames;
  framing.FrameSize = 64 * 64;
  framing.FileAlignment = FILE_64_BYTE_ALIGNMENT;
  HANDLE allocator = nullptr;
  if (KsCreateAllocator(pin->handle(), &framing, &allocator) != ERROR_SUCCESS) std::abort();
  if (!set_pin_state(pin->handle(), KSSTATE_RUN)) std::abort();

  std::atomic<bool> done{false};
  std::atomic<bool> client_done{false};
  std::atomic<std::uint64_t> received{0};
  std::thread client([&] {
    hilcap::bench::pin_to_cpu(kClientCpu);
    OVERLAPPED overlapped{};
    overlapped.hEvent = CreateEvent(nullptr, TRUE, FALSE, nullptr);
    OVERLAPPED free_overlapped{};
    free_overlapped.hEvent = CreateEvent(nullptr, TRUE, FALSE, nullptr);
    std::uint64_t frames = 0;
    for (;;) {
      PVOID frame = nullptr;
      if (!ks_method(allocator, KSMETHOD_STREAMALLOCATOR_ALLOC, KSMETHOD_TYPE_WRITE, &frame,
                     &overlapped)) {
        DWORD bytes = 0;
        if (GetLastError() != ERROR_IO_PENDING ||
            !HilcapGetOverlappedResultSpin(allocator, &overlapped, &bytes, client_spin_us)) {
          break;  // cancelled: the window is over
        }
      }
      ++frames;
      ks_method(allocator, KSMETHOD_STREAMALLOCATOR_FREE, KSMETHOD_TYPE_READ, &frame,
                &free_overlapped);
      if (done.load(std::memory_order_relaxed)) break;
    }
    received = frames;
    client_done = true;
    CloseHandle(overlapped.hEvent);
    CloseHandle(free_overlapped.hEvent);
  });
  // Every frame is due (1 ns cadence): the device runs flat out until the
  // window ends; it is stopped from here, since its due times lag the clock.
  std::uint64_t at_end = 0;
  const std::int64_t start = monotonic_ns();
  std::thread device([&] {
    hilcap::bench::pin_to_cpu(kDeviceCpu);
    clock.run_until(hilcap::sim::kTimeMax - 1);
    at_end = pin->stats().frames.handed_over();
  });
  std::this_thread::sleep_for(std::chrono::nanoseconds(kWindowNs));
  clock.stop();
  device.join();
  const std::int64_t window = monotonic_ns() - start;
  done = true;
  // Until the client has left: an ALLOC it issued after a cancel pends with
  // no device to complete it.
  while (!client_done.load()) {
    CancelIoEx(allocator, nullptr);
    std::this_thread::yield();
  }
  client.join();
  set_pin_state(pin->handle(), KSSTATE_STOP);
  CloseHandle(allocator);
  pin.reset();
  // Frames handed to the allocator during the window (the client took all but
  // at most the few still ready when it stopped).
  hilcap::bench::keep(received.load());
  return static_cast<double>(at_end) / (static_cast<double>(window) / 1e9);
}

}  // namespace

int main(int argc, char** argv) {
  const int repeats = argc > 1 ? std::atoi(argv[1]) : 9;
  const std::string ring = "spsc_queue ping-pong, 8 pointers";
  const std::string spinning = "hilcap stream, client spins";
  const std::string blocking = "hilcap stream, client blocks";
  hilcap::bench::Suite suite(
      "Real-time stream, header-only frames, client frees at once (device CPU0, client CPU1)",
      "frames/s", repeats);
  suite.add(ring, ring_frames_per_s);
  suite.add(spinning, [] { return stream_frames_per_s(kSpinForeverUs); });
  suite.add(blocking, [] { return stream_frames_per_s(0); });
  suite.compare({spinning, ring, 0.25, false});
  suite.compare({blocking, ring, 0, false});
  suite.run();
  suite.print();
  return 0;
}
