// The host's completion thread of the concurrency tests, as in real-time
// mode: raise() (the device's interrupt line) wakes it, and it runs the
// interrupt service it was started with (a CapturePin's, a CaptureFilter's)
// at the clock's time, until stopped.
#pragma once

#include <hilcap/device/interrupt_line.h>
#include <hilcap/device/timebase.h>

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace hilcap::test {

class CompletionThread final : public device::InterruptLine {
 public:
  // `service` is called with clock.now() for each wake-up.
  void start(std::function<void(device::TimeNs)> service, const device::Timebase& clock) {
    thread_ = std::thread([this, service = std::move(service), &clock] {
      std::unique_lock lock(mutex_);
      while (true) {
        wake_.wait(lock, [this] { return raised_ || stop_; });
        if (stop_) return;
        raised_ = false;
        lock.unlock();
        service(clock.now());
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

}  // namespace hilcap::test
