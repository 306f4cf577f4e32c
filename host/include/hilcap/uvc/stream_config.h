// Choosing what to stream and how: the format/frame/interval a user asked for,
// the PROBE block to send for it, what the device changed in its answer, and
// the alternate setting (or bulk endpoint) whose bandwidth carries it.
#pragma once

#include <hilcap/device/uvc_protocol.h>
#include <hilcap/uvc/descriptors.h>
#include <hilcap/uvc/result.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace hilcap::uvc {

using ProbeCommit = device::uvc::ProbeCommit;

// What the user asked for; empty / zero fields mean "the device's default".
struct StreamRequest {
  std::string format;  // "YUY2", "NV12", "MJPEG", "H264", ... (case-insensitive)
  std::uint16_t width = 0;
  std::uint16_t height = 0;
  double fps = 0;
};

struct StreamChoice {
  std::uint8_t interface_number = 0;  // the VideoStreaming interface
  std::uint8_t format_index = 0;
  std::uint8_t frame_index = 0;
  std::uint32_t interval_100ns = 0;
  std::string format_name;
  FormatKind format_kind = FormatKind::kOther;
  std::uint16_t width = 0;
  std::uint16_t height = 0;
  std::uint32_t max_video_frame_buffer_size = 0;  // from the frame descriptor (0: not given)
};

// Finds the request among the function's streaming interfaces. Errors name
// what is not offered and list what is.
Result<StreamChoice> choose_stream(const VideoFunction& function, const StreamRequest& request);

// The PROBE SET_CUR block for a choice: its fields, and the length the
// device's UVC version expects (26, 34 or 48 bytes).
struct ProbeRequest {
  ProbeCommit block;
  std::size_t length = 0;
};
ProbeRequest make_probe_request(const StreamChoice& choice, std::uint16_t bcd_uvc);

// A field the host set that the device's answer changed.
struct Adjustment {
  std::string field;  // "dwFrameInterval"
  std::uint64_t requested = 0;
  std::uint64_t answered = 0;
  std::string to_string() const;  // "dwFrameInterval 333333 -> 666666"
};

struct ProbeOutcome {
  ProbeCommit negotiated;            // the device's answer, with gaps filled as noted
  std::vector<Adjustment> adjusted;  // what the device changed of the request
  std::vector<std::string> notes;    // tolerated oddities (short block, size filled in)
};

// Reads the device's GET_CUR answer to a PROBE. The format and frame it names
// must exist in `streaming`; a dwMaxVideoFrameSize of 0 is filled in from the
// frame descriptor (as Linux does), a dwMaxPayloadTransferSize of 0 is an error.
Result<ProbeOutcome> interpret_probe_answer(const StreamingInterface& streaming,
                                            const ProbeRequest& sent,
                                            std::span<const std::uint8_t> answer);

// How the payloads travel: a bulk endpoint, or an isochronous alternate setting.
struct EndpointChoice {
  TransferType transfer = TransferType::kIsochronous;
  std::uint8_t alternate_setting = 0;
  std::uint8_t endpoint_address = 0;
  std::uint16_t packet_size = 0;         // wMaxPacketSize bits 10:0
  std::uint32_t bytes_per_interval = 0;  // iso: per (micro)frame
};

// Bulk when the streaming endpoint in alternate setting 0 is a bulk endpoint;
// otherwise the isochronous alternate setting with the smallest bandwidth that
// still covers `max_payload_transfer_size` per service interval.
Result<EndpointChoice> choose_endpoint(const StreamingInterface& streaming, UsbSpeed speed,
                                       std::uint32_t max_payload_transfer_size);

}  // namespace hilcap::uvc
