#include "source_fixture.h"

#include <stdexcept>

namespace hilcap::testing {

using namespace std::chrono_literals;

std::optional<AllocOutcome> WaitableAlloc::wait(std::chrono::milliseconds limit) {
  std::unique_lock lock(mutex_);
  done_.wait_for(lock, limit, [&] { return outcome_.has_value(); });
  return outcome_;
}

void WaitableAlloc::reset() {
  std::lock_guard lock(mutex_);
  outcome_.reset();
}

void WaitableAlloc::on_complete(NTSTATUS status, void* frame) {
  {
    std::lock_guard lock(mutex_);
    outcome_ = AllocOutcome{status, frame};
  }
  done_.notify_all();
}

device::DeviceConfig model_config(std::uint32_t width, std::uint32_t height) {
  device::DeviceConfig c;
  c.format = {device::PixelFormat::kYuy2, width, height};
  c.payload = device::PayloadMode::kPattern;
  c.timing.cadence = device::FrameRate{30, 1};
  return c;
}

device::uvc::UvcPresentation presentation(bool bulk, device::uvc::UvcVersion version) {
  device::uvc::UvcPresentation p;
  p.bulk = bulk;
  p.version = version;
  p.serial = "MODEL-1";
  return p;
}

void SourceTest::TearDown() {
  usb_.reset();
  model_devices_.clear();
  UsbTest::TearDown();
}

std::shared_ptr<uvc::UsbContext> SourceTest::usb() {
  if (!usb_) {
    auto created = uvc::UsbContext::create();
    if (!created.ok()) throw std::runtime_error(created.error());
    usb_ = created.value();
  }
  return usb_;
}

ModelUvcDevice& SourceTest::add_model_device(const device::DeviceConfig& config,
                                             const device::uvc::UvcPresentation& presentation,
                                             device::uvc::Pacing pacing, UsbBusAddress address) {
  auto created = ModelUvcDevice::create(*testbed_, config, presentation, pacing, address);
  // A test's own configuration is wrong: stop that test (gtest reports the exception).
  if (!created.ok()) throw std::invalid_argument(created.errors()[0].message());
  model_devices_.push_back(std::move(created.value()));
  std::string error;
  if (!model_devices_.back()->usb().plug(error)) throw std::runtime_error("plug: " + error);
  return *model_devices_.back();
}

uvc::SourceResult<std::unique_ptr<uvc::UvcSource>> SourceTest::open_source(
    const std::string& selector, uvc::SourceOptions options) {
  auto parsed = uvc::DeviceSelector::parse(selector);
  if (!parsed.ok()) throw std::invalid_argument(parsed.error());
  return uvc::UvcSource::open(usb(), parsed.value(), options);
}

std::shared_ptr<StreamAllocator> SourceTest::allocator_for(const uvc::UvcSource& source,
                                                           std::uint32_t frames) {
  KSALLOCATOR_FRAMING framing{};
  framing.Frames = frames;
  framing.FrameSize = source.frame_size();
  framing.FileAlignment = 63;
  auto created = StreamAllocator::create(framing);
  if (!created.allocator) throw std::runtime_error(created.error);
  return created.allocator;
}

std::vector<ClientFrame> SourceTest::take_frames(StreamAllocator& allocator,
                                                 const uvc::UvcSource& source, std::size_t count,
                                                 std::chrono::milliseconds limit) {
  std::vector<ClientFrame> frames;
  WaitableAlloc request;
  while (frames.size() < count) {
    request.reset();
    AllocOutcome outcome = allocator.alloc(request);
    if (outcome.status == STATUS_PENDING) {
      const auto waited = request.wait(limit);
      if (!waited) {
        allocator.cancel(request);
        request.wait(limit);  // the cancel completes it
        last_status = STATUS_TIMEOUT;
        return frames;
      }
      outcome = *waited;
    }
    last_status = outcome.status;
    if (outcome.status != STATUS_SUCCESS) return frames;
    ClientFrame f;
    f.info = allocator.frame_info(outcome.frame).value_or(FrameInfo{});
    f.verdict = device::verify_frame(
        std::span(static_cast<const std::byte*>(outcome.frame), f.info.data_used));
    f.record = source.frame_record(outcome.frame);
    frames.push_back(f);
    EXPECT_EQ(allocator.free(outcome.frame), STATUS_SUCCESS);
  }
  return frames;
}

void expect_sequence_invariant(const std::vector<ClientFrame>& frames) {
  for (std::size_t i = 1; i < frames.size(); ++i) {
    const FrameInfo& a = frames[i - 1].info;
    const FrameInfo& b = frames[i].info;
    EXPECT_GT(b.sequence, a.sequence) << "frame " << i;
    EXPECT_EQ(b.sequence - a.sequence - 1, b.drop_count - a.drop_count) << "frame " << i;
    if (b.drop_count > a.drop_count) {
      EXPECT_NE(b.flags & kFrameDiscontinuity, 0u) << "frame " << i;
    }
  }
}

}  // namespace hilcap::testing
