// What a completion entry from the device means to a KS client: the mapping
// from the datasheet's CompletionEntry to the allocator's FrameInfo.
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

enum class FrameOutcome : std::uint8_t {
  kOk,                // a whole frame (that verified, when verifying)
  kShort,             // cut short: kFrameError
  kError,             // the device failed it, no data: kFrameError
  kCorrupt,           // failed verification: kFrameError
  kReturnedUnfilled,  // handed back at STOP: DataUsed 0, no flags
  kRejected,          // the device refused the buffer: DataUsed 0, kFrameError
};

struct MappedFrame {
  FrameOutcome outcome = FrameOutcome::kOk;
  FrameInfo info;
};

// The frame a completion entry hands back (a kDisconnected buffer maps like
// one returned at STOP, though the pin keeps those rather than deliver them):
// PictureNumber = sequence + 1 (KS counts from 1), DropCount, presentation
// time = the device's capture timestamp (valid), Duration = the frame interval
// (valid when known), DataUsed, discontinuity, error. `frame` is the buffer's
// first bytes_used bytes (read only to verify a kOk frame).
MappedFrame map_completion(const device::CompletionEntry& entry, std::span<const std::byte> frame,
                           const MappingOptions& options, std::int64_t host_time_ns);

}  // namespace hilcap
