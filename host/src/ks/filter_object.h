// The file object behind a capture filter HANDLE (CaptureFilter::open, i.e.
// CreateFile on a device interface path): the pin property set
// (KSPROPSETID_Pin) of its one pin type, the video capture pin (pin 0, as in
// avshws), and KsCreatePin on it.
#pragma once

#include <hilcap/capture_pin.h>
#include <hilcap/device/frame_format.h>
#include <hilcap/ks_filter.h>
#include <hilcap/ks_video.h>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>

#include "event.h"
#include "io_completion.h"
#include "kernel_object.h"

namespace hilcap {
namespace device {
class DeviceControl;
}

namespace ks {

// What one device's filter offers, shared by all its instances.
struct FilterDevice {
  device::DeviceControl& device;
  CapturePinOptions pin_options;
  std::function<std::int64_t()> device_clock;
  KS_DATARANGE_VIDEO range;         // the device's one format
  std::atomic<ULONG> pins_open{0};  // on every instance (GLOBALCINSTANCES)
};

// The data range of a device's format: `frame_interval_ns` 0 announces 1/30 s.
KS_DATARANGE_VIDEO video_range(const device::FrameFormat& format, std::int64_t frame_interval_ns);

class FilterObject final : public KernelObject {
 public:
  static constexpr ObjectType kType = ObjectType::kFilter;

  explicit FilterObject(std::shared_ptr<FilterDevice> device);

  IoOutcome device_io_control(const IoctlCall& call) override;
  Event* signal_event() override { return file_event_.get(); }

  // KsCreatePin: `connect` is followed in memory by the KSDATAFORMAT.
  NTSTATUS create_pin(const KSPIN_CONNECT& connect, ACCESS_MASK access, HANDLE& pin);

  // Handlers of the automation table.
  IoOutcome get_cinstances(const IoctlCall& call);
  IoOutcome get_ctypes(const IoctlCall& call);
  IoOutcome get_dataflow(const IoctlCall& call);
  IoOutcome get_dataranges(const IoctlCall& call);
  IoOutcome get_dataintersection(const IoctlCall& call);
  IoOutcome get_interfaces(const IoctlCall& call);
  IoOutcome get_mediums(const IoctlCall& call);
  IoOutcome get_communication(const IoctlCall& call);
  IoOutcome get_global_cinstances(const IoctlCall& call);
  IoOutcome get_necessary_instances(const IoctlCall& call);
  IoOutcome get_category(const IoctlCall& call);
  IoOutcome get_name(const IoctlCall& call);

 private:
  // STATUS_SUCCESS when the KSP_PIN of `call` names pin type 0.
  NTSTATUS check_pin_id(const IoctlCall& call) const;
  // NO_MATCH, a size problem, or success: the format of a connect or a range.
  NTSTATUS match_format(const KSDATAFORMAT& header, const void* whole) const;

  std::shared_ptr<FilterDevice> device_;
  std::shared_ptr<Event> file_event_;
  // Pins made here and not yet closed (one possible): shared with their
  // close callbacks, which may run after this object is gone.
  std::shared_ptr<std::atomic<ULONG>> pins_open_;
  std::mutex create_mutex_;  // one KsCreatePin at a time (the instance check)
};

}  // namespace ks
}  // namespace hilcap
