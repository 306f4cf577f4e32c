// A capture filter rig in virtual time: the real DeviceModel on a
// VirtualScheduler, its interrupt line scheduling the filter's
// service_interrupt, and a CaptureFilter whose handles a test drives the way
// a Windows KS client does: KSPROPSETID_Pin on the filter, KsCreatePin,
// KSPROPERTY_CONNECTION_STATE and IOCTL_KS_READ_STREAM on the pin.
#pragma once

#include <gtest/gtest.h>
#include <hilcap/capture_filter.h>
#include <hilcap/ks.h>
#include <hilcap/ks_extensions.h>
#include <hilcap/ks_filter.h>
#include <hilcap/ks_video.h>

#include <cstring>
#include <memory>
#include <vector>

#include "capture_rig.h"
#include "device_model.h"
#include "ks_test_client.h"
#include "scheduler/virtual_scheduler.h"

namespace hilcap::test {

// KSPIN_CONNECT followed by the format, as KsCreatePin takes them.
struct PinRequest {
  KSPIN_CONNECT connect;
  KS_DATAFORMAT_VIDEOINFOHEADER format;
};

// A KSSTREAM_HEADER with KS_FRAME_INFO after it: the capture samples' header.
struct SampleHeader {
  KSSTREAM_HEADER header;
  KS_FRAME_INFO info;
};
static_assert(sizeof(SampleHeader) == 128);

inline KSP_PIN pin_property(ULONG id, ULONG pin_id = 0, ULONG flags = KSPROPERTY_TYPE_GET) {
  KSP_PIN p{};
  p.Property = identifier(KSPROPSETID_Pin, id, flags);
  p.PinId = pin_id;
  return p;
}

class FilterRig {
 public:
  explicit FilterRig(const device::DeviceConfig& config, std::int64_t frame_interval_ns = 0)
      : line_(*this) {
    auto created = device::DeviceModel::create(config, scheduler_, line_);
    if (!created.errors.empty()) ADD_FAILURE() << created.errors.front().message();
    device_ = std::move(created.device);
    CaptureFilterOptions options;
    options.pin.frame_interval_ns = frame_interval_ns;
    options.device_clock = [this] { return scheduler_.now(); };
    filter_ = CaptureFilter::create(*device_, options);
    handle_ = filter_->open();
  }
  ~FilterRig() {
    for (HANDLE h : handles_)
      CloseHandle(h);
    if (handle_ != nullptr) CloseHandle(handle_);
  }
  FilterRig(const FilterRig&) = delete;
  FilterRig& operator=(const FilterRig&) = delete;

  sim::VirtualScheduler& scheduler() { return scheduler_; }
  device::DeviceModel& device() { return *device_; }
  CaptureFilter& filter() { return *filter_; }
  HANDLE filter_handle() const { return handle_; }
  std::uint32_t frame_bytes() const {
    return static_cast<std::uint32_t>(device_->frame_format().frame_bytes());
  }
  void run_until(device::TimeNs t) { scheduler_.run_until(t); }

  // The pin's data range, as KSPROPERTY_PIN_DATARANGES returns it.
  KS_DATARANGE_VIDEO range() {
    struct {
      KSMULTIPLE_ITEM item;
      KS_DATARANGE_VIDEO range;
    } reply{};
    DWORD returned = 0;
    EXPECT_TRUE(ks_ioctl(handle_, IOCTL_KS_PROPERTY, pin_property(KSPROPERTY_PIN_DATARANGES),
                         &reply, sizeof(reply), &returned, nullptr))
        << GetLastError();
    return reply.range;
  }

  // A connect request for the device's own format.
  PinRequest request() {
    PinRequest r{};
    r.connect.Interface.Set = KSINTERFACESETID_Standard;
    r.connect.Interface.Id = KSINTERFACE_STANDARD_STREAMING;
    r.connect.Medium.Set = KSMEDIUMSETID_Standard;
    r.connect.Medium.Id = KSMEDIUM_TYPE_ANYINSTANCE;
    r.connect.Priority.PriorityClass = KSPRIORITY_NORMAL;
    r.connect.Priority.PrioritySubClass = 1;
    const KS_DATARANGE_VIDEO ours = range();
    r.format.DataFormat.FormatSize = sizeof(KS_DATAFORMAT_VIDEOINFOHEADER);
    r.format.DataFormat.SampleSize = ours.DataRange.SampleSize;
    r.format.DataFormat.MajorFormat = ours.DataRange.MajorFormat;
    r.format.DataFormat.SubFormat = ours.DataRange.SubFormat;
    r.format.DataFormat.Specifier = ours.DataRange.Specifier;
    r.format.VideoInfoHeader = ours.VideoInfoHeader;
    return r;
  }

  // KsCreatePin's Win32 error; the pin is closed with the rig unless the
  // test closes it (then call forget()).
  DWORD create_pin(PinRequest& r, HANDLE& pin, ACCESS_MASK access = GENERIC_READ) {
    pin = nullptr;
    const DWORD error = KsCreatePin(handle_, &r.connect, access, &pin);
    if (error == ERROR_SUCCESS) handles_.push_back(pin);
    return error;
  }
  HANDLE pin() {
    PinRequest r = request();
    HANDLE h = nullptr;
    EXPECT_EQ(create_pin(r, h), static_cast<DWORD>(ERROR_SUCCESS));
    return h;
  }
  void forget(HANDLE h) { std::erase(handles_, h); }

 private:
  class Line final : public device::InterruptLine {
   public:
    explicit Line(FilterRig& rig) : rig_(rig) {}
    // As the simulated machine does, but as an event: the ISR/DPC.
    void raise() override {
      rig_.scheduler_.schedule_after(
          0, [this] { rig_.filter_->service_interrupt(rig_.scheduler_.now()); });
    }

   private:
    FilterRig& rig_;
  };

  sim::VirtualScheduler scheduler_;
  Line line_;
  std::unique_ptr<device::DeviceModel> device_;
  std::shared_ptr<CaptureFilter> filter_;
  HANDLE handle_ = nullptr;
  std::vector<HANDLE> handles_;
};

// One READ_STREAM request slot: `count` headers with KS_FRAME_INFO, each
// over a buffer of `extent` bytes, an OVERLAPPED with its own event.
struct Read {
  explicit Read(std::uint32_t extent, std::size_t count = 1)
      : headers(count), buffers(count, std::vector<std::byte>(extent)) {
    prepare();
  }
  // (Re)sets the headers as a client does before each issue.
  void prepare() {
    for (std::size_t i = 0; i < headers.size(); ++i) {
      headers[i] = {};
      headers[i].header.Size = sizeof(SampleHeader);
      headers[i].header.FrameExtent = static_cast<ULONG>(buffers[i].size());
      headers[i].header.Data = buffers[i].data();
    }
  }
  // DeviceIoControl(IOCTL_KS_READ_STREAM); TRUE or FALSE as it returns.
  BOOL issue(HANDLE pin, OVERLAPPED* o = nullptr) {
    DWORD returned = 0;
    return DeviceIoControl(pin, IOCTL_KS_READ_STREAM, nullptr, 0, headers.data(),
                           static_cast<DWORD>(headers.size() * sizeof(SampleHeader)), &returned,
                           o ? o : &ov.ov);
  }
  const SampleHeader& operator[](std::size_t i) const { return headers[i]; }

  std::vector<SampleHeader> headers;
  std::vector<std::vector<std::byte>> buffers;
  Overlapped ov;
};

}  // namespace hilcap::test
