// The device model presenting itself as a UVC camera: its descriptors, its
// answers on the control endpoint (standard requests, PROBE/COMMIT), its
// interface alternate settings, and the video stream on its streaming
// endpoint. Pure device logic: whoever carries USB (the umockdev harness, a
// simulator) calls it.
#pragma once

#include <hilcap/device_internal.h>

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "control_request.h"
#include "descriptor_builder.h"
#include "packetizer.h"
#include "probe_commit_responder.h"
#include "uvc_device_config.h"
#include "uvc_stream.h"

namespace hilcap::device::uvc {

class UvcPersonality {
 public:
  // A personality for a valid configuration; otherwise every configuration error.
  static Checked<UvcPersonality> create(UvcDeviceConfig config, StreamFrameSource& source);

  const UvcDeviceConfig& config() const { return config_; }
  const DescriptorSet& descriptors() const { return descriptors_; }
  const ProbeCommitResponder& negotiation() const { return negotiation_; }

  // A control transfer on endpoint 0. `out` is the data stage of an OUT
  // request; `in` receives at most setup.length bytes of an IN request.
  ControlOutcome control(const SetupPacket& setup, std::span<const std::uint8_t> out,
                         std::span<std::uint8_t> in);
  // SET_INTERFACE. Isochronous streaming starts on a non-zero alternate
  // setting of the streaming interface and stops on alternate setting 0; bulk
  // streaming starts on COMMIT and stops on alternate setting 0. False when
  // the interface or alternate setting does not exist.
  bool set_interface(std::uint8_t interface, std::uint8_t alt_setting);
  // CLEAR_FEATURE(ENDPOINT_HALT).
  void clear_halt(std::uint8_t endpoint);
  // Bus reset: stream stopped, negotiation back to its power-on state.
  void reset();

  // Faults for streams started from now on (frames and payloads count from
  // each stream's start). Refused with errors when one cannot happen on this
  // transport (a stall on an isochronous endpoint), each at "/<index>" of
  // the fault in `faults`.
  FieldErrors set_stream_faults(std::vector<FaultAt> faults);

  // The running stream, or nullptr.
  UvcStream* stream() { return stream_.get(); }

 private:
  UvcPersonality(UvcDeviceConfig config, StreamFrameSource& source);
  void start_stream(std::uint32_t bytes_per_interval);

  UvcDeviceConfig config_;
  DescriptorSet descriptors_;
  ProbeCommitResponder negotiation_;
  StreamFrameSource* source_;
  std::vector<FaultAt> faults_;
  std::unique_ptr<UvcStream> stream_;
};

}  // namespace hilcap::device::uvc
