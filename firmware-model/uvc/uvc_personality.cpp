#include "uvc_personality.h"

#include <fmt/format.h>

#include <algorithm>

namespace hilcap::device::uvc {

Checked<UvcPersonality> UvcPersonality::create(UvcDeviceConfig config, StreamFrameSource& source) {
  FieldErrors errors = validate(config);
  if (!errors.empty()) return errors;
  return UvcPersonality(std::move(config), source);
}

UvcPersonality::UvcPersonality(UvcDeviceConfig config, StreamFrameSource& source)
    : config_(std::move(config)),
      descriptors_(build_descriptors(config_)),
      negotiation_(config_),
      source_(&source) {}

ControlOutcome UvcPersonality::control(const SetupPacket& setup, std::span<const std::uint8_t> out,
                                       std::span<std::uint8_t> in) {
  const auto interface = static_cast<std::uint8_t>(setup.index);
  const bool class_interface = setup.request_type == kRequestTypeClassInterfaceOut ||
                               setup.request_type == kRequestTypeClassInterfaceIn;
  if (class_interface) {
    if (interface != kStreamingInterface) return ControlOutcome::stall();  // no VC controls
    const ControlOutcome outcome = negotiation_.handle(setup, out, in);
    const bool committed =
        !outcome.stalled() && setup.request == kSetCur && (setup.value >> 8) == kVsCommitControl;
    if (committed && std::holds_alternative<BulkTransport>(config_.transport)) start_stream(0);
    return outcome;
  }
  const bool streaming_endpoint = setup.index == kStreamingEndpoint;
  if (setup.request_type == kRequestTypeStandardEndpointOut &&
      setup.request == kRequestClearFeature && setup.value == kFeatureEndpointHalt) {
    if (!streaming_endpoint) return ControlOutcome::stall();
    clear_halt(kStreamingEndpoint);
    return ControlOutcome::ack(0);
  }
  if (setup.request_type == kRequestTypeStandardEndpointIn && setup.request == kRequestGetStatus) {
    if (!streaming_endpoint || setup.length < 2 || in.size() < 2) return ControlOutcome::stall();
    in[0] = stream_ && stream_->halted() ? 1 : 0;
    in[1] = 0;
    return ControlOutcome::ack(2);
  }
  return answer_standard_request(descriptors_, setup, in);
}

bool UvcPersonality::set_interface(std::uint8_t interface, std::uint8_t alt_setting) {
  if (interface == kControlInterface) return alt_setting == 0;
  if (interface != kStreamingInterface) return false;
  if (alt_setting == 0) {
    stream_.reset();
    return true;
  }
  const auto* iso = std::get_if<IsochronousTransport>(&config_.transport);
  if (!iso || alt_setting > iso->alt_settings.size()) return false;
  start_stream(bytes_per_interval(iso->alt_settings[alt_setting - 1]));
  return true;
}

void UvcPersonality::clear_halt(std::uint8_t endpoint) {
  if (endpoint == kStreamingEndpoint && stream_) stream_->clear_halt();
}

void UvcPersonality::reset() {
  stream_.reset();
  negotiation_.reset();
}

FieldErrors UvcPersonality::set_stream_faults(std::vector<FaultAt> faults) {
  FieldErrors errors;
  if (std::holds_alternative<IsochronousTransport>(config_.transport)) {
    for (std::size_t i = 0; i < faults.size(); ++i)
      if (faults[i].fault == StreamFault::kStall)
        errors.push_back({fmt::format("/{}", i),
                          "a fault an isochronous endpoint can have (it cannot halt)",
                          to_string(faults[i].fault)});
  }
  if (errors.empty()) faults_ = std::move(faults);
  return errors;
}

// The stream runs with the committed parameters, or the current probe when the
// host never committed (a device streams whatever it was last set to).
// bytes_per_interval: the isochronous alternate setting's, 0 on bulk.
void UvcPersonality::start_stream(std::uint32_t bytes_per_interval) {
  const ProbeCommit& pc = negotiation_.committed().value_or(negotiation_.probe());
  const FormatConfig& format = config_.formats[pc.format_index - 1];
  const FrameConfig& frame = format.frames[pc.frame_index - 1];
  StreamSetup setup;
  setup.format = {pc.format_index, pc.frame_index,          format.format,          frame.width,
                  frame.height,    pc.frame_interval_100ns, pc.max_video_frame_size};
  setup.speed = config_.speed;
  setup.max_payload_bytes = bytes_per_interval != 0
                                ? std::min(pc.max_payload_transfer_size, bytes_per_interval)
                                : pc.max_payload_transfer_size;
  setup.style = config_.payload;
  setup.clock_frequency_hz = config_.clock_frequency_hz;
  setup.clock = config_.clock;
  stream_ = std::make_unique<UvcStream>(setup, *source_, faults_);
}

}  // namespace hilcap::device::uvc
