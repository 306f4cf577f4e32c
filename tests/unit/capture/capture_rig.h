// A capture rig in virtual time: the real DeviceModel on a VirtualScheduler,
// its interrupt line scheduling the pin's service_interrupt (after an optional
// DPC latency), and a CapturePin driven the way a Windows KS client drives it
// (DeviceIoControl on the pin and allocator handles).
#pragma once

#include <gtest/gtest.h>
#include <hilcap/capture_pin.h>
#include <hilcap/ks.h>
#include <hilcap/ks_extensions.h>

#include <cstring>
#include <memory>
#include <string>

#include "device_model.h"
#include "ks_test_client.h"
#include "scheduler/virtual_scheduler.h"

namespace hilcap::test {

inline constexpr device::TimeNs kMs = 1'000'000;
inline constexpr device::TimeNs kSecond = 1'000'000'000;

// Grid time of frame k at num/den fps, from a stream started at 0.
inline device::TimeNs grid_time(std::uint64_t k, std::uint32_t fps_num = 30,
                                std::uint32_t fps_den = 1) {
  return static_cast<device::TimeNs>(static_cast<unsigned __int128>(k) * fps_den * kSecond /
                                     fps_num);
}

// A small device: 64x64 GREY pattern frames (4096 bytes) at 30 fps.
inline device::DeviceConfig small_device(std::uint32_t ring_depth = 4) {
  device::DeviceConfig config;
  config.format = {device::PixelFormat::kGrey, 64, 64};
  config.payload = device::PayloadMode::kPattern;
  config.ring_depth = ring_depth;
  config.timing.cadence = device::FrameRate{30, 1};
  return config;
}

// KSPROPERTY_CONNECTION_STATE and KSPROPERTY_DROPPEDFRAMES_CURRENT, as a
// client sends them. Each returns the Win32 error (ERROR_SUCCESS when TRUE).
inline DWORD set_state(HANDLE pin, ULONG state) {
  const KSPROPERTY property =
      identifier(KSPROPSETID_Connection, KSPROPERTY_CONNECTION_STATE, KSPROPERTY_TYPE_SET);
  DWORD returned = 0;
  if (ks_ioctl(pin, IOCTL_KS_PROPERTY, property, &state, sizeof(state), &returned, nullptr)) {
    return ERROR_SUCCESS;
  }
  return GetLastError();
}

inline DWORD get_state(HANDLE pin, KSSTATE& state) {
  const KSPROPERTY property =
      identifier(KSPROPSETID_Connection, KSPROPERTY_CONNECTION_STATE, KSPROPERTY_TYPE_GET);
  DWORD returned = 0;
  if (ks_ioctl(pin, IOCTL_KS_PROPERTY, property, &state, sizeof(state), &returned, nullptr)) {
    return ERROR_SUCCESS;
  }
  return GetLastError();
}

inline DWORD dropped_frames(HANDLE pin, KSPROPERTY_DROPPEDFRAMES_CURRENT_S& value) {
  KSPROPERTY_DROPPEDFRAMES_CURRENT_S request{};
  request.Property = identifier(PROPSETID_VIDCAP_DROPPEDFRAMES, KSPROPERTY_DROPPEDFRAMES_CURRENT,
                                KSPROPERTY_TYPE_GET);
  DWORD returned = 0;
  if (ks_ioctl(pin, IOCTL_KS_PROPERTY, request, &value, sizeof(value), &returned, nullptr)) {
    return ERROR_SUCCESS;
  }
  return GetLastError();
}

// KSPROPERTY_HILCAP_FRAME_HEADER of a frame the client holds.
inline DWORD frame_header(HANDLE allocator, PVOID frame, KSHILCAP_FRAME_HEADER& header,
                          DWORD out_size = sizeof(KSHILCAP_FRAME_HEADER),
                          DWORD* returned = nullptr) {
  KSP_HILCAP_FRAME request{};
  request.Property =
      identifier(KSPROPSETID_HilcapFrame, KSPROPERTY_HILCAP_FRAME_HEADER, KSPROPERTY_TYPE_GET);
  request.Frame = frame;
  DWORD ignored = 0;
  if (ks_ioctl(allocator, IOCTL_KS_PROPERTY, request, &header, out_size,
               returned ? returned : &ignored, nullptr)) {
    return ERROR_SUCCESS;
  }
  return GetLastError();
}

inline KSHILCAP_FRAME_HEADER header_of(HANDLE allocator, PVOID frame) {
  KSHILCAP_FRAME_HEADER header{};
  EXPECT_EQ(frame_header(allocator, frame, header), static_cast<DWORD>(ERROR_SUCCESS));
  return header;
}

inline bool has_option(const KSHILCAP_FRAME_HEADER& header, ULONG flag) {
  return (header.Header.OptionsFlags & flag) != 0;
}

class CaptureRig {
 public:
  explicit CaptureRig(const device::DeviceConfig& config, CapturePinOptions options = {},
                      device::TimeNs dpc_latency_ns = 0)
      : line_(*this, dpc_latency_ns) {
    auto created = device::DeviceModel::create(config, scheduler_, line_);
    if (!created.errors.empty()) ADD_FAILURE() << created.errors.front().message();
    device_ = std::move(created.device);
    pin_ = CapturePin::open(*device_, options);
  }
  ~CaptureRig() {
    for (HANDLE h : allocators_)
      CloseHandle(h);
    pin_.reset();
  }
  CaptureRig(const CaptureRig&) = delete;
  CaptureRig& operator=(const CaptureRig&) = delete;

  sim::VirtualScheduler& scheduler() { return scheduler_; }
  device::DeviceModel& device() { return *device_; }
  CapturePin& pin() { return *pin_; }
  HANDLE pin_handle() const { return pin_->handle(); }
  std::uint32_t frame_bytes() const {
    return static_cast<std::uint32_t>(device_->frame_format().frame_bytes());
  }
  // Services interrupts raised so far and everything else due until `t`.
  void run_until(device::TimeNs t) { scheduler_.run_until(t); }
  void run_for(device::TimeNs d) { scheduler_.run_for(d); }

  // KsCreateAllocator(pin, ...); the handle is closed with the rig.
  AllocatorCreated create_allocator(ULONG frames, ULONG frame_size = 0) {
    const KSALLOCATOR_FRAMING f = framing(frames, frame_size ? frame_size : frame_bytes());
    AllocatorCreated created = hilcap::create_allocator(pin_handle(), f);
    if (created.handle != nullptr) allocators_.push_back(created.handle);
    return created;
  }
  HANDLE allocator(ULONG frames, ULONG frame_size = 0) {
    const AllocatorCreated created = create_allocator(frames, frame_size);
    EXPECT_EQ(created.status, STATUS_SUCCESS) << created.error;
    return created.handle;
  }

  // held + ready + at the pin == Frames (CapturePin::frames_at_device).
  ::testing::AssertionResult conserved() const {
    const auto allocator = pin_->allocator();
    if (!allocator) return ::testing::AssertionSuccess();
    const AllocatorOccupancy o = allocator->occupancy();
    const std::uint32_t at_device = pin_->frames_at_device();
    if (o.held + o.ready + at_device == o.frames) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "held " << o.held << " + ready " << o.ready
                                         << " + at device " << at_device << " != " << o.frames;
  }

 private:
  class Line final : public device::InterruptLine {
   public:
    Line(CaptureRig& rig, device::TimeNs dpc_latency_ns)
        : rig_(rig), dpc_latency_ns_(dpc_latency_ns) {}
    // As the integrator does in virtual time: the ISR/DPC is an event. Frames
    // move between the pin and the allocator only here and in client calls,
    // so conservation is checked after each.
    void raise() override {
      rig_.scheduler_.schedule_after(dpc_latency_ns_, [this] {
        if (!rig_.pin_) return;
        rig_.pin_->service_interrupt(rig_.scheduler_.now());
        EXPECT_TRUE(rig_.conserved()) << "after the interrupt at " << rig_.scheduler_.now();
      });
    }

   private:
    CaptureRig& rig_;
    device::TimeNs dpc_latency_ns_;
  };

  sim::VirtualScheduler scheduler_;
  Line line_;
  std::unique_ptr<device::DeviceModel> device_;
  std::unique_ptr<CapturePin> pin_;
  std::vector<HANDLE> allocators_;
};

}  // namespace hilcap::test
