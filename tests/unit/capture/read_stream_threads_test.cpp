// IOCTL_KS_READ_STREAM across threads, as in the simulated machine: the
// device on its own event thread, the filter's interrupt service on a
// completion thread, and Windows-style clients on others issuing overlapped
// reads and racing them with CancelIoEx, CancelIo, STOP and CloseHandle.
// Every read that pended ends exactly once (a KsCompletionObserver counts
// each request's completions), with a frame or ERROR_OPERATION_ABORTED, never
// both and never neither. Short on purpose; run under ThreadSanitizer.
#include <gtest/gtest.h>
#include <hilcap/capture_filter.h>
#include <hilcap/device/frame_header.h>
#include <hilcap/ks.h>
#include <hilcap/ks_extensions.h>
#include <hilcap/ks_filter.h>
#include <hilcap/ks_video.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <random>
#include <span>
#include <thread>
#include <vector>

#include "capture_rig.h"
#include "completion_thread.h"
#include "device_model.h"
#include "filter_rig.h"
#include "free_running_clock.h"
#include "ks_test_client.h"

namespace hilcap {
namespace {

using test::CompletionThread;
using test::SampleHeader;
using test_support::FreeRunningClock;

// Counts the completions of every request that pended, by OVERLAPPED.
class CompletionCounter final : public KsCompletionObserver {
 public:
  CompletionCounter() { previous_ = set_ks_completion_observer(this); }
  ~CompletionCounter() override { set_ks_completion_observer(previous_); }
  void request_completed(HANDLE, OVERLAPPED* overlapped, NTSTATUS) override {
    std::lock_guard lock(mutex_);
    ++completions_[overlapped];
    told_.notify_all();
  }
  // The completions of a request whose OVERLAPPED reads complete, once the
  // observer heard of at least one (it is told just after the OVERLAPPED is
  // written); reset to 0 for the request's next use.
  std::uint64_t take(OVERLAPPED* overlapped) {
    std::unique_lock lock(mutex_);
    told_.wait_for(lock, std::chrono::seconds(10), [&] { return completions_[overlapped] > 0; });
    return std::exchange(completions_[overlapped], 0);
  }
  // Completions nobody took: a request that ended twice shows here.
  std::uint64_t left() {
    std::lock_guard lock(mutex_);
    std::uint64_t n = 0;
    for (const auto& [overlapped, count] : completions_)
      n += count;
    return n;
  }

 private:
  KsCompletionObserver* previous_ = nullptr;
  std::mutex mutex_;
  std::condition_variable told_;
  std::map<OVERLAPPED*, std::uint64_t> completions_;
};

// The rig: device on a free-running clock, completion thread, a filter.
struct ThreadedFilter {
  ThreadedFilter() {
    device::DeviceConfig config = test::small_device();
    config.payload = device::PayloadMode::kHeaderOnly;
    auto created = device::DeviceModel::create(config, clock, completion);
    device = std::move(created.device);
    CaptureFilterOptions options;
    options.pin.frame_interval_ns = 33'333'333;
    options.device_clock = [this] { return clock.now(); };
    filter = CaptureFilter::create(*device, options);
    completion.start([this](device::TimeNs now) { filter->service_interrupt(now); }, clock);
    filter_handle = filter->open();
  }
  ~ThreadedFilter() {
    CloseHandle(filter_handle);
    clock.shutdown();  // no device event runs from here on
    completion.stop();
  }

  HANDLE pin() {
    test::PinRequest request{};
    request.connect.Interface.Set = KSINTERFACESETID_Standard;
    request.connect.Medium.Set = KSMEDIUMSETID_Standard;
    struct {
      KSMULTIPLE_ITEM item;
      KS_DATARANGE_VIDEO range;
    } reply{};
    DWORD returned = 0;
    EXPECT_TRUE(test::ks_ioctl(filter_handle, IOCTL_KS_PROPERTY,
                               test::pin_property(KSPROPERTY_PIN_DATARANGES), &reply, sizeof(reply),
                               &returned, nullptr));
    request.format.DataFormat = reply.range.DataRange;
    request.format.DataFormat.FormatSize = sizeof(request.format);
    request.format.VideoInfoHeader = reply.range.VideoInfoHeader;
    HANDLE pin = nullptr;
    EXPECT_EQ(KsCreatePin(filter_handle, &request.connect, GENERIC_READ, &pin),
              static_cast<DWORD>(ERROR_SUCCESS));
    return pin;
  }
  std::uint32_t frame_bytes() const {
    return static_cast<std::uint32_t>(device->frame_format().frame_bytes());
  }

  FreeRunningClock clock;
  CompletionThread completion;
  std::unique_ptr<device::DeviceModel> device;
  std::shared_ptr<CaptureFilter> filter;
  HANDLE filter_handle = nullptr;
};

struct Tally {
  std::atomic<std::uint64_t> frames{0};
  std::atomic<std::uint64_t> aborted{0};
  std::atomic<std::uint64_t> refused{0};
};

// One client thread's read loop until `reads` reads pended: issue, then (at
// random) wait for the frame, CancelIoEx it or CancelIo, then collect the
// one outcome and check that the request completed exactly once.
void read_loop(HANDLE pin, std::uint32_t frame_bytes, int reads, unsigned seed,
               CompletionCounter& counter, Tally& tally) {
  std::mt19937 random(seed);
  test::Read read(frame_bytes);
  for (int i = 0; i < reads;) {
    read.prepare();
    if (read.issue(pin)) {
      ADD_FAILURE() << "a read completed at once";
      continue;
    }
    if (GetLastError() != ERROR_IO_PENDING) {
      EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_BAD_COMMAND));
      ++tally.refused;  // the pin is in STOP just now
      std::this_thread::sleep_for(std::chrono::microseconds(100));
      continue;
    }
    ++i;
    switch (random() % 3) {
      case 0:
        break;
      case 1:
        CancelIoEx(pin, &read.ov.ov);
        break;
      default:
        CancelIo(pin);
        break;
    }
    DWORD bytes = 0;
    if (GetOverlappedResult(pin, &read.ov.ov, &bytes, TRUE)) {
      ++tally.frames;
      EXPECT_EQ(bytes, sizeof(SampleHeader));
      EXPECT_GE(read[0].info.PictureNumber, 1);
      const device::FrameVerdict verdict = device::verify_frame(
          std::span<const std::byte>(read.buffers[0].data(), read[0].header.DataUsed));
      EXPECT_EQ(verdict.check, device::FrameCheck::kOk);
    } else {
      EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_OPERATION_ABORTED));
      ++tally.aborted;
    }
    EXPECT_EQ(counter.take(&read.ov.ov), 1u) << "read " << i << " ended more or less than once";
  }
}

// Reads raced with cancels and a thread cycling the pin RUN <-> STOP: every
// pended read ends exactly once, with a frame or aborted.
TEST(ReadStreamThreads, EveryReadEndsExactlyOnceUnderCancelAndStop) {
  CompletionCounter counter;
  ThreadedFilter rig;
  const HANDLE pin = rig.pin();
  ASSERT_EQ(test::set_state(pin, KSSTATE_RUN), static_cast<DWORD>(ERROR_SUCCESS));
  Tally tally;
  std::atomic<bool> done{false};
  std::thread cycler([&] {
    while (!done.load()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      EXPECT_EQ(test::set_state(pin, KSSTATE_STOP), static_cast<DWORD>(ERROR_SUCCESS));
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
      EXPECT_EQ(test::set_state(pin, KSSTATE_RUN), static_cast<DWORD>(ERROR_SUCCESS));
    }
  });
  std::vector<std::thread> clients;
  for (unsigned t = 0; t < 3; ++t) {
    clients.emplace_back(read_loop, pin, rig.frame_bytes(), 300, t + 1, std::ref(counter),
                         std::ref(tally));
  }
  for (std::thread& client : clients)
    client.join();
  done = true;
  cycler.join();
  EXPECT_EQ(tally.frames + tally.aborted, 3u * 300u);
  EXPECT_GT(tally.frames.load(), 0u);
  EXPECT_GT(tally.aborted.load(), 0u);
  EXPECT_TRUE(CloseHandle(pin));
  EXPECT_EQ(counter.left(), 0u) << "a request completed twice";
}

// CloseHandle on the pin while clients have reads pending: each ends once,
// aborted; reads issued after the close fail at once (invalid handle).
TEST(ReadStreamThreads, CloseHandleEndsEveryPendingReadOnce) {
  CompletionCounter counter;
  ThreadedFilter rig;
  const HANDLE pin = rig.pin();
  ASSERT_EQ(test::set_state(pin, KSSTATE_PAUSE), static_cast<DWORD>(ERROR_SUCCESS));
  constexpr int kClients = 4;
  std::vector<std::unique_ptr<test::Read>> reads;
  for (int i = 0; i < kClients; ++i)
    reads.push_back(std::make_unique<test::Read>(rig.frame_bytes()));
  std::atomic<int> issued{0};
  std::vector<std::thread> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.emplace_back([&, i] {
      EXPECT_FALSE(reads[i]->issue(pin));
      EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_IO_PENDING));
      ++issued;
      DWORD bytes = 0;
      EXPECT_FALSE(GetOverlappedResult(pin, &reads[i]->ov.ov, &bytes, TRUE));
      EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_OPERATION_ABORTED));
    });
  }
  while (issued.load() < kClients)
    std::this_thread::yield();
  std::thread closer([&] { EXPECT_TRUE(CloseHandle(pin)); });
  closer.join();
  for (std::thread& client : clients)
    client.join();
  for (const auto& read : reads)
    EXPECT_EQ(counter.take(&read->ov.ov), 1u);
  EXPECT_EQ(counter.left(), 0u);
  test::Read late(rig.frame_bytes());
  EXPECT_FALSE(late.issue(pin));
  EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_HANDLE));
}

// A blocking READ_STREAM (no OVERLAPPED) returns with the frame; another
// thread's CancelSynchronousIo ends a blocked one with ERROR_OPERATION_ABORTED.
TEST(ReadStreamThreads, BlockingReadsAndCancelSynchronousIo) {
  ThreadedFilter rig;
  const HANDLE pin = rig.pin();
  ASSERT_EQ(test::set_state(pin, KSSTATE_RUN), static_cast<DWORD>(ERROR_SUCCESS));
  test::Read read(rig.frame_bytes());
  DWORD returned = 0;
  ASSERT_TRUE(DeviceIoControl(pin, IOCTL_KS_READ_STREAM, nullptr, 0, read.headers.data(),
                              sizeof(SampleHeader), &returned, nullptr))
      << GetLastError();
  EXPECT_EQ(returned, sizeof(SampleHeader));
  EXPECT_GE(read[0].info.PictureNumber, 1);

  // Through STOP to PAUSE: no stream has started, so no frame can come (from
  // RUN to PAUSE, frames captured before the pause may still be delivered).
  ASSERT_EQ(test::set_state(pin, KSSTATE_STOP), static_cast<DWORD>(ERROR_SUCCESS));
  ASSERT_EQ(test::set_state(pin, KSSTATE_PAUSE), static_cast<DWORD>(ERROR_SUCCESS));
  std::atomic<DWORD> blocked_thread{0};
  std::thread reader([&] {
    blocked_thread = GetCurrentThreadId();
    test::Read blocked(rig.frame_bytes());
    DWORD n = 0;
    EXPECT_FALSE(DeviceIoControl(pin, IOCTL_KS_READ_STREAM, nullptr, 0, blocked.headers.data(),
                                 sizeof(SampleHeader), &n, nullptr));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_OPERATION_ABORTED));
  });
  while (blocked_thread.load() == 0)
    std::this_thread::yield();
  const HANDLE thread = OpenThread(THREAD_ALL_ACCESS, FALSE, blocked_thread.load());
  EXPECT_NE(thread, nullptr);
  // Until the read has pended, there is nothing to cancel: try again.
  while (thread != nullptr && !CancelSynchronousIo(thread))
    std::this_thread::yield();
  reader.join();
  if (thread != nullptr) CloseHandle(thread);
  EXPECT_TRUE(CloseHandle(pin));
}

}  // namespace
}  // namespace hilcap
