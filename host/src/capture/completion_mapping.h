// What a completion entry from the device means to a KS client: the one
// mapping from the datasheet's CompletionEntry (the device's register
// format) to the host's FrameInfo and its FrameFate.
#pragma once

#include <hilcap/device/ring_entries.h>
#include <hilcap/frame_info.h>

#include <cstddef>
#include <cstdint>
#include <span>

namespace hilcap {

struct MappingOptions {
  bool verify_frames = true;           // check kOk frames with verify_frame
  std::int64_t frame_interval_ns = 0;  // Duration; 0: unknown
};

// The frame a completion entry hands back, with its fate:
//   kOk               -> kOk (kCorrupt when verifying and the in-band header or
//                        checksum does not match)
//   kShort            -> kShort
//   kError            -> kError
//   kReturnedUnfilled -> kReturnedUnfilled, DataUsed 0
//   kDisconnected     -> kReturnedUnfilled, DataUsed 0 (the pin keeps those
//                        rather than deliver them)
//   kBufferRejected   -> kRejected, DataUsed 0
// A frame (every fate but the two unfilled ones) also gets PictureNumber =
// sequence + 1 (KS counts from 1), the device's capture timestamp as its
// presentation time (valid), Duration = the frame interval (valid when known)
// and the discontinuity flag; DropCount always. `frame` is the buffer's
// first bytes_used bytes (read only to verify a kOk frame).
FrameInfo map_completion(const device::CompletionEntry& entry, std::span<const std::byte> frame,
                         const MappingOptions& options, std::int64_t host_time_ns);

}  // namespace hilcap
