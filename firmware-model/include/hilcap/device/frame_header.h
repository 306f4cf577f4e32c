// The in-band header at the start of every frame, and the verifier the host
// uses on a delivered buffer.
//
// The header overwrites the first 64 bytes of the image (the top-left pixels),
// so a frame is exactly FrameFormat::frame_bytes() long. Fields are in host
// byte order (little-endian on every supported host); read them with
// read_frame_header(), never by casting the buffer (it may be unaligned).
//
// Checksum: a chain of bijective 64-bit mixes over the header's first 56 bytes
// and, unless the frame is header-only, 16 eight-byte samples spread evenly
// over the pixels after the header (the last one ends at the last byte). Any
// change to one of those words changes the checksum for certain, so a
// corrupted-payload fault (which flips a bit in a sampled word) is always
// detected, and a header-only frame stays verifiable. Changes elsewhere in the
// pixels are not covered: this is a cheap check, not a full-frame hash.
#pragma once

#include <hilcap/device/ring_entries.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace hilcap::device {

inline constexpr std::uint32_t kFrameMagic = 0x50434C48;  // "HLCP"
inline constexpr std::uint16_t kFrameHeaderVersion = 1;
inline constexpr std::size_t kFrameHeaderBytes = 64;
inline constexpr std::uint32_t kFrameSampleCount = 16;

struct FrameHeader {
  std::uint32_t magic = kFrameMagic;               // @0
  std::uint16_t version = kFrameHeaderVersion;     // @4
  std::uint16_t header_bytes = kFrameHeaderBytes;  // @6
  std::uint32_t pixel_format = 0;                  // @8  FourCC (PixelFormat)
  std::uint32_t width = 0;                         // @12
  std::uint32_t height = 0;                        // @16
  std::uint8_t payload_mode = 0;                   // @20 PayloadMode
  std::uint8_t reserved0[3] = {};                  // @21
  std::uint32_t frame_bytes = 0;                   // @24 the whole frame, header included
  std::uint32_t sample_count = 0;                  // @28 payload samples in the checksum (0 or 16)
  std::uint64_t sequence = 0;                      // @32 as in the completion entry
  std::int64_t timestamp_ns = 0;                   // @40 as in the completion entry
  std::uint64_t reserved1 = 0;                     // @48 zero (covered by the checksum)
  std::uint64_t checksum = 0;                      // @56
};
static_assert(sizeof(FrameHeader) == kFrameHeaderBytes);

enum class FrameCheck : std::uint8_t {
  kOk,
  kTooSmall,            // fewer bytes than a header
  kBadMagic,            // no frame header at the start of the buffer
  kBadHeader,           // header fields inconsistent (version, sizes)
  kShort,               // fewer bytes than the header's frame_bytes (a short frame)
  kChecksumMismatch,    // the header or a sampled payload word changed (corruption)
  kCompletionMismatch,  // intact frame, but not the one the completion entry describes
};

std::string_view to_string(FrameCheck check);

struct FrameVerdict {
  FrameCheck check = FrameCheck::kTooSmall;
  FrameHeader header;  // as read from the buffer (meaningful unless kTooSmall)
};

// Reads the header at the start of `frame` (which must hold kFrameHeaderBytes).
FrameHeader read_frame_header(std::span<const std::byte> frame);

// The checksum of a frame whose header is `header`; `frame` must hold
// header.frame_bytes bytes (or only the header when sample_count is 0).
std::uint64_t frame_checksum(std::span<const std::byte> frame, const FrameHeader& header);

// Verifies the delivered bytes of one buffer: `frame` is [address, address +
// bytes_used). Reads the header and at most 16 sampled words; never writes.
FrameVerdict verify_frame(std::span<const std::byte> frame);

// The same, and also checks that the frame is the one `completion` describes
// (sequence, timestamp, checksum).
FrameVerdict verify_frame(std::span<const std::byte> frame, const CompletionEntry& completion);

// MJPEG frames (the UVC personality's compressed format) carry the header in
// an APP4 segment among the JPEG's first segments (after SOI and JFIF's APP0):
// FF E4, a length of 66, then the 64 header bytes. In it pixel_format is
// 'MJPG', payload_mode header-only (the checksum covers the header alone) and
// frame_bytes the whole JPEG's length, so a host can tell a cut frame.
inline constexpr std::uint32_t kMjpegPixelFormat = 0x47504A4D;  // "MJPG"
inline constexpr std::uint8_t kMjpegHeaderMarker = 0xE4;        // APP4
inline constexpr std::size_t kMjpegHeaderSegmentBytes = 2 + 2 + kFrameHeaderBytes;

// The header of an MJPEG frame: kBadMagic when no segment holds one, kShort
// when the JPEG is shorter than the header says. Reads only the segments
// before the compressed data.
FrameVerdict verify_mjpeg_frame(std::span<const std::byte> jpeg);

}  // namespace hilcap::device
