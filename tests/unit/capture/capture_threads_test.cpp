// The capture pin across threads, as in real-time mode: the device on a
// thread running its own event loop, the host's completion path on another
// (woken by the interrupt line), and a Windows-style client on a third making
// blocking DeviceIoControl calls. Short on purpose; run under ThreadSanitizer.
#include <gtest/gtest.h>
#include <hilcap/capture_pin.h>
#include <hilcap/device/frame_header.h>
#include <hilcap/ks.h>
#include <hilcap/ks_extensions.h>

#include <span>
#include <thread>
#include <vector>

#include "capture_rig.h"
#include "completion_thread.h"
#include "device_model.h"
#include "free_running_clock.h"
#include "ks_test_client.h"

namespace hilcap {
namespace {

using device::EventFn;
using device::EventId;
using device::TimeNs;

using test_support::FreeRunningClock;

using test::CompletionThread;

// Three threads: frames arrive verified and in order, PictureNumber gaps equal
// DropCount steps and carry the discontinuity, STOP from the client returns
// everything, and the frames are conserved.
TEST(CaptureThreads, DeviceHostAndClientOnTheirOwnThreads) {
  device::DeviceConfig config = test::small_device(4);
  config.timing.dma_ns = 2 * test::kMs;
  FreeRunningClock clock;
  CompletionThread completion;
  auto created = device::DeviceModel::create(config, clock, completion);
  ASSERT_TRUE(created.errors.empty());
  device::DeviceModel& device = *created.device;
  auto pin = CapturePin::open(device);
  completion.start([&pin = *pin](TimeNs now) { pin.service_interrupt(now); }, clock);
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
