#include <hilcap/device/frame_format.h>
#include <hilcap/device/frame_header.h>

#include <cstring>

#include "frame_layout.h"
#include "seeded_random.h"

namespace hilcap::device {
namespace {

std::uint64_t load_word(const std::byte* at) {
  std::uint64_t word;
  std::memcpy(&word, at, sizeof word);
  return word;
}

// One step of the checksum chain. XOR, multiplication by an odd constant and
// xorshift are each bijective, so for fixed other words a change to `word`
// always changes the result, and so does a change to `state`.
std::uint64_t chain(std::uint64_t state, std::uint64_t word) {
  state = (state ^ word) * kGoldenGamma;
  return state ^ (state >> 32);
}

bool header_consistent(const FrameHeader& header) {
  return header.version == kFrameHeaderVersion && header.header_bytes == kFrameHeaderBytes &&
         header.frame_bytes >= kFrameHeaderBytes &&
         header.sample_count == payload_sample_count(static_cast<PayloadMode>(header.payload_mode),
                                                     header.frame_bytes);
}

}  // namespace

std::string_view to_string(FrameCheck check) {
  switch (check) {
    case FrameCheck::kOk:
      return "ok";
    case FrameCheck::kTooSmall:
      return "too small for a frame header";
    case FrameCheck::kBadMagic:
      return "no frame header";
    case FrameCheck::kBadHeader:
      return "inconsistent frame header";
    case FrameCheck::kShort:
      return "short frame";
    case FrameCheck::kChecksumMismatch:
      return "checksum mismatch";
    case FrameCheck::kCompletionMismatch:
      return "not the frame the completion describes";
  }
  return "unknown";
}

FrameHeader read_frame_header(std::span<const std::byte> frame) {
  FrameHeader header;
  std::memcpy(&header, frame.data(), sizeof header);
  return header;
}

std::uint64_t frame_checksum(std::span<const std::byte> frame, const FrameHeader& header) {
  std::uint64_t state = kChecksumSeed;
  for (std::size_t offset = 0; offset < offsetof(FrameHeader, checksum); offset += 8) {
    state = chain(state, load_word(frame.data() + offset));
  }
  for (std::uint32_t i = 0; i < header.sample_count; ++i) {
    state = chain(state, load_word(frame.data() + payload_sample_offset(header.frame_bytes, i)));
  }
  return mix64(state);
}

FrameVerdict verify_frame(std::span<const std::byte> frame) {
  FrameVerdict verdict;
  if (frame.size() < kFrameHeaderBytes) return verdict;
  verdict.header = read_frame_header(frame);
  const FrameHeader& header = verdict.header;
  if (header.magic != kFrameMagic) {
    verdict.check = FrameCheck::kBadMagic;
  } else if (!header_consistent(header)) {
    verdict.check = FrameCheck::kBadHeader;
  } else if (frame.size() < header.frame_bytes) {
    verdict.check = FrameCheck::kShort;
  } else if (frame_checksum(frame, header) != header.checksum) {
    verdict.check = FrameCheck::kChecksumMismatch;
  } else {
    verdict.check = FrameCheck::kOk;
  }
  return verdict;
}

FrameVerdict verify_frame(std::span<const std::byte> frame, const CompletionEntry& completion) {
  FrameVerdict verdict = verify_frame(frame);
  if (verdict.check == FrameCheck::kOk && (verdict.header.sequence != completion.sequence ||
                                           verdict.header.timestamp_ns != completion.timestamp_ns ||
                                           verdict.header.checksum != completion.checksum)) {
    verdict.check = FrameCheck::kCompletionMismatch;
  }
  return verdict;
}

FrameVerdict verify_mjpeg_frame(std::span<const std::byte> jpeg) {
  FrameVerdict verdict;
  const auto byte_at = [&](std::size_t i) { return std::to_integer<unsigned>(jpeg[i]); };
  if (jpeg.size() < 4 || byte_at(0) != 0xFF || byte_at(1) != 0xD8) {
    verdict.check = jpeg.size() < kFrameHeaderBytes ? FrameCheck::kTooSmall : FrameCheck::kBadMagic;
    return verdict;
  }
  // Segments up to the start of scan: FF marker, big-endian length (itself included).
  std::size_t at = 2;
  while (at + 4 <= jpeg.size() && byte_at(at) == 0xFF) {
    const unsigned marker = byte_at(at + 1);
    const std::size_t length = byte_at(at + 2) << 8 | byte_at(at + 3);
    if (marker == 0xDA || length < 2) break;  // start of scan: no header before the data
    if (marker == kMjpegHeaderMarker && length == 2 + kFrameHeaderBytes &&
        at + 4 + kFrameHeaderBytes <= jpeg.size()) {
      const std::span<const std::byte> bytes = jpeg.subspan(at + 4, kFrameHeaderBytes);
      verdict = verify_frame(bytes);
      if (verdict.check == FrameCheck::kShort) {
        verdict.check = jpeg.size() < verdict.header.frame_bytes ? FrameCheck::kShort
                        : frame_checksum(bytes, verdict.header) != verdict.header.checksum
                            ? FrameCheck::kChecksumMismatch
                            : FrameCheck::kOk;
      }
      if (verdict.check == FrameCheck::kOk && verdict.header.pixel_format != kMjpegPixelFormat)
        verdict.check = FrameCheck::kBadHeader;
      return verdict;
    }
    at += 2 + length;
  }
  verdict.check = FrameCheck::kBadMagic;
  return verdict;
}

}  // namespace hilcap::device
