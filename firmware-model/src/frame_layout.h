// Where the checksum samples a frame's payload: shared by the synthesizer
// (which writes and corrupts) and the verifier (which checks).
#pragma once

#include <hilcap/device/frame_format.h>
#include <hilcap/device/frame_header.h>
#include <hilcap/device_internal.h>

#include <cstddef>
#include <cstdint>

namespace hilcap::device {

inline constexpr std::uint64_t kChecksumSeed = 0x686C6361'70667268ull;  // "hlcapfrh"

// Payloads shorter than this after the header carry no samples: 16 words of 8
// bytes then fit without overlapping.
inline constexpr std::uint32_t kMinSampledPayload = kFrameSampleCount * 8;

constexpr std::uint32_t payload_sample_count(PayloadMode mode, std::uint32_t frame_bytes) {
  if (mode == PayloadMode::kHeaderOnly) return 0;
  return frame_bytes >= kFrameHeaderBytes + kMinSampledPayload ? kFrameSampleCount : 0;
}

// Offset of sample i (0 <= i < kFrameSampleCount): evenly spread from just
// after the header to the last 8 bytes of the frame, never overlapping.
constexpr std::size_t payload_sample_offset(std::uint32_t frame_bytes, std::uint32_t i) {
  const std::uint64_t span = frame_bytes - kFrameHeaderBytes - 8;
  return kFrameHeaderBytes + static_cast<std::size_t>(span * i / (kFrameSampleCount - 1));
}

}  // namespace hilcap::device
