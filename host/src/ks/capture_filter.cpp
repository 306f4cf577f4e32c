// CaptureFilter: a device's KS filter (filter_object.h), opened once per
// CreateFile, and its interrupt service.
#include <hilcap/capture_filter.h>
#include <hilcap/device/control.h>

#include "../capture/capture_driver.h"
#include "../capture/hardware_claims.h"
#include "filter_object.h"
#include "handle_table.h"

namespace hilcap {

struct CaptureFilter::Impl {
  std::shared_ptr<ks::FilterDevice> device;
};

std::shared_ptr<CaptureFilter> CaptureFilter::create(device::DeviceControl& device,
                                                     CaptureFilterOptions options) {
  auto impl = std::make_unique<Impl>();
  impl->device = std::shared_ptr<ks::FilterDevice>(new ks::FilterDevice{
      .device = device,
      .pin_options = options.pin,
      .device_clock = std::move(options.device_clock),
      .range = ks::video_range(device.frame_format(), options.pin.frame_interval_ns),
  });
  return std::shared_ptr<CaptureFilter>(new CaptureFilter(std::move(impl)));
}

CaptureFilter::CaptureFilter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

CaptureFilter::~CaptureFilter() = default;

HANDLE CaptureFilter::open() {
  return ks::HandleTable::instance().insert(std::make_shared<ks::FilterObject>(impl_->device));
}

std::size_t CaptureFilter::service_interrupt(std::int64_t host_time_ns) {
  const std::shared_ptr<CaptureDriver> holder =
      HardwareClaims::instance().holder(&impl_->device->device);
  return holder ? holder->service_interrupt(host_time_ns) : 0;
}

}  // namespace hilcap
