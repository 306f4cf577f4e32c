// A capture device as a Windows KS filter: what CreateFile on one of the
// device's interface paths opens. The simulated machine (machine/) makes one
// per device and answers CreateFile with open(); tests may use it directly.
//
// Each open() is a filter instance (a HANDLE) answering the pin property set
// (KSPROPSETID_Pin) for its one pin type, the video capture pin, and
// KsCreatePin, which makes a capture pin (the same pin CapturePin is, with
// IOCTL_KS_READ_STREAM) on the device: <hilcap/ks_filter.h>.
//
// The integrator runs the device and calls service_interrupt() whenever its
// interrupt line rises: the pin holding the device (if any) drains it.
#pragma once

#include <hilcap/capture_pin.h>
#include <hilcap/ks.h>

#include <cstdint>
#include <functional>
#include <memory>

namespace hilcap {

namespace device {
class DeviceControl;
}

struct CaptureFilterOptions {
  // Every pin's options. pin.frame_interval_ns is also the data range's
  // AvgTimePerFrame (0: unknown, then 1/30 s is announced).
  CapturePinOptions pin;
  // The clock of the device's frame timestamps: read as a pin starts a
  // stream in KSSTATE_RUN, so that READ_STREAM's PresentationTime counts
  // from there. Empty: PresentationTime is the device's timestamp itself.
  std::function<std::int64_t()> device_clock;
};

class CaptureFilter {
 public:
  // `device` must outlive every handle open() returns and every pin made on
  // them (handles may outlive the CaptureFilter itself).
  static std::shared_ptr<CaptureFilter> create(device::DeviceControl& device,
                                               CaptureFilterOptions options);
  ~CaptureFilter();
  CaptureFilter(const CaptureFilter&) = delete;
  CaptureFilter& operator=(const CaptureFilter&) = delete;

  // A new filter instance; NULL when no handle is left. Close it with CloseHandle.
  HANDLE open();

  // The device's interrupt: the pin holding the device acknowledges and
  // drains it (0 when no pin holds it: nothing is in flight then).
  std::size_t service_interrupt(std::int64_t host_time_ns);

 private:
  struct Impl;
  explicit CaptureFilter(std::unique_ptr<Impl> impl);

  std::unique_ptr<Impl> impl_;
};

}  // namespace hilcap
