// USB Video Class wire format: the constants and layouts a UVC device presents
// on the bus. Part of the device's published interface: the device model's UVC
// personality produces these bytes and the host's UVC source parses them, so
// both sides share one definition (USB Video Class 1.5 specification, with the
// 1.0 and 1.1 sizes of the probe/commit block).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace hilcap::device::uvc {

// --- USB standard descriptor types (USB 2.0 table 9-5, USB 3.x) ---
inline constexpr std::uint8_t kDescDevice = 0x01;
inline constexpr std::uint8_t kDescConfiguration = 0x02;
inline constexpr std::uint8_t kDescString = 0x03;
inline constexpr std::uint8_t kDescInterface = 0x04;
inline constexpr std::uint8_t kDescEndpoint = 0x05;
inline constexpr std::uint8_t kDescDeviceQualifier = 0x06;
inline constexpr std::uint8_t kDescOtherSpeedConfiguration = 0x07;
inline constexpr std::uint8_t kDescInterfaceAssociation = 0x0B;
inline constexpr std::uint8_t kDescSsEndpointCompanion = 0x30;
inline constexpr std::uint8_t kDescBos = 0x0F;
inline constexpr std::uint8_t kDescDeviceCapability = 0x10;

// --- Video class codes (UVC A.1–A.3) ---
inline constexpr std::uint8_t kClassVideo = 0x0E;
inline constexpr std::uint8_t kSubclassVideoControl = 0x01;
inline constexpr std::uint8_t kSubclassVideoStreaming = 0x02;
inline constexpr std::uint8_t kSubclassVideoInterfaceCollection = 0x03;
inline constexpr std::uint8_t kProtocolUndefined = 0x00;  // bInterfaceProtocol before 1.5
inline constexpr std::uint8_t kProtocol15 = 0x01;         // PC_PROTOCOL_15

// --- Class-specific descriptor types (UVC A.4) ---
inline constexpr std::uint8_t kCsInterface = 0x24;
inline constexpr std::uint8_t kCsEndpoint = 0x25;

// --- Class-specific VideoControl endpoint descriptor subtype (UVC A.7) ---
inline constexpr std::uint8_t kEpInterrupt = 0x03;

// --- VideoControl interface descriptor subtypes (UVC A.5) ---
inline constexpr std::uint8_t kVcHeader = 0x01;
inline constexpr std::uint8_t kVcInputTerminal = 0x02;
inline constexpr std::uint8_t kVcOutputTerminal = 0x03;
inline constexpr std::uint8_t kVcSelectorUnit = 0x04;
inline constexpr std::uint8_t kVcProcessingUnit = 0x05;
inline constexpr std::uint8_t kVcExtensionUnit = 0x06;
inline constexpr std::uint8_t kVcEncodingUnit = 0x07;

// --- VideoStreaming interface descriptor subtypes (UVC A.6) ---
inline constexpr std::uint8_t kVsInputHeader = 0x01;
inline constexpr std::uint8_t kVsOutputHeader = 0x02;
inline constexpr std::uint8_t kVsStillImageFrame = 0x03;
inline constexpr std::uint8_t kVsFormatUncompressed = 0x04;
inline constexpr std::uint8_t kVsFrameUncompressed = 0x05;
inline constexpr std::uint8_t kVsFormatMjpeg = 0x06;
inline constexpr std::uint8_t kVsFrameMjpeg = 0x07;
inline constexpr std::uint8_t kVsFormatMpeg2ts = 0x0A;
inline constexpr std::uint8_t kVsFormatDv = 0x0C;
inline constexpr std::uint8_t kVsColorFormat = 0x0D;
inline constexpr std::uint8_t kVsFormatFrameBased = 0x10;
inline constexpr std::uint8_t kVsFrameFrameBased = 0x11;
inline constexpr std::uint8_t kVsFormatStreamBased = 0x12;
inline constexpr std::uint8_t kVsFormatH264 = 0x13;
inline constexpr std::uint8_t kVsFrameH264 = 0x14;
inline constexpr std::uint8_t kVsFormatH264Simulcast = 0x15;
inline constexpr std::uint8_t kVsFormatVp8 = 0x16;
inline constexpr std::uint8_t kVsFrameVp8 = 0x17;
inline constexpr std::uint8_t kVsFormatVp8Simulcast = 0x18;

// --- Terminal types (UVC B.1, B.2) ---
inline constexpr std::uint16_t kTtStreaming = 0x0101;
inline constexpr std::uint16_t kIttCamera = 0x0201;

// --- Class-specific requests (UVC A.8) ---
inline constexpr std::uint8_t kSetCur = 0x01;
inline constexpr std::uint8_t kGetCur = 0x81;
inline constexpr std::uint8_t kGetMin = 0x82;
inline constexpr std::uint8_t kGetMax = 0x83;
inline constexpr std::uint8_t kGetRes = 0x84;
inline constexpr std::uint8_t kGetLen = 0x85;
inline constexpr std::uint8_t kGetInfo = 0x86;
inline constexpr std::uint8_t kGetDef = 0x87;

// bmRequestType for class requests addressed to an interface.
inline constexpr std::uint8_t kRequestTypeClassInterfaceOut = 0x21;
inline constexpr std::uint8_t kRequestTypeClassInterfaceIn = 0xA1;

// --- VideoStreaming interface control selectors (UVC A.9.8) ---
inline constexpr std::uint8_t kVsProbeControl = 0x01;
inline constexpr std::uint8_t kVsCommitControl = 0x02;
inline constexpr std::uint8_t kVsStillProbeControl = 0x03;
inline constexpr std::uint8_t kVsStillCommitControl = 0x04;
inline constexpr std::uint8_t kVsStreamErrorCodeControl = 0x06;

// --- Payload header (UVC 2.4.3.3): bHeaderLength, then bmHeaderInfo ---
inline constexpr std::uint8_t kHeaderFid = 0x01;  // frame id, toggles per frame
inline constexpr std::uint8_t kHeaderEof = 0x02;  // last payload of a frame
inline constexpr std::uint8_t kHeaderPts = 0x04;  // 4-byte PTS follows
inline constexpr std::uint8_t kHeaderScr = 0x08;  // 6-byte SCR follows (4 STC + 2 SOF)
inline constexpr std::uint8_t kHeaderRes = 0x10;  // reserved (some devices set it)
inline constexpr std::uint8_t kHeaderSti = 0x20;  // still image
inline constexpr std::uint8_t kHeaderErr = 0x40;  // error in this payload
inline constexpr std::uint8_t kHeaderEoh = 0x80;  // end of header fields
inline constexpr std::size_t kMinPayloadHeader = 2;
inline constexpr std::size_t kMaxPayloadHeader = 12;  // 2 + PTS 4 + SCR 6

// --- Probe/commit control block (UVC 4.3.1.1) ---
// The block is 26 bytes in UVC 1.0, 34 in 1.1 and 48 in 1.5; a device answers
// with the length of its own version (the bcdUVC of its VideoControl header).
inline constexpr std::size_t kProbeCommitSize10 = 26;
inline constexpr std::size_t kProbeCommitSize11 = 34;
inline constexpr std::size_t kProbeCommitSize15 = 48;

// Block length for a bcdUVC value (0x0100, 0x0110, 0x0150 ...).
constexpr std::size_t probe_commit_size(std::uint16_t bcd_uvc) {
  if (bcd_uvc >= 0x0150) return kProbeCommitSize15;
  if (bcd_uvc >= 0x0110) return kProbeCommitSize11;
  return kProbeCommitSize10;
}

// bmHint bits.
inline constexpr std::uint16_t kHintFrameInterval = 0x0001;

struct ProbeCommit {
  std::uint16_t bm_hint = 0;                           // @0
  std::uint8_t format_index = 0;                       // @2
  std::uint8_t frame_index = 0;                        // @3
  std::uint32_t frame_interval_100ns = 0;              // @4
  std::uint16_t key_frame_rate = 0;                    // @8
  std::uint16_t p_frame_rate = 0;                      // @10
  std::uint16_t comp_quality = 0;                      // @12
  std::uint16_t comp_window_size = 0;                  // @14
  std::uint16_t delay_ms = 0;                          // @16
  std::uint32_t max_video_frame_size = 0;              // @18
  std::uint32_t max_payload_transfer_size = 0;         // @22 (end of 1.0)
  std::uint32_t clock_frequency_hz = 0;                // @26
  std::uint8_t bm_framing_info = 0;                    // @30
  std::uint8_t preferred_version = 0;                  // @31
  std::uint8_t min_version = 0;                        // @32
  std::uint8_t max_version = 0;                        // @33 (end of 1.1)
  std::uint8_t usage = 0;                              // @34
  std::uint8_t bit_depth_luma = 0;                     // @35
  std::uint8_t bm_settings = 0;                        // @36
  std::uint8_t max_number_of_ref_frames_plus1 = 0;     // @37
  std::uint16_t bm_rate_control_modes = 0;             // @38
  std::array<std::uint8_t, 8> bm_layout_per_stream{};  // @40 (end of 1.5)

  friend bool operator==(const ProbeCommit&, const ProbeCommit&) = default;
};

namespace detail {
constexpr void put16(std::span<std::uint8_t> b, std::size_t at, std::uint16_t v) {
  b[at] = static_cast<std::uint8_t>(v);
  b[at + 1] = static_cast<std::uint8_t>(v >> 8);
}
constexpr void put32(std::span<std::uint8_t> b, std::size_t at, std::uint32_t v) {
  for (std::size_t i = 0; i < 4; ++i)
    b[at + i] = static_cast<std::uint8_t>(v >> (8 * i));
}
constexpr std::uint16_t get16(std::span<const std::uint8_t> b, std::size_t at) {
  return static_cast<std::uint16_t>(b[at] | (b[at + 1] << 8));
}
constexpr std::uint32_t get32(std::span<const std::uint8_t> b, std::size_t at) {
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < 4; ++i)
    v |= std::uint32_t{b[at + i]} << (8 * i);
  return v;
}
}  // namespace detail

// Writes the first out.size() bytes of the block (26, 34 or 48; fields past
// the end are left out). Returns the number of bytes written.
constexpr std::size_t encode_probe_commit(const ProbeCommit& pc, std::span<std::uint8_t> out) {
  std::array<std::uint8_t, kProbeCommitSize15> b{};
  detail::put16(b, 0, pc.bm_hint);
  b[2] = pc.format_index;
  b[3] = pc.frame_index;
  detail::put32(b, 4, pc.frame_interval_100ns);
  detail::put16(b, 8, pc.key_frame_rate);
  detail::put16(b, 10, pc.p_frame_rate);
  detail::put16(b, 12, pc.comp_quality);
  detail::put16(b, 14, pc.comp_window_size);
  detail::put16(b, 16, pc.delay_ms);
  detail::put32(b, 18, pc.max_video_frame_size);
  detail::put32(b, 22, pc.max_payload_transfer_size);
  detail::put32(b, 26, pc.clock_frequency_hz);
  b[30] = pc.bm_framing_info;
  b[31] = pc.preferred_version;
  b[32] = pc.min_version;
  b[33] = pc.max_version;
  b[34] = pc.usage;
  b[35] = pc.bit_depth_luma;
  b[36] = pc.bm_settings;
  b[37] = pc.max_number_of_ref_frames_plus1;
  detail::put16(b, 38, pc.bm_rate_control_modes);
  for (std::size_t i = 0; i < 8; ++i)
    b[40 + i] = pc.bm_layout_per_stream[i];
  const std::size_t n = out.size() < b.size() ? out.size() : b.size();
  for (std::size_t i = 0; i < n; ++i)
    out[i] = b[i];
  return n;
}

// Reads as many fields as `in` holds; fields past its end stay zero.
constexpr ProbeCommit decode_probe_commit(std::span<const std::uint8_t> in) {
  std::array<std::uint8_t, kProbeCommitSize15> b{};
  const std::size_t n = in.size() < b.size() ? in.size() : b.size();
  for (std::size_t i = 0; i < n; ++i)
    b[i] = in[i];
  ProbeCommit pc;
  pc.bm_hint = detail::get16(b, 0);
  pc.format_index = b[2];
  pc.frame_index = b[3];
  pc.frame_interval_100ns = detail::get32(b, 4);
  pc.key_frame_rate = detail::get16(b, 8);
  pc.p_frame_rate = detail::get16(b, 10);
  pc.comp_quality = detail::get16(b, 12);
  pc.comp_window_size = detail::get16(b, 14);
  pc.delay_ms = detail::get16(b, 16);
  pc.max_video_frame_size = detail::get32(b, 18);
  pc.max_payload_transfer_size = detail::get32(b, 22);
  pc.clock_frequency_hz = detail::get32(b, 26);
  pc.bm_framing_info = b[30];
  pc.preferred_version = b[31];
  pc.min_version = b[32];
  pc.max_version = b[33];
  pc.usage = b[34];
  pc.bit_depth_luma = b[35];
  pc.bm_settings = b[36];
  pc.max_number_of_ref_frames_plus1 = b[37];
  pc.bm_rate_control_modes = detail::get16(b, 38);
  for (std::size_t i = 0; i < 8; ++i)
    pc.bm_layout_per_stream[i] = b[40 + i];
  return pc;
}

// --- Format GUIDs of uncompressed formats (UVC payload spec, table 2-1) ---
using Guid = std::array<std::uint8_t, 16>;  // as laid out in the descriptor
inline constexpr Guid kGuidYuy2 = {0x59, 0x55, 0x59, 0x32, 0x00, 0x00, 0x10, 0x00,
                                   0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71};
inline constexpr Guid kGuidNv12 = {0x4E, 0x56, 0x31, 0x32, 0x00, 0x00, 0x10, 0x00,
                                   0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71};
inline constexpr Guid kGuidY800 = {0x59, 0x38, 0x30, 0x30, 0x00, 0x00, 0x10, 0x00,
                                   0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71};

}  // namespace hilcap::device::uvc
