#include "serve/camera_device.h"

#include <hilcap/device/uvc_protocol.h>

namespace hilcap::sim {

using device::uvc::kStreamingEndpoint;

void ModelCameraDevice::account() {
  const device::uvc::UvcStream* stream = camera_.personality().stream();
  if (stream != nullptr && stream == stream_) {
    completed_before_ += stream->frames_completed() - counted_in_stream_;
    counted_in_stream_ = stream->frames_completed();
  }
}

void ModelCameraDevice::stream_may_have_changed() {
  // Streams are only replaced in control(), set_interface(), reset() and
  // replug(), never in the middle of a fill: what the old stream completed
  // was taken in by account() after its last fill.
  const device::uvc::UvcStream* stream = camera_.personality().stream();
  if (stream != nullptr) ++streams_started_;
  stream_ = stream;
  counted_in_stream_ = 0;
}

std::uint64_t ModelCameraDevice::frames_completed() const {
  return completed_before_;
}

bus::ControlOutcome ModelCameraDevice::control(const bus::SetupPacket& setup,
                                               std::span<const std::uint8_t> out,
                                               std::span<std::uint8_t> in) {
  const bus::ControlOutcome outcome = camera_.personality().control(setup, out, in);
  // COMMIT starts a bulk stream.
  const bool commit = setup.request_type == device::uvc::kRequestTypeClassInterfaceOut &&
                      setup.request == device::uvc::kSetCur &&
                      (setup.value >> 8) == device::uvc::kVsCommitControl;
  if (commit && !outcome.stalled() && camera_.personality().stream() != nullptr &&
      camera_.presentation().bulk)
    stream_may_have_changed();
  return outcome;
}

bool ModelCameraDevice::set_interface(std::uint8_t interface, std::uint8_t alt_setting) {
  const bool ok = camera_.personality().set_interface(interface, alt_setting);
  if (ok && interface == device::uvc::kStreamingInterface) stream_may_have_changed();
  return ok;
}

void ModelCameraDevice::reset() {
  camera_.personality().reset();
  stream_may_have_changed();
}

bus::TransferResult ModelCameraDevice::bulk_in(std::uint8_t endpoint,
                                               std::span<std::uint8_t> buffer) {
  device::uvc::UvcStream* stream = camera_.personality().stream();
  if (endpoint != kStreamingEndpoint || stream == nullptr)
    return {bus::TransferEnd::kNoData, 0};  // no stream: the device NAKs
  const bus::TransferResult r = stream->fill_bulk(buffer);
  account();
  return r;
}

bus::TransferResult ModelCameraDevice::iso_in(std::uint8_t endpoint,
                                              std::span<bus::IsoPacket> packets,
                                              std::span<std::uint8_t> buffer) {
  device::uvc::UvcStream* stream = camera_.personality().stream();
  if (endpoint != kStreamingEndpoint || stream == nullptr) {
    for (bus::IsoPacket& p : packets)
      p.actual_length = 0;
    return {bus::TransferEnd::kCompleted, 0};
  }
  const bus::TransferResult r = stream->fill_iso(packets, buffer);
  account();
  return r;
}

bus::TransferResult ModelCameraDevice::interrupt_in(std::uint8_t, std::span<std::uint8_t>) {
  // The model raises no status events (no controls change, no buttons).
  return {bus::TransferEnd::kNoData, 0};
}

std::optional<std::chrono::nanoseconds> ModelCameraDevice::reconnect_after() const {
  const auto& after = camera_.presentation().reconnect_after_ns;
  if (!after) return std::nullopt;
  return std::chrono::nanoseconds(*after);
}

void ModelCameraDevice::replug() {
  camera_.replug();
  stream_may_have_changed();
}

}  // namespace hilcap::sim
