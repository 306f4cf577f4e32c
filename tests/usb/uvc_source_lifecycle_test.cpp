// The UVC source's negotiation, stop, unplug and hotplug against fake
// devices: what is reported, that every pending ALLOC ends, and that nothing
// hangs.
#include <hilcap/device/uvc_protocol.h>

#include <atomic>
#include <thread>

#include "source_fixture.h"

namespace hilcap::testing {
namespace {

using namespace device::uvc;
using namespace std::chrono_literals;

class SourceLifecycle : public SourceTest {
 protected:
  // Waits (bounded) until `done`; the event thread does the work.
  static bool eventually(const std::function<bool()>& done, std::chrono::milliseconds limit = 5s) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(1ms);
    }
    return true;
  }
};

// PROBE/COMMIT with a device that answers another interval than asked: the source reports the
// adjustment and streams with what was committed.
TEST_F(SourceLifecycle, ProbeAdjustmentIsReported) {
  CounterPatternFrames& frames = counter_frames();
  UvcDeviceConfig config = small_bulk_camera(4096);
  config.negotiation.interval_policy = IntervalPolicy::kAlwaysDifferent;
  add_uvc_device(config, frames);
  uvc::SourceOptions options;
  options.stream.fps = 30;
  auto source = open_source("cafe:4010", options);
  ASSERT_TRUE(source.ok()) << source.error();
  const uvc::NegotiatedStream& s = (*source)->stream();
  ASSERT_EQ(s.adjusted.size(), 1u);
  EXPECT_EQ(s.adjusted[0].field, "dwFrameInterval");
  EXPECT_EQ(s.adjusted[0].requested, 333333u);
  EXPECT_EQ(s.adjusted[0].answered, 666666u);
  EXPECT_EQ(s.committed.frame_interval_100ns, 666666u);
  auto allocator = allocator_for(**source);
  ASSERT_FALSE((*source)->start(allocator));
  const auto taken = take_frames(*allocator, **source, 2);
  ASSERT_EQ(taken.size(), 2u);
  EXPECT_EQ(taken[0].info.duration_ns, 66'666'600);
  const auto joined = [&] {
    std::string all;
    for (const std::string& line : s.describe())
      all += line + "\n";
    return all;
  }();
  EXPECT_NE(joined.find("adjusted   dwFrameInterval 333333 -> 666666"), std::string::npos)
      << joined;
}

class SourceVersions : public SourceTest,
                       public ::testing::WithParamInterface<std::pair<UvcVersion, std::size_t>> {};

// The PROBE/COMMIT block has the size of the device's UVC version (26, 34, 48 bytes), and each
// version streams.
TEST_P(SourceVersions, BlockSizeFollowsTheUvcVersion) {
  const auto [version, size] = GetParam();
  add_model_device(model_config(64, 48), presentation(true, version));
  auto source = open_source();
  ASSERT_TRUE(source.ok()) << source.error();
  EXPECT_EQ((*source)->stream().probe_block_size, size);
  auto allocator = allocator_for(**source);
  ASSERT_FALSE((*source)->start(allocator));
  const auto taken = take_frames(*allocator, **source, 3);
  ASSERT_EQ(taken.size(), 3u);
  EXPECT_EQ(taken[2].verdict.check, device::FrameCheck::kOk);
}

INSTANTIATE_TEST_SUITE_P(Uvc, SourceVersions,
                         ::testing::Values(std::pair{UvcVersion::k1_0, kProbeCommitSize10},
                                           std::pair{UvcVersion::k1_1, kProbeCommitSize11},
                                           std::pair{UvcVersion::k1_5, kProbeCommitSize15}));

// Unplug mid-stream with ALLOCs pending: each completes with STATUS_DEVICE_NOT_CONNECTED, a
// later ALLOC fails at once with it, and stop and close return.
TEST_F(SourceLifecycle, UnplugCompletesPendingAllocs) {
  ModelUvcDevice& device = add_model_device(model_config(), presentation(true));
  auto source = open_source();
  ASSERT_TRUE(source.ok()) << source.error();
  auto allocator = allocator_for(**source, 3);
  ASSERT_FALSE((*source)->start(allocator));
  ASSERT_EQ(take_frames(*allocator, **source, 2).size(), 2u);
  device.usb().hold_transfers(true);
  // Take (and give back) whatever is still ready until an ALLOC has to wait.
  const auto pend = [&](WaitableAlloc& request) {
    for (;;) {
      request.reset();
      const AllocOutcome o = allocator->alloc(request);
      if (o.status == STATUS_PENDING) return true;
      if (o.status != STATUS_SUCCESS) return false;
      allocator->free(o.frame);
    }
  };
  WaitableAlloc first, second;
  // Once every transfer is held at the device no more frames are finished, but the source
  // resubmits a transfer before it hands the allocator the frame that transfer finished
  // (UvcSource::Stream::on_transfer): wait until every frame it handed over has arrived, each
  // taken by an ALLOC or ready. Without that wait a frame still on its way completed an ALLOC
  // pended after it (STATUS_SUCCESS instead of STATUS_DEVICE_NOT_CONNECTED, seen with the usb
  // suite run three times at once under ASan).
  const auto all_arrived = [&] {
    const AllocatorCounters c = allocator->counters();
    return (*source)->counters().frames.handed_over() ==
           c.immediate + c.completed_after_pending + allocator->occupancy().ready;
  };
  ASSERT_TRUE(eventually([&] { return device.usb().transfers_in_flight() == 6; }));
  ASSERT_TRUE(eventually(all_arrived));
  ASSERT_TRUE(pend(first));
  ASSERT_TRUE(pend(second));
  device.usb().unplug();
  const auto a = first.wait(5s);
  const auto b = second.wait(5s);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->status, STATUS_DEVICE_NOT_CONNECTED);
  EXPECT_EQ(b->status, STATUS_DEVICE_NOT_CONNECTED);
  WaitableAlloc third;
  EXPECT_EQ(allocator->alloc(third).status, STATUS_DEVICE_NOT_CONNECTED);
  EXPECT_TRUE((*source)->disconnected());
  (*source)->stop();
  EXPECT_TRUE((*source)->counters().disconnected);
  EXPECT_EQ(allocator->counters().failed, 2u);
  source.value().reset();  // close: nothing hangs
}

class SourceStop : public SourceLifecycle, public ::testing::WithParamInterface<bool> {};

// Stop with every transfer held by the device: stop() cancels them, each ends once as
// CANCELLED, the device sees them discarded, and nothing is left in flight.
TEST_P(SourceStop, StopWithTransfersInFlight) {
  ModelUvcDevice& device = add_model_device(model_config(), presentation(GetParam()));
  auto source = open_source();
  ASSERT_TRUE(source.ok()) << source.error();
  auto allocator = allocator_for(**source);
  device.usb().hold_transfers(true);
  ASSERT_FALSE((*source)->start(allocator));
  ASSERT_TRUE(eventually([&] { return device.usb().transfers_in_flight() == 6; }));
  (*source)->stop();
  const uvc::SourceCounters c = (*source)->counters();
  EXPECT_EQ(c.transfers_cancelled, 6u);
  EXPECT_EQ(c.orphaned_transfers, 0u);
  EXPECT_EQ(device.usb().stats().discarded, 6u);
  EXPECT_EQ(device.usb().transfers_in_flight(), 0u);
  // The personality's stream stopped with alternate setting 0.
  EXPECT_FALSE(device.with_personality([](UvcPersonality& p) { return p.stream() != nullptr; }));
}

INSTANTIATE_TEST_SUITE_P(Transports, SourceStop, ::testing::Values(true, false),
                         [](const auto& p) { return p.param ? "Bulk" : "Isochronous"; });

// stop() gives up waiting at once: the transfers it could not wait for are counted as orphaned,
// and their completions, arriving after the source was closed, are tolerated.
TEST_F(SourceLifecycle, LateCompletionsAfterCloseAreTolerated) {
  ModelUvcDevice& device = add_model_device(model_config(), presentation(true));
  uvc::SourceOptions options;
  options.stop_timeout = 0ms;
  auto source = open_source("cafe:4011", options);
  ASSERT_TRUE(source.ok()) << source.error();
  auto allocator = allocator_for(**source);
  device.usb().hold_transfers(true);
  ASSERT_FALSE((*source)->start(allocator));
  ASSERT_TRUE(eventually([&] { return device.usb().transfers_in_flight() == 6; }));
  (*source)->stop();
  EXPECT_GT((*source)->counters().orphaned_transfers, 0u);
  source.value().reset();  // closed while libusb still owes the completions
  allocator.reset();
  // They arrive afterwards, on the event thread, and only let go of the stream (and with it
  // of the context, which this test then holds alone).
  EXPECT_TRUE(eventually([&] { return usb_.use_count() == 1; }));
  const FakeUsbDevice::Stats stats = device.usb().stats();
  EXPECT_EQ(stats.reaped, stats.submitted);
  EXPECT_EQ(stats.discarded, 6u);
}

// Hotplug: the context reports a device's arrival and departure, and the arrived device opens.
TEST_F(SourceLifecycle, HotplugArrivalIsReported) {
  if (!usb()->hotplug_supported()) GTEST_SKIP() << "libusb without hotplug";
  std::mutex mutex;
  std::vector<uvc::HotplugNotice> notices;
  auto watch = usb()->watch_hotplug(0xcafe, 0x4011, [&](const uvc::HotplugNotice& n) {
    std::lock_guard lock(mutex);
    notices.push_back(n);
  });
  ASSERT_TRUE(watch.ok()) << watch.error();
  const auto count = [&] {
    std::lock_guard lock(mutex);
    return notices.size();
  };
  ModelUvcDevice& device =
      add_model_device(model_config(), presentation(true), Pacing::kOnDemand, {1, 5});
  ASSERT_TRUE(eventually([&] { return count() == 1; }));
  {
    std::lock_guard lock(mutex);
    EXPECT_EQ(notices[0].event, uvc::HotplugEvent::kArrived);
    EXPECT_EQ(notices[0].location.bus, 1);
    EXPECT_EQ(notices[0].location.address, 5);
  }
  auto source = open_source("cafe:4011@1:5");
  ASSERT_TRUE(source.ok()) << source.error();
  source.value().reset();
  device.usb().unplug();
  ASSERT_TRUE(eventually([&] { return count() == 2; }));
  std::lock_guard lock(mutex);
  EXPECT_EQ(notices[1].event, uvc::HotplugEvent::kLeft);
}

// Device PTS and SCR are kept per frame with the host's completion time; PTS becomes device
// time (increasing by the frame interval) and, once the fit has samples, host time.
TEST_F(SourceLifecycle, TimestampsAreKeptAndConverted) {
  add_model_device(model_config(), presentation(false));
  auto source = open_source();
  ASSERT_TRUE(source.ok()) << source.error();
  auto allocator = allocator_for(**source, 16);
  ASSERT_FALSE((*source)->start(allocator));
  const auto taken = take_frames(*allocator, **source, 12);
  ASSERT_EQ(taken.size(), 12u);
  for (std::size_t i = 0; i < taken.size(); ++i) {
    const uvc::UvcFrameRecord& r = *taken[i].record;
    ASSERT_TRUE(r.pts && r.scr && r.device_time_ns) << i;
    EXPECT_GT(r.host_time_ns, 0);
    EXPECT_GE(r.host_time_ns, r.first_host_time_ns);
    EXPECT_EQ(taken[i].info.host_timestamp_ns, r.host_time_ns);
    if (i > 0) {
      const std::int64_t step = *r.device_time_ns - *taken[i - 1].record->device_time_ns;
      EXPECT_NEAR(static_cast<double>(step), 33'333'333.0, 100.0) << i;  // 30 fps on a 48 MHz STC
    }
  }
  EXPECT_FALSE(taken[0].info.flags & kFrameTimeValid);  // no fit from one sample
  EXPECT_TRUE(taken.back().info.flags & kFrameTimeValid);
}

}  // namespace
}  // namespace hilcap::testing
