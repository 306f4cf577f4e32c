// The capture pin across threads, as in real-time mode: the device on a
// thread running its own event loop, the host's completion path on another
// (woken by the interrupt line), and a Windows-style client on a third making
// blocking DeviceIoControl calls. Short on purpose; run under ThreadSanitizer.
#include <gtest/gtest.h>
#include <hilcap/capture_pin.h>
#include <hilcap/device/frame_header.h>
#include <hilcap/ks.h>
#include <hilcap/ks_extensions.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <queue>
#include <span>
#include <thread>
#include <unordered_map>
#include <vector>

#include "capture_bench.h"
#include "device_model.h"
#include "ks_test_client.h"

namespace hilcap {
namespace {

using device::EventFn;
using device::EventId;
using device::TimeNs;

// A Timebase whose events run on its own thread in time order, as fast as they
// come (virtual time running free); schedule_at() and cancel() from any thread.
class DeviceThreadClock final : public device::Timebase {
 public:
  DeviceThreadClock() : worker_([this] { loop(); }) {}
  ~DeviceThreadClock() override { shutdown(); }

  TimeNs now() const override {
    std::lock_guard lock(mutex_);
    return now_;
  }
  EventId schedule_at(TimeNs at, EventFn fn) override {
    std::lock_guard lock(mutex_);
    const EventId id = ++last_id_;
    queue_.push({std::max(at, now_), id});
    pending_.emplace(id, std::move(fn));
    wake_.notify_one();
    return id;
  }
  bool cancel(EventId id) override {
    std::lock_guard lock(mutex_);
    return pending_.erase(id) > 0;
  }
  void shutdown() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
      wake_.notify_one();
    }
    if (worker_.joinable()) worker_.join();
  }

 private:
  struct Entry {
    TimeNs at;
    EventId id;
    bool operator>(const Entry& other) const {
      return at != other.at ? at > other.at : id > other.id;
    }
  };
  void loop() {
    std::unique_lock lock(mutex_);
    while (!stop_) {
      if (queue_.empty()) {
        wake_.wait(lock);
        continue;
      }
      const Entry next = queue_.top();
      queue_.pop();
      const auto it = pending_.find(next.id);
      if (it == pending_.end()) continue;
      EventFn fn = std::move(it->second);
      pending_.erase(it);
      now_ = std::max(now_, next.at);
      lock.unlock();  // never run an event under the clock's lock
      fn();
      lock.lock();
    }
  }

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::priority_queue<Entry, std::vector<Entry>, std::greater<>> queue_;
  std::unordered_map<EventId, EventFn> pending_;
  TimeNs now_ = 0;
  EventId last_id_ = 0;
  bool stop_ = false;
  std::thread worker_;  // last: starts once everything above exists
};

// The host's completion thread: raise() wakes it; it runs the pin's interrupt
// service until stopped.
class CompletionThread final : public device::InterruptLine {
 public:
  void start(CapturePin& pin, const device::Timebase& clock) {
    thread_ = std::thread([this, &pin, &clock] {
      std::unique_lock lock(mutex_);
      while (true) {
        wake_.wait(lock, [this] { return raised_ || stop_; });
        if (stop_) return;
        raised_ = false;
        lock.unlock();
        pin.service_interrupt(clock.now());
        lock.lock();
      }
    });
  }
  void raise() override {
    std::lock_guard lock(mutex_);
    raised_ = true;
    wake_.notify_one();
  }
  void stop() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
      wake_.notify_one();
    }
    if (thread_.joinable()) thread_.join();
  }

 private:
  std::mutex mutex_;
  std::condition_variable wake_;
  bool raised_ = false;
  bool stop_ = false;
  std::thread thread_;
};

// Three threads: frames arrive verified and in order, PictureNumber gaps equal
// DropCount steps and carry the discontinuity, STOP from the client returns
// everything, and the frames are conserved.
TEST(CaptureThreads, DeviceHostAndClientOnTheirOwnThreads) {
  device::DeviceConfig config = test::small_device(4);
  config.timing.dma_ns = 2 * test::kMs;
  DeviceThreadClock clock;
  CompletionThread completion;
  auto created = device::DeviceModel::create(config, clock, completion);
  ASSERT_TRUE(created.errors.empty());
  device::DeviceModel& device = *created.device;
  auto pin = CapturePin::open(device);
  completion.start(*pin, clock);
  const AllocatorCreated allocator =
      create_allocator(pin->handle(), test::framing(3, config.format.frame_bytes()));
  ASSERT_EQ(allocator.status, STATUS_SUCCESS);

  struct Seen {
    LONGLONG picture = 0;
    LONGLONG drops = 0;
    bool discontinuity = false;
    bool verified = false;
  };
  std::vector<Seen> seen;
  std::thread client([&] {
    EXPECT_EQ(test::set_state(pin->handle(), KSSTATE_RUN), static_cast<DWORD>(ERROR_SUCCESS));
    for (int i = 0; i < 60; ++i) {
      PVOID frame = nullptr;
      DWORD n = 0;
      ASSERT_TRUE(test::alloc(allocator.handle, &frame, nullptr, &n));  // blocks
      const KSHILCAP_FRAME_HEADER h = test::header_of(allocator.handle, frame);
      const std::span<const std::byte> bytes(static_cast<const std::byte*>(frame),
                                             h.Header.DataUsed);
      seen.push_back({h.FrameInfo.PictureNumber, h.FrameInfo.DropCount,
                      test::has_option(h, KSSTREAM_HEADER_OPTIONSF_DATADISCONTINUITY),
                      device::verify_frame(bytes).check == device::FrameCheck::kOk});
      ASSERT_TRUE(test::free_frame(allocator.handle, frame));
    }
    EXPECT_EQ(test::set_state(pin->handle(), KSSTATE_STOP), static_cast<DWORD>(ERROR_SUCCESS));
  });
  client.join();
  completion.stop();

  ASSERT_EQ(seen.size(), 60u);
  for (std::size_t i = 0; i < seen.size(); ++i) {
    EXPECT_TRUE(seen[i].verified) << i;
    const Seen previous = i == 0 ? Seen{} : seen[i - 1];
    const LONGLONG gap = seen[i].picture - previous.picture - 1;
    EXPECT_GE(gap, 0) << i;
    EXPECT_EQ(seen[i].drops - previous.drops, gap) << i;
    EXPECT_EQ(seen[i].discontinuity, gap > 0) << i;
  }
  const auto occupancy = pin->allocator()->occupancy();
  EXPECT_EQ(occupancy.held + occupancy.ready + pin->frames_at_device(), 3u);
  EXPECT_EQ(pin->frames_at_device(), 0u) << "STOP handed everything back";
  CloseHandle(allocator.handle);
  pin.reset();
  clock.shutdown();
}

}  // namespace
}  // namespace hilcap
