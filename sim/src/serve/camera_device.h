// The device model's camera (ModelCamera) as the usbredir bus sees a device:
// its UVC personality answers the control transfers and alternate settings,
// its stream fills the bulk and isochronous transfers, and its frame source
// says when the next frame may leave. Counts the frames whose last payload
// left, across the streams the host starts and stops.
#pragma once

#include <cstdint>

#include "model_camera.h"
#include "redirected_device.h"

namespace hilcap::sim {

class ModelCameraDevice final : public bus::RedirectedDevice {
 public:
  explicit ModelCameraDevice(device::uvc::ModelCamera& camera) : camera_(camera) {}

  const bus::DescriptorSet& descriptors() const override {
    return camera_.personality().descriptors();
  }
  device::uvc::UsbSpeed speed() const override { return camera_.personality().config().speed; }
  bus::ControlOutcome control(const bus::SetupPacket& setup, std::span<const std::uint8_t> out,
                              std::span<std::uint8_t> in) override;
  bool set_interface(std::uint8_t interface, std::uint8_t alt_setting) override;
  void reset() override;
  bus::TransferResult bulk_in(std::uint8_t endpoint, std::span<std::uint8_t> buffer) override;
  bus::TransferResult iso_in(std::uint8_t endpoint, std::span<bus::IsoPacket> packets,
                             std::span<std::uint8_t> buffer) override;
  bus::TransferResult interrupt_in(std::uint8_t endpoint, std::span<std::uint8_t> buffer) override;
  std::optional<std::chrono::steady_clock::time_point> data_ready_at() override {
    return camera_.next_frame_time();
  }
  std::optional<std::chrono::nanoseconds> reconnect_after() const override;
  void replug() override;

  // Frames whose last payload left, over every stream so far.
  std::uint64_t frames_completed() const;
  // Streams the personality started (COMMIT on bulk, a non-zero alternate
  // setting on isochronous).
  std::uint64_t streams_started() const { return streams_started_; }

 private:
  // Takes in the current stream's completed frames; called after each fill.
  void account();
  // The personality may have replaced its stream: start counting afresh.
  void stream_may_have_changed();

  device::uvc::ModelCamera& camera_;
  const device::uvc::UvcStream* stream_ = nullptr;
  std::uint64_t counted_in_stream_ = 0;
  std::uint64_t completed_before_ = 0;
  std::uint64_t streams_started_ = 0;
};

}  // namespace hilcap::sim
